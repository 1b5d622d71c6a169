"""Many terminals at once, for real: threads and processes race to move and cancel appointments into a clinic's
few free times, on SQLite and PostgreSQL. Afterwards no slot holds two live bookings, no booking is past its
limit, every success left exactly one text and every failure none, and every loser got words, not a traceback."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import LIVE_STATUS_SQL, AppointmentRow, SmsMessageRow
from tests.data.races import Tally, busy_clinic, work


def race(url: str, engine, *, workers: int, attempts: int, processes: bool, limit: int, patients: int = 12,  # type: ignore[no-untyped-def]
         slots: int = 20, cancel_share: float = 0.01) -> Tally:
    patient_ids, slot_ids = busy_clinic(engine, patients, slots)
    jobs = [(url, seed, attempts, patient_ids, slot_ids, limit, cancel_share) for seed in range(workers)]
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) if processes else \
        ThreadPoolExecutor(workers)
    total = Tally()
    with pool:
        for tally in pool.map(work, *zip(*jobs)):
            total.add(tally)
    check_invariants(engine, total, limit)
    return total


def check_invariants(engine, total: Tally, limit: int) -> None:  # type: ignore[no-untyped-def]
    assert total.unexpected == [], total.unexpected[:5]
    with Session(engine) as s:
        doubled = s.execute(select(AppointmentRow.slot_id, func.count()).where(
            AppointmentRow.status.in_(("booked", "attended", "did_not_attend")))
            .group_by(AppointmentRow.slot_id).having(func.count() > 1)).all()
        assert doubled == [], f"slots with two live bookings: {doubled}"
        assert LIVE_STATUS_SQL  # the same statuses the unique index covers
        assert s.scalar(select(func.max(AppointmentRow.times_rescheduled))) <= limit
        per_patient = Counter(s.scalars(select(AppointmentRow.patient_id).where(AppointmentRow.status == "booked")))
        assert max(per_patient.values(), default=0) <= 1, "a patient ended up with two bookings"
        texts = Counter((t.template, t.appointment_id) for t in s.scalars(select(SmsMessageRow)))
        assert texts == Counter([("reschedule_confirmation", i) for i in total.rescheduled_to]
                                + [("cancellation_confirmation", i) for i in total.cancelled])
        for row in s.scalars(select(AppointmentRow).where(AppointmentRow.status == "rescheduled")):
            successor = s.get(AppointmentRow, row.rescheduled_to_id)
            assert successor is not None and successor.rescheduled_from_id == row.id
            assert successor.times_rescheduled == row.times_rescheduled + 1


def test_threads_race_for_few_free_times(database_url, engine) -> None:  # type: ignore[no-untyped-def]
    total = race(database_url, engine, workers=8, attempts=80, processes=False, limit=1000)
    assert sum(total.outcomes.values()) == 640
    assert total.outcomes["rescheduled"] > 50 and total.outcomes["slot taken"] > 50, total.outcomes


def test_processes_race_for_few_free_times(database_url, engine) -> None:  # type: ignore[no-untyped-def]
    total = race(database_url, engine, workers=4, attempts=130, processes=True, limit=1000)
    assert sum(total.outcomes.values()) == 520
    assert total.outcomes["rescheduled"] > 50 and total.outcomes["slot taken"] > 50, total.outcomes


def test_one_appointment_moved_by_many_at_once_stops_at_its_limit(database_url, engine) -> None:  # type: ignore[no-untyped-def]
    total = race(database_url, engine, workers=8, attempts=40, processes=False, limit=2, patients=1, slots=30,
                 cancel_share=0.0)
    assert total.outcomes["rescheduled"] == 2, total.outcomes
    assert total.outcomes["Refused"] == 320 - 2 - total.outcomes["slot taken"]
