"""A patient sees only their own record, whatever identifier reaches a use case; staff act by role."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import use_cases
from domain.identity.access import record_access
from domain.audit import Outcome
from domain.clock import FixedClock
from domain.errors import AccessDenied
from domain.hospital import TrustCode
from domain.identifiers import NhsNumber
from domain.identity.patients import LetterPreference, Patient
from domain.identity.session import PatientSession, StaffRole, StaffSession
from tests.domain.fakes import FakeUnitOfWork

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def a_patient(patient_id: int) -> Patient:
    return Patient(id=patient_id, nhs_number=NhsNumber.parse("999 000 0018"), hospital_number=f"RWG{patient_id}",
                   trust=TrustCode.WEST_HERTS, given_name="Test", family_name=f"Patient{patient_id}",
                   date_of_birth=date(1960, 1, 1), postcode="WD18 0HB", mobile=None, email=None,
                   letter_preference=LetterPreference.PAPER)


@given(st.integers(1, 10_000), st.integers(1, 10_000))
def test_a_patient_may_open_only_their_own_record(own: int, other: int) -> None:
    decision = record_access(PatientSession(own, NOW), other)
    assert decision.allowed == (own == other)


@pytest.mark.parametrize("role, allowed", [(StaffRole.APPOINTMENTS_CLERK, True),
                                           (StaffRole.APPOINTMENTS_SUPERVISOR, True),
                                           (StaffRole.SYSTEM_ADMIN, False)])
def test_staff_access_follows_role(role: StaffRole, allowed: bool) -> None:
    assert record_access(StaffSession(1, "clerk", role, NOW), 42).allowed is allowed


def test_open_record_gives_the_patient_their_own_record() -> None:
    uow = FakeUnitOfWork([a_patient(1), a_patient(2)])
    assert use_cases.open_record(uow, FixedClock(NOW), PatientSession(1, NOW)).id == 1


@given(st.integers(2, 50))
def test_asking_for_another_patients_record_is_refused_and_audited(other: int) -> None:
    uow = FakeUnitOfWork([a_patient(n) for n in range(1, 51)])
    with pytest.raises(AccessDenied):
        use_cases.open_record(uow, FixedClock(NOW), PatientSession(1, NOW), patient_id=other)
    with pytest.raises(AccessDenied):
        use_cases.list_appointments(uow, FixedClock(NOW), PatientSession(1, NOW), patient_id=other)
    assert [(e.outcome, e.patient_id, e.actor_id) for e in uow.audit.events] == [(Outcome.DENIED, other, "1")] * 2


def test_staff_who_act_for_patients_open_the_record_they_chose() -> None:
    uow = FakeUnitOfWork([a_patient(1), a_patient(7)])
    clerk = StaffSession(3, "clerk", StaffRole.APPOINTMENTS_CLERK, NOW)
    assert use_cases.open_record(uow, FixedClock(NOW), clerk, patient_id=7).id == 7
