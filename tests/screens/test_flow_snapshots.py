"""What each step of registering, signing in and My Details looks like. Review changes as code."""

from __future__ import annotations

import pytest

from tests.screens.conftest import still_inputs
from tests.screens.flows import ALL_SIZES, click_on, fill, last_code, press_continue, settle, signed_in

SIZE = (100, 34)
AT_EVERY_SIZE = {"register-start", "sign-in", "home", "my-details"}


def steps_to(target: str, db):  # type: ignore[no-untyped-def]
    """A run_before that walks the kiosk to `target`, the way a patient would."""

    async def walk(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()  # the welcome screen is still being composed when run_before starts
        if target.startswith("register"):
            await click_on(pilot, "#register-code")
            if target == "register-errors":
                await fill(pilot, code="abc", dob="31 2 2000")
                await press_continue(pilot)
            if target in ("register-verify", "register-account", "register-letters", "register-check", "registered"):
                await fill(pilot, code="DEMO-GR4C", dob="25 9 2000")
                await press_continue(pilot)
            if target in ("register-account", "register-letters", "register-check", "registered"):
                await fill(pilot, code=last_code(db))
                await press_continue(pilot)
            if target in ("register-letters", "register-check", "registered"):
                await fill(pilot, email="grace@example.org", password="violet tractor lamp",
                           password_again="violet tractor lamp")
                await press_continue(pilot)
            if target in ("register-check", "registered"):
                await click_on(pilot, "#paperless")
                await press_continue(pilot)
            if target == "registered":
                await press_continue(pilot)
        elif target in ("sign-in", "sign-in-code"):
            await click_on(pilot, "#sign-in")
            if target != "sign-in":
                await fill(pilot, email="margaret.thompson@example.com", password="kiosk-demo-2026")
                await press_continue(pilot)
        else:  # the pages of a session (signing in itself is walked above, and in test_session)
            await signed_in(pilot, db, "margaret.thompson@example.com")
            if target in ("my-details", "confirm"):
                await click_on(pilot, "#my-details")
            if target == "confirm":
                await click_on(pilot, "#switch-letters")
            if target == "idle-warning":
                pilot.app.clock.advance(95)
                pilot.app.check_inactivity()
            if target == "session-ended":
                pilot.app.clock.advance(200)
                pilot.app.check_inactivity()
        await settle(pilot)
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
