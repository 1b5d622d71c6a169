"""The limits' pure rules, as tables of (events so far, now) → decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.limits import Decision, Limit, Lockout, first_refusal, lockout, within

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
HOURLY = Limit("text_to_mobile", 5, timedelta(hours=1))
SIGN_IN = Lockout("sign_in_failure", every=10, first=timedelta(minutes=15), hard_stop=100)


@pytest.mark.parametrize("events, now, allowed, retry_at", [
    ([], T0, True, None),
    ([T0 - i * M for i in range(4)], T0, True, None),
    ([T0 - i * M for i in range(5)], T0, False, T0 - 4 * M + timedelta(hours=1)),
    ([T0 - i * M for i in range(5)], T0 + 56 * M + timedelta(seconds=1), True, None),  # the oldest aged out
    ([T0 - timedelta(hours=2)] * 50, T0, True, None),  # long ago does not count
    ([T0 + M] * 5, T0, True, None),  # the future (a skewed clock) does not count either
])
def test_a_sliding_window(events, now, allowed, retry_at) -> None:  # type: ignore[no-untyped-def]
    decision = within(HOURLY, events, now)
    assert decision.allowed is allowed and decision.retry_at == retry_at


def failures(n: int, every: timedelta = M) -> list[datetime]:
    return [T0 + i * every for i in range(n)]


@pytest.mark.parametrize("n, minutes_after_last, allowed, lock_minutes", [
    (9, 0, True, None),
    (10, 0, False, 15),
    (10, 15, True, None),  # served its 15 minutes
    (19, 0, False, 15),  # still inside the first lock (failures a minute apart)
    (19, 20, True, None),  # the count does not go back to 0 on a lock...
    (20, 0, False, 30),  # ...so the tenth more locks again, twice as long
    (30, 0, False, 60),
    (30, 60, True, None),
    (99, 0, False, 24 * 60),  # capped at a day
    (100, 0, False, None),  # the hard stop: only staff reopen it
    (100, 60 * 24 * 365, False, None),
])
def test_lockouts_that_lengthen_and_a_hard_stop(n, minutes_after_last, allowed, lock_minutes) -> None:  # type: ignore[no-untyped-def]
    events = failures(n)
    now = events[-1] + minutes_after_last * M
    decision = lockout(SIGN_IN, events, now)
    assert decision.allowed is allowed
    if lock_minutes is not None:
        locked_by = events[(n // SIGN_IN.every) * SIGN_IN.every - 1]
        assert decision.retry_at == locked_by + lock_minutes * M
    elif not allowed:
        assert decision.retry_at is None


def test_the_longest_lock_is_capped_at_a_day() -> None:
    decision = lockout(SIGN_IN, failures(90), T0 + 90 * M)
    assert decision.retry_at == T0 + 89 * M + timedelta(days=1)


def test_the_refusal_that_lasts_longest_is_the_one_given() -> None:
    soon, later, never = Decision(False, T0 + M, "a"), Decision(False, T0 + 5 * M, "b"), Decision(False, None, "c")
    assert first_refusal(Decision(True), Decision(True)).allowed
    assert first_refusal(soon, later) == later
    assert first_refusal(soon, never, later) == never
