"""Repositories and the unit of work hand out domain objects, with aware UTC times, and audit what is refused."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy.orm import Session

from data.demo import load_demo
from data.identity.passwords import Argon2Hasher
from data.uow import SqlUnitOfWork, session_factory
from domain import use_cases
from domain.appointments.model import Appointment
from domain.audit import Outcome
from domain.errors import AccessDenied
from domain.identifiers import NhsNumber
from domain.identity.patients import Patient
from domain.identity.session import PatientSession
from tests.conftest import FIXED_DAY, FIXED_NOW


@pytest.fixture
def uow(engine) -> SqlUnitOfWork:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        load_demo(session, FIXED_DAY, Argon2Hasher(fast=True))
        session.commit()
    return SqlUnitOfWork(session_factory(engine))


def test_patients_come_back_as_domain_objects(uow: SqlUnitOfWork) -> None:
    with uow:
        patient = uow.patients.by_nhs_number(NhsNumber.parse("999 000 0018"))
        assert isinstance(patient, Patient)
        assert patient.full_name == "Margaret Thompson"
        assert uow.patients.get(patient.id) == patient
        assert uow.patients.get(10_000_000) is None


def test_appointments_come_back_in_order_with_utc_times(uow: SqlUnitOfWork) -> None:
    with uow:
        patient = uow.patients.by_nhs_number(NhsNumber.parse("999 000 0018"))
        assert patient is not None
        appointments = uow.appointments.for_patient(patient.id)
    assert appointments and all(isinstance(a, Appointment) for a in appointments)
    assert all(a.starts_at.tzinfo is UTC for a in appointments)
    assert [a.starts_at for a in appointments] == sorted(a.starts_at for a in appointments)


def test_a_refused_request_is_in_the_audit_trail(uow: SqlUnitOfWork, clock) -> None:  # type: ignore[no-untyped-def]
    session = PatientSession(patient_id=1, started_at=FIXED_NOW)
    assert use_cases.open_record(uow, clock, session, patient_id=None).id == 1
    with pytest.raises(AccessDenied):
        use_cases.open_record(uow, clock, session, patient_id=2)
    with uow:
        events = uow.audit.for_patient(2)
    assert [(e.outcome, e.actor_kind, e.actor_id, e.action) for e in events] == [
        (Outcome.DENIED, "patient", "1", "open_record")]
