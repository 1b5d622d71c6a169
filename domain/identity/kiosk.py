"""Kiosk rules: when an idle kiosk forgets its patient, and how the staff PIN guards the way out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum



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
