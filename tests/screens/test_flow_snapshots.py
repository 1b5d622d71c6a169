"""What each step of registering, signing in and My Details looks like. Review changes as code."""

from __future__ import annotations

import pytest

from tests.screens.conftest import still_inputs
from tests.screens.flows import ALL_SIZES
from tests.screens.pages import walk_to

SIZE = (100, 34)
AT_EVERY_SIZE = {"register-start", "sign-in", "home", "my-details"}


def steps_to(target: str, db, who: str = "margaret.thompson"):  # type: ignore[no-untyped-def]
    """A run_before that walks the kiosk to `target`, the way a patient would."""

    async def walk(pilot) -> None:  # type: ignore[no-untyped-def]
        await walk_to(pilot, target, db, who)
        still_inputs(pilot.app)
        await pilot.pause()

    return walk


@pytest.mark.parametrize("target", [
    "register-start", "register-errors", "register-verify", "register-account", "register-letters",
    "register-check", "registered", "sign-in", "sign-in-code", "home", "my-details", "confirm",
    "idle-warning", "session-ended",
])
def test_step(snap_sizes, kiosk_on, demo_db, target: str) -> None:  # type: ignore[no-untyped-def]
    # demo=False: the demo phone would show a random code, and the snapshot would never match.
    sizes = [SIZE, *ALL_SIZES] if target in AT_EVERY_SIZE else [SIZE]
    assert snap_sizes(kiosk_on(demo=False), sizes, steps_to(target, demo_db))
