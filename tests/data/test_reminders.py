"""Reminders on the real database: the right appointments, once each — also when runs overlap — not at night,
nothing clinical unless the clinic is safe to name, and withdrawn when an appointment changes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.models import AppointmentRow, ClinicRow, SmsMessageRow
from data.messaging.reminders import queue_reminders, withdraw_reminders
from domain.messaging.wording import SMS_FRAGMENT, sms_when
from tests.conftest import FIXED_NOW

OFFSETS = (7, 1)


def reminders(engine) -> list[SmsMessageRow]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        rows = session.scalars(select(SmsMessageRow).where(SmsMessageRow.template == "reminder")).all()
        session.expunge_all()
        return list(rows)


def booked_within(engine, days: int) -> set[int]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return set(session.scalars(select(AppointmentRow.id).where(
            AppointmentRow.status == "booked", AppointmentRow.starts_at > FIXED_NOW,
            AppointmentRow.starts_at <= FIXED_NOW + timedelta(days=days))))


def test_reminders_for_booked_appointments_only_and_once(demo_engine) -> None:  # type: ignore[no-untyped-def]
    first = queue_reminders(demo_engine, FIXED_NOW, OFFSETS)
    assert first.queued > 0
    again = queue_reminders(demo_engine, FIXED_NOW, OFFSETS)
    assert again.queued == 0 and again.already_queued == first.queued
    queued = reminders(demo_engine)
    assert len({r.dedupe_key for r in queued}) == len(queued)
    with Session(demo_engine) as session:
        statuses = {session.get(AppointmentRow, r.appointment_id).status for r in queued}
    assert statuses == {"booked"}
    assert {r.appointment_id for r in queued} <= booked_within(demo_engine, 8)
    assert booked_within(demo_engine, 1) <= {r.appointment_id for r in queued}


def test_overlapping_runs_queue_each_reminder_once(demo_engine) -> None:  # type: ignore[no-untyped-def]
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            queue_reminders(demo_engine, FIXED_NOW, OFFSETS)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    keys = [r.dedupe_key for r in reminders(demo_engine)]
    assert keys and len(keys) == len(set(keys))


def test_no_reminder_goes_between_9pm_and_8am(demo_engine) -> None:  # type: ignore[no-untyped-def]
    late = datetime(2026, 11, 24, 22, 15, tzinfo=UTC)
    queue_reminders(demo_engine, late, OFFSETS)
    for reminder in reminders(demo_engine):
        local_hour = reminder.send_after.astimezone(UTC).hour  # GMT in November
        assert 8 <= local_hour < 21, reminder.send_after


def test_reminders_say_when_and_where_in_one_text_and_name_only_safe_clinics(demo_engine) -> None:  # type: ignore[no-untyped-def]
    queue_reminders(demo_engine, FIXED_NOW + timedelta(days=30), OFFSETS, lookahead=timedelta(days=60))
    with Session(demo_engine) as session:
        for reminder in reminders(demo_engine):
            appointment = session.get(AppointmentRow, reminder.appointment_id)
            clinic = session.get(ClinicRow, appointment.clinic_id)
            assert len(reminder.body) <= SMS_FRAGMENT, reminder.body
            assert sms_when(appointment.starts_at) in reminder.body
            assert (clinic.name in reminder.body) == clinic.name_safe_in_sms
            assert clinic.specialty not in reminder.body or clinic.name_safe_in_sms


def test_changing_an_appointment_withdraws_its_waiting_reminders(demo_engine) -> None:  # type: ignore[no-untyped-def]
    queue_reminders(demo_engine, FIXED_NOW, OFFSETS)
    target = reminders(demo_engine)[0].appointment_id
    with Session(demo_engine) as session, session.begin():
        session.execute(update(AppointmentRow).where(AppointmentRow.id == target).values(status="cancelled_by_patient",
                                                                                         cancelled_by="patient"))
        assert withdraw_reminders(session, target) >= 1
    assert {r.status for r in reminders(demo_engine) if r.appointment_id == target} == {"withdrawn"}
    queue_reminders(demo_engine, FIXED_NOW, OFFSETS)  # a later run does not queue it again
    assert {r.status for r in reminders(demo_engine) if r.appointment_id == target} == {"withdrawn"}


def test_after_a_restore_a_reminder_due_before_it_is_queued_held(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """Issue 36, finding 5 (both databases: `db restored` after pg_restore does the same): a reminder the live
    database could have sent before the restore waits for a person; one due after it is queued as ever."""
    from data.backup import hold_after_restore
    from domain.clock import LONDON

    restored = FIXED_NOW - timedelta(hours=1)  # after the 7-day reminders of the 30th were due, before tomorrow's
    hold_after_restore(demo_engine, restored, "a test")
    queue_reminders(demo_engine, FIXED_NOW, OFFSETS)
    queued = reminders(demo_engine)
    with Session(demo_engine) as session:
        starts = {r.appointment_id: session.get(AppointmentRow, r.appointment_id).starts_at for r in queued}
    for r in queued:
        days = int(r.dedupe_key.rsplit(":", 1)[1].removesuffix("d"))
        due = starts[r.appointment_id].astimezone(LONDON) - timedelta(days=days)
        assert r.status == ("held" if due <= restored else "queued"), (r.dedupe_key, due)
    assert {r.status for r in queued} == {"held", "queued"}
