"""The desk acting for patients on the real databases: what a patient may not do online (transport or an
interpreter booked, inside the cut-off, past the limit, another clinician), with the reason kept; booking with its
letter, texts and the registration invitation; and three terminals racing for one slot."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.engine import make_engine
from data.demo import DEMO_STAFF
from data.models import AppointmentRow, AuditEventRow, DocumentRow, InvitationRow, SmsMessageRow, StaffMemberRow
from data.uow import SqlUnitOfWork, session_factory
from domain.appointments import booking
from domain.appointments import changes as m
from domain.appointments.model import AppointmentStatus
from domain.appointments.rules import Action, OnlinePolicy
from domain.clock import FixedClock
from domain.errors import DomainError, InvalidValue, Refused
from domain.identity.session import PatientSession, StaffRole, StaffSession
from tests.conftest import FIXED_NOW
from tests.data.demo_fixtures import patient

POLICY = OnlinePolicy()
CLOCK = FixedClock(FIXED_NOW)
CLERK = StaffSession(1, "clerk.demo", StaffRole.APPOINTMENTS_CLERK, FIXED_NOW)
SUPERVISOR = StaffSession(2, "supervisor.demo", StaffRole.APPOINTMENTS_SUPERVISOR, FIXED_NOW)
URL = "https://portal.example.nhs.uk"


@pytest.fixture(autouse=True)
def demo_staff(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(demo_engine) as s:
        s.add_all(StaffMemberRow(username=username, display_name=name, role=role, password_hash="-", active=True)
                  for username, name, role in DEMO_STAFF)
        s.commit()


def booked(uow, who: StaffSession, patient_id: int):  # type: ignore[no-untyped-def]
    return [v for v in m.appointment_list(uow(), CLOCK, who, patient_id)
            if v.appointment.status is AppointmentStatus.BOOKED and v.appointment.starts_at > FIXED_NOW]


def audit_details(engine, action: str) -> list[str]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return list(s.scalars(select(AuditEventRow.detail).where(AuditEventRow.action == action,
                                                                 AuditEventRow.actor_kind == "staff")))


def test_an_interpreter_booked_appointment_is_moved_at_the_desk_with_a_reason_and_a_reminder(
        demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    krzysztof = patient(demo_engine, "Krzysztof", "Wiśniewski")
    view = booked(uow, CLERK, krzysztof.id)[0]
    page = m.appointment_page(uow(), CLOCK, CLERK, view.appointment.id, POLICY)
    assert not page.decisions[Action.RESCHEDULE]  # the patient may not, online
    assert page.staff is not None and page.staff[Action.RESCHEDULE].arrangements == ("the Polish interpreter",)
    options = m.reschedule_options(uow(), CLOCK, CLERK, view.appointment.id, POLICY)
    assert options and all(s.clinician and s.place for s in options)
    with pytest.raises(InvalidValue, match="Say why"):
        m.reschedule(uow(), CLOCK, CLERK, view.appointment.id, options[0].id, POLICY, reason=" ")
    done = m.reschedule(uow(), CLOCK, CLERK, view.appointment.id, options[0].id, POLICY, reason="patient on the phone")
    assert done.arrangements == ("the Polish interpreter",) and done.sms is not None
    new = done.new.appointment
    assert new.staff_by == "clerk.demo" and new.staff_reason == "patient on the phone"
    assert new.arrangements == "Rebook the Polish interpreter" and new.arrangements_pending
    assert new.interpreter_language == "Polish"  # still needed at the new time
    assert done.new.staff_name == "Chris Clerk"
    [detail] = audit_details(demo_engine, "reschedule_appointment")
    assert "reason: patient on the phone" in detail and "to do by hand: the Polish interpreter" in detail
    # The patient is not told who: the view they are given has no staff name.
    mine = [v for v in m.appointment_list(uow(), CLOCK, PatientSession(krzysztof.id, FIXED_NOW))
            if v.appointment.id == new.id]
    assert mine[0].staff_name is None
    booking.arrangements_done(uow(), CLOCK, CLERK, new.id)
    again = m.appointment_page(uow(), CLOCK, CLERK, new.id, POLICY).view.appointment
    assert not again.arrangements_pending and again.arrangements_done_by == "clerk.demo"
    with pytest.raises(Refused, match="nothing left"):
        booking.arrangements_done(uow(), CLOCK, CLERK, new.id)


def test_another_clinician_of_the_same_clinic(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    harold = patient(demo_engine, "Harold", "Finch")  # transport booked, orthopaedics has two consultants
    view = booked(uow, CLERK, harold.id)[0]
    options = m.reschedule_options(uow(), CLOCK, CLERK, view.appointment.id, POLICY)
    other = next(s for s in options if s.clinician_id != view.appointment.clinician_id)
    done = m.reschedule(uow(), CLOCK, CLERK, view.appointment.id, other.id, POLICY, reason="the clinic asked")
    assert done.new.appointment.clinician_id == other.clinician_id
    assert done.new.clinician == other.clinician and done.arrangements == ("hospital transport",)
    with Session(demo_engine) as s:
        letter = s.scalars(select(DocumentRow).where(DocumentRow.appointment_id == done.new.appointment.id)).one()
        assert other.clinician is not None and other.clinician.split(",")[0] in letter.body_markdown


def test_inside_the_cut_off_and_past_the_limit_only_a_supervisor(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    aisha = patient(demo_engine, "Aisha", "Rahman")  # moved twice already: the online limit
    view = booked(uow, CLERK, aisha.id)[0]
    with pytest.raises(Refused, match="only an appointments supervisor"):
        m.reschedule_options(uow(), CLOCK, CLERK, view.appointment.id, POLICY)
    options = m.reschedule_options(uow(), CLOCK, SUPERVISOR, view.appointment.id, POLICY)
    soon = min(options, key=lambda s: s.starts_at)
    assert soon.starts_at - FIXED_NOW < POLICY.cutoff  # a supervisor may also book inside the cut-off
    done = m.reschedule(uow(), CLOCK, SUPERVISOR, view.appointment.id, soon.id, POLICY, reason="urgent, consultant asked")
    assert done.new.appointment.times_rescheduled == 3 and done.reschedules_left == 0
    [detail] = audit_details(demo_engine, "reschedule_appointment")
    assert "overrides: already moved 2 times" in detail
    # Now inside the cut-off too: a clerk cannot cancel it, a supervisor can.
    with pytest.raises(Refused, match="less than 48 hours away"):
        m.cancel(uow(), CLOCK, CLERK, done.new.appointment.id, "patient asked", POLICY)
    m.cancel(uow(), CLOCK, SUPERVISOR, done.new.appointment.id, "patient asked", POLICY)


def test_a_cancellation_at_the_desk_says_who_to_staff_and_the_team_to_the_patient(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    harold = patient(demo_engine, "Harold", "Finch")
    view = booked(uow, CLERK, harold.id)[0]
    with pytest.raises(InvalidValue, match="Say why"):
        m.cancel(uow(), CLOCK, CLERK, view.appointment.id, "", POLICY)
    done = m.cancel(uow(), CLOCK, CLERK, view.appointment.id, "patient at the desk: moving away", POLICY)
    assert done.arrangements == ("hospital transport",) and done.sms is not None
    staff_view = m.appointment_page(uow(), CLOCK, CLERK, view.appointment.id, POLICY).view
    assert staff_view.staff_name == "Chris Clerk" and staff_view.appointment.arrangements == "Cancel hospital transport"
    mine = m.appointment_page(uow(), CLOCK, PatientSession(harold.id, FIXED_NOW), view.appointment.id, POLICY).view
    assert mine.staff_name is None
    assert mine.appointment.status_words == "Cancelled for you by the Appointments team"


def test_what_the_desk_cannot_change_either(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    seun = patient(demo_engine, "Oluwaseun", "Adebayo")  # an e-RS first appointment
    view = booked(uow, CLERK, seun.id)[0]
    page = m.appointment_page(uow(), CLOCK, CLERK, view.appointment.id, POLICY)
    assert page.staff is not None and "e-Referral Service" in page.staff[Action.RESCHEDULE].reason
    with pytest.raises(Refused, match="e-Referral Service"):
        m.cancel(uow(), CLOCK, CLERK, view.appointment.id, "patient asked", POLICY)


def test_booking_a_follow_up_writes_the_letter_and_the_text(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    margaret = patient(demo_engine, "Margaret", "Thompson")
    choices = booking.booking_clinics(uow(), CLOCK, CLERK, margaret.id)
    under = [c for c in choices if c.can_follow_up]
    assert under and choices[: len(under)] == under  # the clinics she is under come first
    clinic = under[0].clinic
    slots = booking.booking_slots(uow(), CLOCK, CLERK, margaret.id, clinic.id, POLICY)
    done = booking.book(uow(), CLOCK, CLERK, margaret.id, slots[-1].id, booking.BookingKind.FOLLOW_UP,
                        "follow-up in 6 weeks, as the clinic letter asks", POLICY, URL)
    a = done.view.appointment
    assert a.status is AppointmentStatus.BOOKED and a.staff_by == "clerk.demo" and a.reference.startswith("WH")
    assert done.sms is not None and "booked you a hospital appointment" in done.sms.body
    assert done.invitation is None  # she is registered
    assert done.posted is False  # paperless
    with Session(demo_engine) as s:
        assert s.scalar(select(DocumentRow.title).where(DocumentRow.appointment_id == a.id)).startswith("Follow-up")
    # Not under this clinic: a follow-up is refused with what to do instead.
    other = next(c for c in choices if not c.can_follow_up)
    slot = booking.booking_slots(uow(), CLOCK, CLERK, margaret.id, other.clinic.id, POLICY)[0]
    with pytest.raises(Refused, match="e-RS referral number"):
        booking.book(uow(), CLOCK, CLERK, margaret.id, slot.id, booking.BookingKind.FOLLOW_UP, "asked", POLICY, URL)


def test_a_first_appointment_needs_its_ubrn_and_invites_an_unregistered_patient_once(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    ellie = patient(demo_engine, "Ellie", "Parker")  # 18 today, a mobile, no account, never invited
    clinic = booking.booking_clinics(uow(), CLOCK, CLERK, ellie.id)[0].clinic
    first, second = [s for s in booking.booking_slots(uow(), CLOCK, CLERK, ellie.id, clinic.id, POLICY)
                     if s.starts_at > FIXED_NOW + timedelta(days=7)][:2]  # a letter can arrive in time
    with pytest.raises(InvalidValue, match="UBRN"):
        booking.book(uow(), CLOCK, CLERK, ellie.id, first.id, booking.BookingKind.NEW_REFERRAL, "GP referral",
                     POLICY, URL, ubrn="1234")
    done = booking.book(uow(), CLOCK, CLERK, ellie.id, first.id, booking.BookingKind.NEW_REFERRAL, "GP referral",
                        POLICY, URL, ubrn="0001 2345 6789")
    assert done.invitation is not None and URL in done.invitation.body
    assert done.posted is True  # letters by post
    again = booking.book(uow(), CLOCK, CLERK, ellie.id, second.id, booking.BookingKind.FOLLOW_UP, "second visit",
                         POLICY, URL)
    assert again.invitation is None  # not twice in 30 days
    with Session(demo_engine) as s:
        assert len(s.scalars(select(InvitationRow).where(InvitationRow.patient_id == ellie.id)).all()) == 1
        texts = s.scalars(select(SmsMessageRow.template).where(SmsMessageRow.patient_id == ellie.id)).all()
        assert sorted(texts) == ["booking_confirmation", "booking_confirmation", "registration_invitation"]
    # Booked a month and more later, the patient is invited again.
    later = FixedClock(FIXED_NOW + timedelta(days=31))
    third = booking.booking_slots(uow(), later, CLERK, ellie.id, clinic.id, POLICY)[0]
    assert booking.book(uow(), later, CLERK, ellie.id, third.id, booking.BookingKind.FOLLOW_UP, "third", POLICY,
                        URL).invitation is not None


def test_a_system_administrator_cannot_book(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    admin = StaffSession(3, "admin.demo", StaffRole.SYSTEM_ADMIN, FIXED_NOW)
    margaret = patient(demo_engine, "Margaret", "Thompson")
    with pytest.raises(DomainError):
        booking.booking_clinics(uow(), CLOCK, admin, margaret.id)


def test_desk_booking_patient_reschedule_and_another_desk_race_for_one_slot(database_url, demo_engine) -> None:  # type: ignore[no-untyped-def]
    """Three terminals, each its own engine and thread, want the same free slot at once: exactly one wins, the
    others are told the time was taken (with the nearest others), and the slot holds one live booking."""
    harold = patient(demo_engine, "Harold", "Finch")
    margaret = patient(demo_engine, "Margaret", "Thompson")
    factory = session_factory(demo_engine)
    harold_view = booked(lambda: SqlUnitOfWork(factory), CLERK, harold.id)[0]
    clinic_id = harold_view.appointment.clinic_id
    slot = m.reschedule_options(SqlUnitOfWork(factory), CLOCK, CLERK, harold_view.appointment.id, POLICY)[-1]
    # Margaret is under the same clinic for the desk's booking; the patient who moves is one of its own.
    with Session(demo_engine) as s:
        own = s.scalars(select(AppointmentRow).where(
            AppointmentRow.clinic_id == clinic_id, AppointmentRow.status == "booked",
            AppointmentRow.clinician_id == slot.clinician_id, AppointmentRow.location_id == slot.location_id,
            AppointmentRow.transport_booked.is_(False), AppointmentRow.interpreter_language.is_(None),
            AppointmentRow.starts_at > FIXED_NOW + POLICY.cutoff, AppointmentRow.times_rescheduled == 0)).first()
        assert own is not None
        mover = PatientSession(own.patient_id, FIXED_NOW)
        mover_appointment = own.id
    attempts = [
        lambda uow: booking.book(uow, CLOCK, CLERK, margaret.id, slot.id, booking.BookingKind.NEW_REFERRAL,
                                 "GP referral", POLICY, URL, ubrn="000123456789"),
        lambda uow: m.reschedule(uow, CLOCK, mover, mover_appointment, slot.id, POLICY),
        lambda uow: m.reschedule(uow, CLOCK, SUPERVISOR, harold_view.appointment.id, slot.id, POLICY,
                                 reason="patient on the phone"),
    ]
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def run(attempt) -> None:  # type: ignore[no-untyped-def]
        engine = make_engine(database_url)
        try:
            uow = SqlUnitOfWork(session_factory(engine))
            barrier.wait()
            try:
                attempt(uow)
                outcomes.append("won")
            except m.SlotTaken:
                outcomes.append("taken")
            except Refused as refused:
                outcomes.append(f"refused: {refused}")
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["taken", "taken", "won"], outcomes
    with Session(demo_engine) as s:
        live = s.scalars(select(AppointmentRow).where(AppointmentRow.slot_id == slot.id, AppointmentRow.status.in_(
            ("booked", "attended", "did_not_attend")))).all()
        assert len(live) == 1
