"""The invariants hold in the database itself: one live booking per slot, never past the reschedule limit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from tests.data.builders import booking, tiny_hospital


def test_a_slot_holds_one_live_booking(engine) -> None:  # type: ignore[no-untyped-def]
    ids = tiny_hospital(engine)
    with Session(engine) as s:
        s.add(booking(ids, 1, "WH1"))
        s.commit()
        s.add(booking(ids, 2, "WH2"))
        with pytest.raises(IntegrityError):
            s.commit()


def test_a_cancelled_or_rescheduled_booking_gives_its_slot_back(engine) -> None:  # type: ignore[no-untyped-def]
    ids = tiny_hospital(engine, patients=3)
    with Session(engine) as s:
        s.add(booking(ids, 1, "WH1", status="cancelled_by_patient", cancelled_by="patient"))
        s.add(booking(ids, 2, "WH2", status="rescheduled"))
        s.add(booking(ids, 3, "WH3"))
        s.commit()


@pytest.mark.parametrize("overrides", [
    {"times_rescheduled": 3, "reschedule_limit": 2},
    {"times_rescheduled": -1},
    {"status": "lost"},
    {"kind": "home_visit"},
    {"cancelled_by": "someone"},
    {"duration_minutes": 0},
])
def test_impossible_bookings_are_refused(engine, overrides: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    ids = tiny_hospital(engine)
    with Session(engine) as s:
        s.add(booking(ids, 1, "WH1", **overrides))
        with pytest.raises(IntegrityError):
            s.commit()


def test_racing_terminals_never_double_book_a_slot(engine) -> None:  # type: ignore[no-untyped-def]
    """Sixteen threads, each its own connection, all try to book the same slot at once: exactly one wins."""
    ids = tiny_hospital(engine, patients=16)
    start = threading.Barrier(16)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        start.wait()
        try:
            with Session(engine) as s:
                s.add(booking(ids, n, f"WH{n}"))
                s.commit()
            result = "booked"
        except (IntegrityError, OperationalError) as error:
            result = "refused" if isinstance(error, IntegrityError) else f"error: {error}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(1, 17)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["refused"] * 15
