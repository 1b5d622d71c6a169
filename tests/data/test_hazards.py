"""The hazards a patient and a clerk found in one working day (issue 32), each proved on SQLite and PostgreSQL.
The hazard log (docs/safety/hazards.toml) names these tests as the evidence for its controls."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.demo import DEMO_STAFF
from data.models import ReferralRow, SmsMessageRow, StaffMemberRow
from domain.appointments import changes as m
from domain.appointments.model import AppointmentStatus, ReferralStatus
from domain.appointments.rules import OnlinePolicy
from domain.clock import FixedClock
from domain.errors import Refused
from domain.identity.session import PatientSession, StaffRole, StaffSession
from tests.conftest import FIXED_NOW
from tests.data.demo_fixtures import patient

POLICY = OnlinePolicy()
CLOCK = FixedClock(FIXED_NOW)
CLERK = StaffSession(1, "clerk.demo", StaffRole.APPOINTMENTS_CLERK, FIXED_NOW)


@pytest.fixture(autouse=True)
def demo_staff(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(demo_engine) as s:
        s.add_all(StaffMemberRow(username=username, display_name=name, role=role, password_hash="-", active=True)
                  for username, name, role in DEMO_STAFF)
        s.commit()


def _upcoming(uow, who, patient_id: int):  # type: ignore[no-untyped-def]
    return [v for v in m.appointment_list(uow(), CLOCK, who, patient_id)
            if v.appointment.status is AppointmentStatus.BOOKED and v.appointment.starts_at > FIXED_NOW]


def test_a_hospital_cancellation_at_the_desk_keeps_the_patient_under_the_clinic(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    """Hazard 1: the desk stored every cancellation as the patient's, discharged the referral and texted "See your
    GP". Said as the hospital's, the referral stays open, the text says a new date will come, and the desk is left
    a to-do to rebook; the patient's own is as before."""
    margaret = patient(demo_engine, "Margaret", "Thompson")
    [first] = _upcoming(uow, CLERK, margaret.id)
    done = m.cancel(uow(), CLOCK, CLERK, first.appointment.id, "the clinician is not available", POLICY,
                    by_hospital=True)
    assert done.by_hospital and done.view.appointment.status is AppointmentStatus.CANCELLED_BY_HOSPITAL
    assert done.sms is not None and "We will contact you with a new date" in done.sms.body and "GP" not in \
        done.sms.body
    with Session(demo_engine) as s:
        assert s.get(ReferralRow, first.appointment.referral_id).status == ReferralStatus.OPEN.value
    page = m.appointment_page(uow(), CLOCK, CLERK, first.appointment.id, POLICY)
    assert page.view.appointment.arrangements_pending and m.REBOOK in (page.view.appointment.arrangements or "")
    mine = m.appointment_page(uow(), CLOCK, PatientSession(margaret.id, FIXED_NOW), first.appointment.id, POLICY)
    assert mine.view.appointment.status_words == "Cancelled by the hospital"
    # Inside the cut-off a clerk may say the hospital cancelled (the online rules are the patient's).
    fiona = patient(demo_engine, "Fiona", "MacLeod")
    [soon] = _upcoming(uow, CLERK, fiona.id)
    with pytest.raises(Refused, match="only an appointments supervisor"):
        m.cancel(uow(), CLOCK, CLERK, soon.appointment.id, "the patient asked, on the phone", POLICY)
    # A patient can never say the hospital cancelled.
    with pytest.raises(Refused):
        m.cancel(uow(), CLOCK, PatientSession(fiona.id, FIXED_NOW), soon.appointment.id, None, POLICY,
                 by_hospital=True)
    assert m.cancel(uow(), CLOCK, CLERK, soon.appointment.id, "the clinic is closed that day", POLICY,
                    by_hospital=True).by_hospital
    # The patient's own, at the desk: discharged, and told to see their GP.
    harold = patient(demo_engine, "Harold", "Finch")
    [his] = _upcoming(uow, CLERK, harold.id)
    own = m.cancel(uow(), CLOCK, CLERK, his.appointment.id, "the patient asked, on the phone", POLICY)
    assert own.view.appointment.status is AppointmentStatus.CANCELLED_BY_PATIENT and "GP" in own.sms.body
    with Session(demo_engine) as s:
        assert s.get(ReferralRow, his.appointment.referral_id).status == ReferralStatus.DISCHARGED.value
        texts = s.scalars(select(SmsMessageRow.body).where(SmsMessageRow.patient_id == margaret.id)).all()
        assert any("We will contact you with a new date" in body for body in texts)
