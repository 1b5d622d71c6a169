"""Use cases: each takes the acting session, decides access itself, and runs in one unit of work."""

from __future__ import annotations

from domain.identity.access import require_access, target_patient
from domain.appointments.model import Appointment
from domain.errors import NotFound
from domain.identity.patients import Patient
from domain.ports import Clock, UnitOfWork
from domain.identity.session import Actor
from domain.language import _


def open_record(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None) -> Patient:
    """The patient record the actor may see: a patient's own (whatever id is passed), or the one staff chose."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "open_record")
        patient = uow.patients.get(target)
        if patient is None:
            raise NotFound(_("That record could not be found."))
        return patient


def list_appointments(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None) -> list[Appointment]:
    """The actor's patient's appointments and admissions, soonest first."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "list_appointments")
        return sorted(uow.appointments.for_patient(target), key=lambda a: a.starts_at)
