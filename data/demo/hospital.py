"""The demo hospital's calendar. Its places and people (two trusts, five sites, twelve clinics, their clinicians
and sessions) are reference data, in reference.toml beside this file."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from domain.clock import LONDON

HORIZON_DAYS = 84


def london(day: date, at: time) -> datetime:
    """A clinic time on a given day, in UTC (clinics keep London hours through the clock change)."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)
