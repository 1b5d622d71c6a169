"""Use cases: each takes the acting session, decides access itself, and runs in one unit of work."""

from __future__ import annotations

from domain.access import record_access
from domain.appointments import Appointment
from domain.audit import AuditEvent, Outcome
from domain.errors import AccessDenied, NotFound
from domain.patients import Patient
from domain.ports import Clock, UnitOfWork
from domain.session import Actor, PatientSession


def open_record(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None) -> Patient:
    """The patient record the actor may see: a patient's own (whatever id is passed), or the one staff chose."""
    target = _target_patient(actor, patient_id)
    with uow:
        _require_access(uow, clock, actor, target, "open_record")
        patient = uow.patients.get(target)
        if patient is None:
            raise NotFound("That record could not be found.")
        return patient


def list_appointments(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None) -> list[Appointment]:
    """The actor's patient's appointments and admissions, soonest first."""
    target = _target_patient(actor, patient_id)
    with uow:
        _require_access(uow, clock, actor, target, "list_appointments")
        return sorted(uow.appointments.for_patient(target), key=lambda a: a.starts_at)


def _target_patient(actor: Actor, patient_id: int | None) -> int:
    # A patient's identity comes from the session; an id passed in only matters to the access check.
    if isinstance(actor, PatientSession):
        return actor.patient_id if patient_id is None else patient_id
    if patient_id is None:
        raise NotFound("Choose a patient first.")
    return patient_id


def _require_access(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int, action: str) -> None:
    decision = record_access(actor, patient_id)
    if decision:
        return
    kind, actor_id, role = actor.audit_identity
    uow.audit.record(
        AuditEvent(
            at=clock.now(),
            actor_kind=kind,
            actor_id=actor_id,
            actor_role=role,
            action=action,
            outcome=Outcome.DENIED,
            patient_id=patient_id,
            detail=decision.reason,
        )
    )
    uow.commit()
    raise AccessDenied("You can only see your own record.")
