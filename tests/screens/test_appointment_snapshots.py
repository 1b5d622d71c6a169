"""What each step of seeing, changing and cancelling an appointment looks like. Review changes as code."""

from __future__ import annotations

import itertools

import pytest

from domain.appointments import changes as my_appointments
from tests.screens.conftest import still_inputs
from tests.screens.flows import SMALL_SIZES
from tests.screens.pages import walk_to

SIZE = (100, 40)
AT_SMALL_SIZES = {"list", "page", "day", "check", "cancel-confirm"}
"""The appointment pages where the small sizes are what can go wrong."""


def steps_to(target: str, db, email: str):  # type: ignore[no-untyped-def]
    async def walk(pilot) -> None:  # type: ignore[no-untyped-def]
        await walk_to(pilot, target, db, email.removesuffix("@example.com"))
        still_inputs(pilot.app)
        await pilot.pause()

    return walk


@pytest.mark.parametrize("target, who", [
    ("list", "sandeep.gill"), ("page", "margaret.thompson"), ("blocked-transport", "harold.finch"),
    ("blocked-ers", "oluwaseun.adebayo"), ("blocked-limit", "aisha.rahman"), ("day", "margaret.thompson"),
    ("time", "margaret.thompson"), ("check", "margaret.thompson"), ("changed", "margaret.thompson"),
    ("cancel-warning", "margaret.thompson"), ("cancel-confirm", "margaret.thompson"),
    ("cancel-word-missing", "margaret.thompson"), ("cancelled", "margaret.thompson"), ("letter", "margaret.thompson"),
])
def test_step(snap_sizes, kiosk_on, demo_db, monkeypatch, target: str, who: str) -> None:  # type: ignore[no-untyped-def]
    serial = itertools.count(1)
    monkeypatch.setattr(my_appointments, "new_reference", lambda prefix: f"{prefix}TEST{next(serial):04d}")
    sizes = [SIZE, *SMALL_SIZES] if target in AT_SMALL_SIZES else [SIZE]
    assert snap_sizes(kiosk_on(demo=False), sizes, steps_to(target, demo_db, f"{who}@example.com"))
