"""Kiosk rules: when an idle kiosk forgets its patient, and how the staff PIN guards the way out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from domain.audit import Outcome
from domain.formatting import nhs_time
from domain.limits import Lockout, lockout
from domain.ports import Clock, UnitOfWork
from domain.verification import kiosk_audit

STAFF_PIN = Lockout("staff_pin_failure", every=5, first=timedelta(minutes=1), hard_stop=10**9,
                    longest=timedelta(hours=1))
"""Five wrong PINs lock the way out for a minute, then two, four… up to an hour; counted per terminal in the
database, so a restart forgets nothing."""


class IdleState(StrEnum):
    """Where an unattended kiosk stands."""

    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class IdlePolicy:
    """Idle for `timeout` seconds ends the session; from `warn_after` the screen warns first."""

    timeout: float = 120
    warn_after: float = 90

    def state(self, idle_seconds: float) -> IdleState:
        """The state after `idle_seconds` without a key press or click."""
        if idle_seconds >= self.timeout:
            return IdleState.EXPIRED
        if idle_seconds >= self.warn_after:
            return IdleState.WARNING
        return IdleState.ACTIVE

    @classmethod
    def for_timeout(cls, timeout: float) -> IdlePolicy:
        """Warn at three quarters of the timeout, leaving at least 20 seconds to carry on."""
        warn = min(timeout * 0.75, timeout - 20)
        return cls(timeout=timeout, warn_after=max(0.0, warn))


def check_staff_pin(uow: UnitOfWork, clock: Clock, matches: Callable[[str], bool], typed: str) -> tuple[bool, str]:
    """(accepted, message for the screen). Every try is audited, and the right PIN is the staff exit's record."""
    with uow:
        subject = uow.limits.subject("staff-pin", uow.limits.terminal)
        uow.limits.hold(subject)
        now = clock.now()
        failures = uow.limits.times(STAFF_PIN.name, subject)
        gate = lockout(STAFF_PIN, failures, now)
        right = matches(typed)  # checked even while locked: every try takes the same time
        if not gate:
            uow.audit.record(kiosk_audit(clock, "staff_pin", Outcome.DENIED, None, "locked"))
            uow.commit()
            return False, _locked(gate.retry_at)
        if right:
            uow.limits.clear(STAFF_PIN.name, subject)
            uow.audit.record(kiosk_audit(clock, "staff_exit", Outcome.SUCCESS, None, "kiosk closed by staff PIN"))
            uow.commit()
            return True, ""
        uow.limits.add(STAFF_PIN.name, subject, now)
        after = lockout(STAFF_PIN, [*failures, now], now)
        uow.audit.record(kiosk_audit(clock, "staff_pin", Outcome.DENIED, None,
                                     "wrong PIN" if after else "wrong PIN; locked"))
        uow.commit()
        return (False, "That PIN is not right.") if after else (False, _locked(after.retry_at))


def _locked(until) -> str:  # type: ignore[no-untyped-def]
    return f"Too many wrong PINs. Try again after {nhs_time(until)}." if until else "Too many wrong PINs."


@dataclass(slots=True)
class StaffPinGate:
    """The way out when the database cannot be reached (staff may need to leave a kiosk for exactly that):
    after `max_tries` wrong PINs it refuses every try for `lockout` seconds, in memory."""

    matches: Callable[[str], bool]
    max_tries: int = 5
    lockout: float = 60.0
    wrong_tries: int = 0
    locked_until: float = 0.0

    def check(self, typed: str, now: float) -> tuple[bool, str]:
        """(accepted, message for the screen). `now` is a monotonic clock reading."""
        if now < self.locked_until:
            return False, f"Too many wrong PINs. Try again in {int(self.locked_until - now) + 1} seconds."
        if self.matches(typed):
            self.wrong_tries = 0
            return True, ""
        self.wrong_tries += 1
        if self.wrong_tries >= self.max_tries:
            self.wrong_tries = 0
            self.locked_until = now + self.lockout
            return False, f"Too many wrong PINs. Try again in {int(self.lockout)} seconds."
        return False, "That PIN is not right."
