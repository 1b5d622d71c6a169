"""Limits against abuse, one mechanism for all: named limits, counted per subject in the database (so every
terminal shares them), decided here by pure functions of (the events so far, now) → a decision.

A subject is whatever is being protected — a record, a mobile number, an address typed at sign-in, a terminal —
as a key the caller makes (keyed-hashed where it is personal: an unknown address is counted like a real one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` events in any `window`."""

    name: str
    count: int
    window: timedelta


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether one more is allowed now; if not, from when (None: not until staff reopen it)."""

    allowed: bool
    retry_at: datetime | None = None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def within(limit: Limit, events: Sequence[datetime], now: datetime) -> Decision:
    """A sliding window: allowed while fewer than `count` events fall in the last `window`."""
    recent = sorted(at for at in events if now - limit.window < at <= now)
    if len(recent) < limit.count:
        return Decision(True)
    # The next one is allowed once enough of these have aged out of the window.
    return Decision(False, recent[len(recent) - limit.count] + limit.window, limit.name)


@dataclass(frozen=True, slots=True)
class Lockout:
    """Failures that lock a door for longer each time: `every` failures lock it for `first`, then twice as long
    after each further `every`, and after `hard_stop` failures it stays shut until staff reopen it."""

    name: str
    every: int
    first: timedelta
    hard_stop: int
    longest: timedelta = timedelta(days=1)


def lockout(rule: Lockout, failures: Sequence[datetime], now: datetime) -> Decision:
    """Failures since the door last opened (a success, or staff reopening it) decide; nothing resets on a lock."""
    ordered = sorted(failures)
    if len(ordered) >= rule.hard_stop:
        return Decision(False, None, f"{rule.name}: stopped after {rule.hard_stop} failures")
    locks = len(ordered) // rule.every
    if locks == 0:
        return Decision(True)
    locked_at = ordered[locks * rule.every - 1]
    until = locked_at + min(rule.first * (2 ** (locks - 1)), rule.longest)
    if now < until:
        return Decision(False, until, f"{rule.name}: locked")
    return Decision(True)


@dataclass(frozen=True, slots=True)
class LimitRules:
    """The numbers, from settings. Each limit names the event it counts; two limits may count one event."""

    wrong_codes: Limit = Limit("wrong_code", 20, timedelta(days=1))
    """Wrong codes on one record (per purpose) in a day; past it the route is closed until the day has passed
    or the Appointments team reopens it."""
    texts_per_mobile_hour: Limit = Limit("text_to_mobile", 5, timedelta(hours=1))
    texts_per_mobile_day: Limit = Limit("text_to_mobile", 10, timedelta(days=1))
    """Codes texted to one mobile number, whichever records and purposes asked for them."""
    texts_per_terminal_hour: Limit = Limit("text_from_terminal", 30, timedelta(hours=1))
    identity_failures: Limit = Limit("identity_failure", 5, timedelta(hours=1))
    """Failed matches on one NHS number, hospital number or invitation code."""
    identity_failures_per_terminal: Limit = Limit("identity_failure_at_terminal", 20, timedelta(hours=1))
    identity_failures_per_person: Limit = Limit("identity_failure_for_person", 20, timedelta(days=1))
    """Failed matches on one person, whichever of their numbers (NHS, hospital, invitation) named them: a date of
    birth is not guessed by taking each number's allowance in turn."""
    email_in_use_per_terminal: Limit = Limit("email_in_use_at_terminal", 5, timedelta(hours=1))
    reports_per_terminal: Limit = Limit("problem_report_at_terminal", 3, timedelta(minutes=10))
    reports_per_patient: Limit = Limit("problem_report_by_patient", 5, timedelta(days=1))
    """Problem reports: a public kiosk is not a way to flood the support inbox."""
    sign_in: Lockout = Lockout("sign_in_failure", every=10, first=timedelta(minutes=15), hard_stop=100)
    """Wrong passwords and wrong sign-in codes for one address, real or not."""
    sign_in_failures_per_terminal: Limit = Limit("sign_in_failure_at_terminal", 30, timedelta(hours=1))
    """Failed sign-ins at one kiosk across every address: one password tried on many addresses gets nowhere."""


def first_refusal(*decisions: Decision) -> Decision:
    """The first limit that says no (the latest retry time among those that do), or allowed."""
    refused = [d for d in decisions if not d.allowed]
    if not refused:
        return Decision(True)
    if any(d.retry_at is None for d in refused):
        return next(d for d in refused if d.retry_at is None)
    return max(refused, key=lambda d: d.retry_at)  # type: ignore[arg-type, return-value]
