"""Clocks for the Clock port: the real one, and a fixed one that tests and snapshots move by hand."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
"""Times are stored in UTC and shown in the hospital's time."""


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


@dataclass
class FixedClock:
    """A clock that stands still until `advance` moves it."""

    instant: datetime = field(default_factory=lambda: datetime(2026, 11, 24, 9, 30, tzinfo=UTC))
    ticks: float = 1000.0

    def now(self) -> datetime:
        return self.instant

    def monotonic(self) -> float:
        return self.ticks

    def advance(self, seconds: float) -> None:
        """Move both readings on by `seconds`."""
        self.instant += timedelta(seconds=seconds)
        self.ticks += seconds
