"""One real kiosk or desk, driven by the Pilot in a process of its own for a set time, against a shared database.

    python -m tests.soak.driver kiosk EMAIL SECONDS SEED OUT.json
    python -m tests.soak.driver desk USERNAME:TOTP_SECRET SECONDS SEED OUT.json HOSPITAL_NUMBER...

A kiosk signs its patient in (the code from the demo phone, as a person reads it) and moves their appointment to
another free time, over and over, and now and then cancels it; a desk signs its member of staff in and opens
records with a reason. What each did, and anything unexpected, goes to OUT.json as one object."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from textual.widgets import Button, Input, OptionList

from domain.clock import SystemClock
from portal_tui.app import KioskApp
from portal_tui.desk_app import DeskApp
from screens.common.appointments import AppointmentScreen, AppointmentsScreen
from screens.common.cancel import CancelConfirmScreen, CancelledScreen, CancelWarningScreen
from screens.common.confirm import ConfirmScreen
from screens.common.reason import ReasonScreen
from screens.common.reschedule import CheckChangeScreen, RescheduleDayScreen, RescheduledScreen, RescheduleTimeScreen
from screens.desk.find_patient import FindPatientScreen
from screens.desk.record import PatientRecordScreen
from screens.kiosk.home import HomeScreen
from screens.kiosk.verify_code import SignInCodeScreen
from tests.screens.flows import click_on, fill, kiosk_settings, press_continue, screen_text, settle

SIZE = (100, 36)


class Tally:
    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.moved: list[str] = []
        """References of the appointments this process moved (the old ones)."""
        self.cancelled: list[str] = []
        self.opened = 0
        self.unexpected: list[str] = []

    def as_json(self, faults: int, seconds: float) -> str:
        return json.dumps({"outcomes": self.outcomes, "moved": self.moved, "cancelled": self.cancelled,
                           "opened": self.opened, "unexpected": self.unexpected, "faults": faults,
                           "seconds": seconds})


async def _until(pilot, test, tries: int = 600) -> bool:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if test():
            return True
        await pilot.pause(0.02)
    return False


async def _press(pilot, selector: str) -> None:  # type: ignore[no-untyped-def]
    button = pilot.app.screen.query_one(selector, Button)
    button.focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    await pilot.pause()


def _code(app: KioskApp) -> str | None:
    for note in reversed(list(app._notifications)):
        found = re.search(r"(\d{6}) is your", note.message)
        if found:
            return found.group(1)
    return None


async def _kiosk_sign_in(pilot, email: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    app.clear_notifications()
    await click_on(pilot, "#sign-in")
    await fill(pilot, email=email, password=os.environ["SOAK_PATIENT_PASSWORD"])
    await press_continue(pilot)
    if not await _until(pilot, lambda: isinstance(app.screen, SignInCodeScreen) and _code(app)):
        raise RuntimeError(f"no code page: {screen_text(app)[:300]}")
    await fill(pilot, code=_code(app))
    await press_continue(pilot)
    if not await _until(pilot, lambda: isinstance(app.screen, HomeScreen)):
        raise RuntimeError(f"not signed in: {screen_text(app)[:300]}")


async def _home(pilot) -> None:  # type: ignore[no-untyped-def]
    while not isinstance(pilot.app.screen, HomeScreen) and len(pilot.app.screen_stack) > 2:
        pilot.app.pop_screen()
        await pilot.pause()


async def kiosk(email: str, seconds: float, rng: random.Random, tally: Tally) -> int:
    app = KioskApp(kiosk_settings(database_url=os.environ["PORTAL_DATABASE_URL"]), SystemClock())
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + seconds
        await _kiosk_sign_in(pilot, email)
        while time.monotonic() < deadline:
            if app.patient_session is None:  # the 15-minute limit: sign in again, as the patient would
                await click_on(pilot, "#done")
                await _kiosk_sign_in(pilot, email)
            await _home(pilot)
            await _press(pilot, "#appointments")
            if not isinstance(app.screen, AppointmentsScreen):
                tally.unexpected.append(f"no appointments page: {screen_text(app)[:200]}")
                break
            lists = app.screen.query("#upcoming").results(OptionList)
            upcoming = next(lists, None)
            if upcoming is None or upcoming.option_count == 0:  # all cancelled: the page says there are none
                tally.outcomes["nothing left to change"] += 1
                break
            upcoming.focus()
            upcoming.highlighted = 0
            await pilot.press("enter")
            await settle(pilot)
            if not await _until(pilot, lambda: isinstance(app.screen, AppointmentScreen)):
                tally.unexpected.append(f"no appointment page: {screen_text(app)[:200]}")
                break
            reference = app.screen.page.view.appointment.reference
            if rng.random() < 0.1 and app.screen.query("#cancel"):
                await _cancel(pilot, reference, tally)
            elif app.screen.query("#reschedule"):
                await _move(pilot, rng, reference, tally)
            else:
                tally.outcomes["cannot be changed online"] += 1
                break
    return len(app.faults)


async def _move(pilot, rng: random.Random, reference: str, tally: Tally) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await _press(pilot, "#reschedule")
    if not isinstance(app.screen, RescheduleDayScreen):
        tally.outcomes["no free day"] += 1
        return
    await pilot.press(*["down"] * rng.randrange(3), "enter")
    await settle(pilot)
    if not await _until(pilot, lambda: isinstance(app.screen, RescheduleTimeScreen), tries=100):
        tally.outcomes["no free time"] += 1
        return
    await pilot.press(*["down"] * rng.randrange(3), "enter")
    await settle(pilot)
    if not await _until(pilot, lambda: isinstance(app.screen, CheckChangeScreen), tries=100):
        tally.outcomes["no time chosen"] += 1
        return
    await _press(pilot, "#confirm")
    await _until(pilot, lambda: not isinstance(app.screen, CheckChangeScreen), tries=300)
    if isinstance(app.screen, RescheduledScreen):
        tally.outcomes["moved"] += 1
        tally.moved.append(reference)
    elif isinstance(app.screen, RescheduleTimeScreen) and "just been taken" in screen_text(app):
        tally.outcomes["slot taken"] += 1
    else:
        tally.outcomes["refused"] += 1


async def _cancel(pilot, reference: str, tally: Tally) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await _press(pilot, "#cancel")
    if isinstance(app.screen, CancelWarningScreen):
        await _press(pilot, "#continue")
    if not isinstance(app.screen, CancelConfirmScreen):
        tally.unexpected.append(f"no cancel page: {screen_text(app)[:200]}")
        return
    await fill(pilot, reason="Soak test", confirm_word="CANCEL")
    app.screen.query_one("#confirm-word-input", Input).focus()
    await pilot.press("enter")
    await settle(pilot)
    await _until(pilot, lambda: not isinstance(app.screen, CancelConfirmScreen), tries=300)
    if isinstance(app.screen, CancelledScreen):
        tally.outcomes["cancelled"] += 1
        tally.cancelled.append(reference)
    else:
        tally.outcomes["cancel refused"] += 1


async def desk(who: str, seconds: float, rng: random.Random, tally: Tally, numbers: list[str]) -> int:
    import pyotp

    username, secret = who.split(":", 1)
    settings = kiosk_settings(database_url=os.environ["PORTAL_DATABASE_URL"],
                              staff_secret_key=os.environ["SOAK_STAFF_KEY"],
                              desk_service=os.environ.get("SOAK_DESK_SERVICE", ""))  # half the desks are served
    app = DeskApp(settings, SystemClock())
    async with app.run_test(size=SIZE) as pilot:
        await fill(pilot, username=username, password=os.environ["SOAK_STAFF_PASSWORD"],
                   code=pyotp.TOTP(secret).now())
        await press_continue(pilot)
        if not await _until(pilot, lambda: isinstance(app.screen, FindPatientScreen)):
            raise RuntimeError(f"desk not signed in: {screen_text(app)[:300]}")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await pilot.press("escape")  # Clear
            await fill(pilot, query=rng.choice(numbers))
            app.screen.query_one("#query-input").focus()
            await pilot.press("enter")
            await settle(pilot)
            matches = app.screen.query_one("#matches", OptionList)
            if not await _until(pilot, lambda: matches.option_count > 0, tries=300):
                tally.unexpected.append(f"no match: {screen_text(app)[:200]}")
                continue
            matches.focus()
            await pilot.press("enter")
            if await _until(pilot, lambda: isinstance(app.screen, (ReasonScreen, ConfirmScreen))) and \
                    isinstance(app.screen, ConfirmScreen):  # a patient who has died: opening asks first
                app.screen.query_one("#confirm").press()
                await settle(pilot)
            if not await _until(pilot, lambda: isinstance(app.screen, ReasonScreen)):
                tally.unexpected.append("no reason page")
                continue
            await pilot.press(str(rng.randint(1, 3)))  # nothing is chosen until the clerk chooses (4 is Other)
            app.screen.query_one("#open").press()
            await settle(pilot)
            if await _until(pilot, lambda: isinstance(app.screen, PatientRecordScreen)):
                tally.opened += 1
                tally.outcomes["opened"] += 1
            else:
                tally.unexpected.append(f"record did not open: {screen_text(app)[:200]}")
            while not isinstance(app.screen, FindPatientScreen):
                app.pop_screen()
                await pilot.pause()
    return len(app.faults)


def main() -> None:
    role, who, seconds, seed, out, *numbers = sys.argv[1:]
    tally, started = Tally(), time.monotonic()
    faults = 0
    try:
        if role == "kiosk":
            faults = asyncio.run(kiosk(who, float(seconds), random.Random(int(seed)), tally))
        else:
            faults = asyncio.run(desk(who, float(seconds), random.Random(int(seed)), tally, numbers))
    except Exception:  # the test reads it from the file and fails with it
        tally.unexpected.append(traceback.format_exc())
    Path(out).write_text(tally.as_json(faults, time.monotonic() - started))


if __name__ == "__main__":
    main()
