"""Clocks for the Clock port: the real one, and a fixed one that tests and snapshots move by hand."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    LONDON: ZoneInfo
    """Times are stored in UTC and shown in the hospital's time."""


def __getattr__(name: str) -> ZoneInfo:
    """LONDON, made when first asked for: the kiosk's first page shows no time, and the time-zone database
    (zoneinfo, sysconfig) would be a hundredth of its start-up."""
    if name != "LONDON":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from zoneinfo import ZoneInfo

    zone = globals()["LONDON"] = ZoneInfo("Europe/London")
    return zone


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
