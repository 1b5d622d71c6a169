"""Every kiosk page, reached as a patient reaches it: the tours that the per-page checks share, and the walks the
snapshots take.

A tour goes one way through the kiosk and stops at each of its pages in turn, so each page is walked to once: a
registration's last page used to be walked to through the six before it, and each of those again for its own
check (the walks were more than half of the per-page checks' time). A page's `step` is the move from the page
before it in its tour — or, for a tour's first page, from the welcome page."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import OptionList

from data.demo import DEMO_PASSWORD
from tests.screens.flows import click_on, fill, last_code, press_continue, settle, signed_in

TOURS: list[tuple[str, str, list[str]]] = [
    ("welcome", "", ["welcome"]),
    ("welcome-languages", "", ["welcome-languages"]),
    ("registration", "", ["register-start", "register-errors", "register-verify", "register-account",
                          "register-letters", "register-check", "registered"]),
    ("sign-in", "", ["sign-in", "sign-in-code"]),
    ("unlock", "margaret.thompson", ["sign-in-locked", "unlock", "unlock-code"]),
    ("session", "margaret.thompson", ["home", "my-details", "confirm"]),
    ("idle-warning", "margaret.thompson", ["idle-warning"]),
    ("session-ended", "margaret.thompson", ["session-ended"]),
    ("list", "sandeep.gill", ["list"]),
    ("reschedule", "margaret.thompson", ["page", "day", "time", "check", "changed"]),
    ("cancel", "margaret.thompson", ["cancel-warning", "cancel-confirm", "cancelled"]),
    ("letter", "margaret.thompson", ["letter"]),
    ("blocked-transport", "harold.finch", ["blocked-transport"]),
    ("letters", "rosa.fernandez", ["letters"]),
    ("results", "chidi.okonkwo", ["results"]),
    ("trend", "eileen.doherty", ["trend"]),
    ("help-centre", "", ["help-centre"]),
    ("staff-pin", "", ["staff-pin"]),
]
"""(the tour, the demo patient it signs in as, the pages it stops at in order): every page of the kiosk."""

SIDE_STEPS: dict[str, tuple[str, str]] = {
    "register-errors": ("registration", "register-start"),
    "cancel-word-missing": ("cancel", "cancel-confirm"),
    "blocked-ers": ("blocked-transport", ""), "blocked-limit": ("blocked-transport", ""),
    "letter-pdf": ("letters", "letters"),
}
"""Pages a walk to a later page does not pass through (a mistake corrected, a refusal for another patient): each
is reached from the page named here, and only a walk to it goes there."""

ANSWERS: dict[str, dict[str, str]] = {
    "register-errors": {"code": "abc", "dob": "31 2 2000"},
    "register-verify": {"code": "DEMO-GR4C", "dob": "25 9 2000"},
    "register-letters": {"email": "grace@example.org", "password": "violet tractor lamp",
                         "password_again": "violet tractor lamp"},
    "sign-in-code": {"email": "margaret.thompson@example.com", "password": DEMO_PASSWORD},
}
"""What the form before each of these pages is answered with (by field id, '_' for '-')."""

SETTINGS: dict[str, dict[str, object]] = {"welcome-languages": {"languages": ("pl", "ro")}}
"""A page that shows only with some settings: the welcome page's languages, offered once the trust lists them."""


async def enter(pilot: Pilot) -> None:
    """Enter on whatever has the focus, and let the page that comes settle."""
    await pilot.press("enter")
    await settle(pilot)
    await pilot.pause()


