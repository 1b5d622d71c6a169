"""The pure parts of seeing and changing appointments: the settings' limit, days in London time, the nearest
other times, references and the status in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.appointments.rules import Action, Blocker, OnlinePolicy, decide
from domain.appointments.model import AppointmentStatus, CancelledBy
from domain.hospital import Slot
from domain.appointments.changes import NEAREST, nearest, free_days, new_reference
from tests.domain.test_appointment_rules import NOW, TRUST, booked, referral


@given(limit=st.integers(0, 6), times=st.integers(0, 6))
def test_the_settings_limit_decides(limit: int, times: int) -> None:
    policy = OnlinePolicy(reschedule_limit=limit)
    a = booked(times_rescheduled=times, reschedule_limit=2)
    decision = decide(Action.RESCHEDULE, a, referral(), TRUST, NOW, policy)
    assert bool(decision) is (times < limit)
    assert decision or decision.blocker is Blocker.LIMIT_REACHED
    assert decide(Action.CANCEL, a, referral(), TRUST, NOW, policy)  # the limit never stops a cancellation
    assert policy.reschedules_left(a) == max(0, limit - times)


def slot(n: int, at: datetime) -> Slot:
    return Slot(n, 1, 1, 1, at, 20)


def test_days_are_london_days() -> None:
    # 23.30 UTC in summer is 00.30 the next day in London; in winter it is the same day.
    summer = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    days = free_days([slot(2, winter), slot(1, summer)])
    assert [d.isoformat() for d in days] == ["2026-07-02", "2026-12-01"]


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=40, unique=True), st.integers(0, 10_000))
def test_the_nearest_are_closest_and_in_order(minutes: list[int], wanted: int) -> None:
    base = datetime(2026, 12, 1, 9, tzinfo=UTC)
    free = [slot(n, base + timedelta(minutes=m)) for n, m in enumerate(minutes)]
    target = slot(-1, base + timedelta(minutes=wanted))
    chosen = nearest(free, target)
    assert len(chosen) == min(NEAREST, len(free))
    assert chosen == sorted(chosen, key=lambda s: s.starts_at)
    worst = max(abs(s.starts_at - target.starts_at) for s in chosen)
    left_out = [s for s in free if s not in chosen]
    assert all(abs(s.starts_at - target.starts_at) >= worst for s in left_out)


def test_references_are_unambiguous() -> None:
    references = {new_reference("CX") for _ in range(200)}
    assert len(references) == 200
    for reference in references:
        assert reference.startswith("CX") and len(reference) == 10
        assert not set(reference[2:]) & set("01IO")


@pytest.mark.parametrize("status, by, words", [
    (AppointmentStatus.BOOKED, None, "Booked"),
    (AppointmentStatus.RESCHEDULED, None, "Moved to a new time"),
    (AppointmentStatus.ATTENDED, None, "Attended"),
    (AppointmentStatus.DID_NOT_ATTEND, None, "Not attended"),
    (AppointmentStatus.CANCELLED_BY_PATIENT, CancelledBy.PATIENT, "Cancelled by you"),
    (AppointmentStatus.CANCELLED_BY_PATIENT, CancelledBy.STAFF, "Cancelled for you by the Appointments team"),
    (AppointmentStatus.CANCELLED_BY_HOSPITAL, None, "Cancelled by the hospital"),
])
def test_status_in_words_says_who_cancelled(status: AppointmentStatus, by: CancelledBy | None, words: str) -> None:
    assert replace(booked(), status=status, cancelled_by=by).status_words == words
