"""Dates and times in the NHS style, in London time across the clock changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.formatting import nhs_datetime, nhs_time


@pytest.mark.parametrize("utc, shown", [
    (datetime(2025, 8, 6, 8, 30, tzinfo=UTC), "Wednesday 6 August 2025, 9.30am"),  # BST
    (datetime(2026, 11, 24, 9, 30, tzinfo=UTC), "Tuesday 24 November 2026, 9.30am"),  # GMT
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Sunday 29 March 2026, 2am"),  # the hour the clocks go forward
    (datetime(2026, 1, 5, 23, 45, tzinfo=UTC), "Monday 5 January 2026, 11.45pm"),
])
def test_nhs_style(utc: datetime, shown: str) -> None:
    assert nhs_datetime(utc) == shown


def test_noon_and_midnight() -> None:
    assert nhs_time(datetime(2026, 1, 5, 12, 0, tzinfo=UTC)) == "12 noon"
    assert nhs_time(datetime(2026, 1, 5, 0, 0, tzinfo=UTC)) == "12am"
