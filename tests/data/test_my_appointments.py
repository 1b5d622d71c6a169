"""A patient's appointments on the real databases: the list, each demo case's page, reschedule and cancel with
everything they must leave behind (and nothing when they fail)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import AppointmentRow, AuditEventRow, DocumentRow, ReferralRow, SlotRow, SmsMessageRow
from data.uow import SqlUnitOfWork, session_factory
from domain.appointments import changes as m
from domain.appointments.rules import Action, Blocker, OnlinePolicy
from domain.appointments.model import AppointmentStatus, CancelledBy
from domain.clock import FixedClock
from domain.errors import NotFound, Refused
from domain.identity.session import PatientSession
from tests.conftest import FIXED_NOW
from tests.data.demo_fixtures import patient

POLICY = OnlinePolicy()
CLOCK = FixedClock(FIXED_NOW)


def session_of(engine, given: str, family: str) -> PatientSession:  # type: ignore[no-untyped-def]
    return PatientSession(patient(engine, given, family).id, FIXED_NOW)


def upcoming(uow, who: PatientSession):  # type: ignore[no-untyped-def]
    views = m.appointment_list(uow(), CLOCK, who)
    return [v for v in views if v.appointment.status is AppointmentStatus.BOOKED and v.appointment.starts_at > FIXED_NOW]


def count(engine, query) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def test_the_list_names_everything_soonest_first(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    who = session_of(demo_engine, "Sandeep", "Gill")
    views = m.appointment_list(uow(), CLOCK, who)
    assert [v.appointment.starts_at for v in views] == sorted(v.appointment.starts_at for v in views)
    words = {v.appointment.status_words for v in views}
    assert {"Attended", "Not attended", "Cancelled by the hospital", "Cancelled by you", "Booked"} <= words
    first = views[0]
    assert first.clinic and first.clinician and first.clinician.startswith(("Dr", "Mr", "Ms", "Miss", "Prof"))
    assert first.site and first.address and first.trust_name.endswith("Trust")


def test_the_royal_free_shows_as_itself(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    views = m.appointment_list(uow(), CLOCK, session_of(demo_engine, "Rosa", "Fernández"))
    assert {v.trust_name for v in views} == {"Royal Free London NHS Foundation Trust"}


@pytest.mark.parametrize("given, family, blocker", [
    ("Oluwaseun", "Adebayo", Blocker.ERS_FIRST_APPOINTMENT),
    ("Harold", "Finch", Blocker.TRANSPORT_BOOKED),
    ("Krzysztof", "Wiśniewski", Blocker.INTERPRETER_BOOKED),
    ("Aisha", "Rahman", Blocker.LIMIT_REACHED),
    ("Deborah", "Kowalczyk", Blocker.VIEW_ONLY_KIND),
    ("Fiona", "MacLeod", Blocker.TOO_CLOSE),
])
def test_each_demo_case_explains_itself(demo_engine, uow, given: str, family: str, blocker: Blocker) -> None:  # type: ignore[no-untyped-def]
    who = session_of(demo_engine, given, family)
    page = m.appointment_page(uow(), CLOCK, who, upcoming(uow, who)[0].appointment.id, POLICY)
    decision = page.decisions[Action.RESCHEDULE]
    assert not decision and decision.blocker is blocker
    assert decision.reason and decision.instead


def test_a_changeable_appointment_offers_both_and_its_letters(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    who = session_of(demo_engine, "Margaret", "Thompson")
    page = m.appointment_page(uow(), CLOCK, who, upcoming(uow, who)[0].appointment.id, POLICY)
    assert page.decisions[Action.RESCHEDULE] and page.decisions[Action.CANCEL]
    assert page.reschedules_left == 2
    assert [d.kind.value for d in page.letters] == ["appointment_confirmation"]
    letter = m.open_letter(uow(), CLOCK, who, page.letters[0].id)
    assert letter.body_markdown and "Dear Margaret Thompson" in letter.body_markdown and letter.read_at == FIXED_NOW


def test_reschedule_does_everything_in_one_go(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    who = session_of(demo_engine, "Margaret", "Thompson")
    old = upcoming(uow, who)[0].appointment
    with Session(demo_engine) as session:  # a reminder already waiting for the old time
        session.add(SmsMessageRow(id="r" * 32, patient_id=old.patient_id, appointment_id=old.id, to_number="+447700900001",
                                  template="reminder", body="x", status="queued", created_at=FIXED_NOW,
                                  send_after=FIXED_NOW + timedelta(days=14), attempts=0))
        session.commit()
    options = m.reschedule_options(uow(), CLOCK, who, old.id, POLICY)
    assert options and all(FIXED_NOW + POLICY.cutoff < s.starts_at < FIXED_NOW + POLICY.horizon for s in options)
    assert {(s.clinician_id, s.location_id) for s in options} == {(old.clinician_id, old.location_id)}
    chosen = options[len(options) // 2]

    done = m.reschedule(uow(), CLOCK, who, old.id, chosen.id, POLICY)

    new = done.new.appointment
    assert (new.starts_at, new.slot_id, new.times_rescheduled) == (chosen.starts_at, chosen.id, 1)
    assert done.reschedules_left == 1 and done.old.rescheduled_to == new.reference and not done.posted
    with Session(demo_engine) as session:
        old_row = session.get(AppointmentRow, old.id)
        assert old_row.status == "rescheduled" and old_row.rescheduled_to_id == new.id
        assert session.get(AppointmentRow, new.id).rescheduled_from_id == old.id
        assert session.get(SmsMessageRow, "r" * 32).status == "withdrawn"
        texts = session.scalars(select(SmsMessageRow).where(SmsMessageRow.appointment_id == new.id)).all()
        assert [t.template for t in texts] == ["reschedule_confirmation"] and texts[0].body == done.sms.body
        letters = session.scalars(select(DocumentRow).where(DocumentRow.appointment_id == new.id)).all()
        assert len(letters) == 1 and new.reference in letters[0].body_markdown and letters[0].post_status is None
        audit = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "reschedule_appointment")).one()
        assert old.reference in audit.detail and new.reference in audit.detail
    # The old time is free again for someone else; the new one is not.
    again = {s.id for s in m.reschedule_options(uow(), CLOCK, who, new.id, POLICY)}
    assert old.slot_id in again or old.starts_at < FIXED_NOW + POLICY.cutoff
    assert chosen.id not in again


def test_a_paper_patient_gets_a_copy_in_the_post(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    who = session_of(demo_engine, "Gwen", "Llewellyn-Jones")
    old = upcoming(uow, who)[0].appointment
    slot = next(s for s in m.reschedule_options(uow(), CLOCK, who, old.id, POLICY)
                if s.starts_at > FIXED_NOW + timedelta(days=7))  # a letter posted now arrives before it
    done = m.reschedule(uow(), CLOCK, who, old.id, slot.id, POLICY)
    assert done.posted and done.reschedules_left == 0
    with Session(demo_engine) as session:
        assert session.scalars(select(DocumentRow.post_status).where(
            DocumentRow.appointment_id == done.new.appointment.id)).one() == "queued"
    page = m.appointment_page(uow(), CLOCK, who, done.new.appointment.id, POLICY)
    assert page.decisions[Action.RESCHEDULE].blocker is Blocker.LIMIT_REACHED
    with pytest.raises(Refused, match="changed 2 times"):
        m.reschedule(uow(), CLOCK, who, done.new.appointment.id, slot.id, POLICY)
    with pytest.raises(Refused, match="already been changed"):
        m.reschedule(uow(), CLOCK, who, old.id, slot.id, POLICY)


def test_a_taken_slot_offers_the_nearest_and_changes_nothing(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    who = session_of(demo_engine, "Margaret", "Thompson")
    old = upcoming(uow, who)[0].appointment
    options = m.reschedule_options(uow(), CLOCK, who, old.id, POLICY)
    wanted = options[3]
    fiona = patient(demo_engine, "Fiona", "MacLeod").id
    with Session(demo_engine) as session:  # another terminal books it first
        other = session.get(AppointmentRow, old.id)
        session.add(AppointmentRow(**{c.name: getattr(other, c.name) for c in AppointmentRow.__table__.columns
                                      if c.name not in ("id", "reference", "slot_id", "patient_id", "rescheduled_from_id")},
                                   reference="TAKEN001", slot_id=wanted.id,
                                   patient_id=fiona))
        session.commit()
    texts_before = count(demo_engine, select(SmsMessageRow.id))
    with pytest.raises(m.SlotTaken) as caught:
        m.reschedule(uow(), CLOCK, who, old.id, wanted.id, POLICY)
    nearest = caught.value.nearest
    assert 0 < len(nearest) <= m.NEAREST and wanted.id not in {s.id for s in nearest}
    assert "just been taken" in str(caught.value)
    assert count(demo_engine, select(SmsMessageRow.id)) == texts_before
    with Session(demo_engine) as session:
        assert session.get(AppointmentRow, old.id).status == "booked"


def test_a_slot_of_another_clinician_is_refused(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    who = session_of(demo_engine, "Margaret", "Thompson")
    old = upcoming(uow, who)[0].appointment
    with Session(demo_engine) as session:
        foreign = session.scalars(select(SlotRow.id).where(SlotRow.clinician_id != old.clinician_id)).first()
    with pytest.raises(Refused, match="cannot be chosen"):
        m.reschedule(uow(), CLOCK, who, old.id, foreign, POLICY)


def test_cancel_discharges_frees_and_confirms(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    who = session_of(demo_engine, "Margaret", "Thompson")
    view = upcoming(uow, who)[0]
    a = view.appointment
    done = m.cancel(uow(), CLOCK, who, a.id, "  Feeling   much better  ", POLICY)
    assert done.reference.startswith("CX") and len(done.reference) == 10
    assert done.view.appointment.status_words == "Cancelled by you"
    with Session(demo_engine) as session:
        row = session.get(AppointmentRow, a.id)
        assert (row.status, row.cancelled_by, row.cancellation_reason, row.cancellation_reference) == (
            "cancelled_by_patient", CancelledBy.PATIENT.value, "Feeling much better", done.reference)
        assert session.get(ReferralRow, a.referral_id).status == "discharged"
        assert [t.template for t in session.scalars(select(SmsMessageRow).where(
            SmsMessageRow.appointment_id == a.id))] == ["cancellation_confirmation"]
        audit = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "cancel_appointment")).one()
        assert done.reference in audit.detail and "Feeling much better" in audit.detail
    with uow() as unit:
        assert unit.appointments.slot_is_free(a.slot_id)
    with pytest.raises(Refused, match="has been cancelled"):
        m.cancel(uow(), CLOCK, who, a.id, None, POLICY)


def test_another_patients_appointment_does_not_exist_for_you(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    margaret = session_of(demo_engine, "Margaret", "Thompson")
    theirs = upcoming(uow, session_of(demo_engine, "Stanley", "Hughes"))[0].appointment
    for attempt in (lambda: m.appointment_page(uow(), CLOCK, margaret, theirs.id, POLICY),
                    lambda: m.cancel(uow(), CLOCK, margaret, theirs.id, None, POLICY),
                    lambda: m.reschedule(uow(), CLOCK, margaret, theirs.id, theirs.slot_id, POLICY)):
        with pytest.raises(NotFound):
            attempt()
    assert count(demo_engine, select(AuditEventRow.id).where(AuditEventRow.outcome == "denied")) == 3
    with Session(demo_engine) as session:
        assert session.get(AppointmentRow, theirs.id).status == "booked"


def test_the_settings_limit_wins(demo_engine) -> None:  # type: ignore[no-untyped-def]
    uow = lambda: SqlUnitOfWork(session_factory(demo_engine))  # noqa: E731
    who = session_of(demo_engine, "Aisha", "Rahman")
    a = upcoming(uow, who)[0].appointment
    generous = OnlinePolicy(reschedule_limit=3)
    slot = m.reschedule_options(uow(), CLOCK, who, a.id, generous)[0]
    assert m.reschedule(uow(), CLOCK, who, a.id, slot.id, generous).new.appointment.times_rescheduled == 3