async def press(pilot: Pilot, selector: str) -> None:
    """Press a control as Enter on it would."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await enter(pilot)


async def _open_first_upcoming(pilot: Pilot, db: Path, email: str) -> None:
    await signed_in(pilot, db, email)
    await press(pilot, "#appointments")
    pilot.app.screen.query_one("#upcoming", OptionList).focus()
    await enter(pilot)


async def step(pilot: Pilot, page: str, db: Path, who: str) -> None:
    """Move to `page` from the page before it in its tour (from the welcome page for a tour's first)."""
    email = f"{who}@example.com"
    app = pilot.app
    if page == "help-centre":
        await pilot.press("f1")
    elif page == "staff-pin":
        await pilot.press("f12")
    # Registering, and signing in: a form's answers, then Continue.
    elif page in ANSWERS:
        await fill(pilot, **ANSWERS[page])
        await press_continue(pilot)
    elif page == "register-account":
        await fill(pilot, code=last_code(db))  # the code texted to the patient's phone
        await press_continue(pilot)
    elif page == "register-check":
        await click_on(pilot, "#paperless")
        await press_continue(pilot)
    elif page == "registered":
        await press_continue(pilot)
    elif page == "register-start":
        await click_on(pilot, "#register-code")
    # A session (signed in through the kiosk's services: the sign-in pages are walked above).
    elif page == "sign-in":
        await click_on(pilot, "#sign-in")
    elif page == "sign-in-locked":  # ten wrong passwords: the address locked, and the way to reopen it offered
        await click_on(pilot, "#sign-in")
        for _ in range(10):
            await fill(pilot, email=email, password="not the password")
            await press_continue(pilot)
    elif page == "unlock":
        await click_on(pilot, "#unlock")
    elif page == "unlock-code":
        await press_continue(pilot)
    elif page == "home":
        await signed_in(pilot, db, email)
    elif page == "my-details":
        await click_on(pilot, "#my-details")
    elif page == "confirm":
        await click_on(pilot, "#switch-letters")
    elif page in ("idle-warning", "session-ended"):
        await signed_in(pilot, db, email)
        app.clock.advance(95 if page == "idle-warning" else 200)  # type: ignore[attr-defined]
        app.check_inactivity()  # type: ignore[attr-defined]
    # Appointments.
    elif page == "list":
        await signed_in(pilot, db, email)
        await press(pilot, "#appointments")
    elif page in ("page", "blocked-transport", "blocked-ers", "blocked-limit"):
        await _open_first_upcoming(pilot, db, email)
    elif page == "day":
        await press(pilot, "#reschedule")
    elif page in ("time", "check"):
        await enter(pilot)
    elif page == "changed":
        await press(pilot, "#confirm")
    elif page == "cancel-warning":
        await _open_first_upcoming(pilot, db, email)
        await press(pilot, "#cancel")
    elif page == "cancel-confirm":
        await press(pilot, "#continue")
    elif page == "cancel-word-missing":
        await press(pilot, "#cancel-appointment")
    elif page == "cancelled":
        await fill(pilot, reason="Feeling better", confirm_word="CANCEL")
        await press(pilot, "#cancel-appointment")
    elif page == "letter":
        await _open_first_upcoming(pilot, db, email)
        await press(pilot, ".letter-button")
    # Records.
    elif page in ("letters", "results", "trend"):
        await signed_in(pilot, db, email)
        await press(pilot, "#letters" if page == "letters" else "#results")
        if page == "trend":
            await enter(pilot)
    elif page == "letter-pdf":
        await pilot.press("down")
        await enter(pilot)
    elif page not in ("welcome", "welcome-languages"):
        raise ValueError(f"no step to {page}")
    await settle(pilot)


def way_to(target: str) -> list[str]:
    """The pages a walk from the welcome page to `target` stops at, `target` last."""
    if target in SIDE_STEPS:
        tour, before = SIDE_STEPS[target]
        return [*(way_to(before) if before else []), target]
    pages = next(pages for _tour, _who, pages in TOURS if target in pages)
    return [page for page in pages[:pages.index(target) + 1] if page == target or page not in SIDE_STEPS]


async def walk_to(pilot: Pilot, target: str, db: Path, who: str) -> None:
    """Walk the kiosk from its welcome page to `target`, the way a patient would."""
    await pilot.pause()  # the welcome screen is still being composed when a walk starts
    for page in way_to(target):
        await step(pilot, page, db, who)
