"""A patient at the real kiosk in a real terminal: register by code and directly, sign in with the code from
the demo phone, switch letters and back, sign out — and be timed out with nothing left on screen."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e
PRIVATE = ("Margaret", "Thompson", "0018", "margaret.thompson")


def record(env: dict[str, str], given: str) -> tuple[str, str, str]:
    path = env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT hospital_number, date_of_birth, postcode FROM patient "
                                  "WHERE given_name = ?", (given,)).fetchone()


def code_from_demo_phone(kiosk: Terminal) -> str:
    screen = kiosk.wait_for("Demo phone")
    codes = re.findall(r"(\d{6}) is your", screen)
    assert codes, screen
    return codes[-1]


def answer(kiosk: Terminal, *fields: str) -> None:
    """Type into the focused field, Tab to the next, and Enter after the last."""
    for index, text in enumerate(fields):
        kiosk.type(text)
        kiosk.press("Enter" if index == len(fields) - 1 else "Tab")


def dmy(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day)} {int(month)} {year}"


def finish_registration(kiosk: Terminal, email: str) -> str:
    kiosk.wait_for("Check your phone")
    answer(kiosk, code_from_demo_phone(kiosk))
    kiosk.wait_for("Your email address and a password")
    answer(kiosk, email, "violet tractor lamp", "violet tractor lamp")
    kiosk.wait_for("How do you want to get your hospital letters?")
    kiosk.press("Enter", "Tab", "Enter")  # choose the first (paperless), then Continue
    kiosk.wait_for("Check your answers")
    assert "violet" not in kiosk.screen()
    kiosk.press("Enter")  # Register has the focus
    return kiosk.wait_for("You are registered")


def test_register_with_the_code_from_an_invitation(kiosk: Terminal, demo_env: dict[str, str]) -> None:
    kiosk.wait_for("Patient Portal")
    kiosk.press("Tab", "Enter")  # the second way in
    kiosk.wait_for("Code from the text message")
    answer(kiosk, "demo gr4c", dmy(record(demo_env, "Grace")[1]))
    screen = finish_registration(kiosk, "grace.e2e@example.org")
    assert "Thank you, Grace" in screen and "grace.e2e@example.org" in screen


def test_register_directly_after_a_mistake(kiosk: Terminal, demo_env: dict[str, str]) -> None:
    number, born, postcode = record(demo_env, "Liam")
    kiosk.wait_for("Patient Portal")
    kiosk.press("Tab", "Tab", "Enter")  # the third way in
    kiosk.wait_for("NHS number, or hospital number")
    answer(kiosk, number, "31 2 1990", postcode)
    kiosk.wait_for("That date does not exist")
    kiosk.press("BTab", "C-u")  # back to the date field, clear it
    answer(kiosk, dmy(born))
    finish_registration(kiosk, "liam.e2e@example.org")


def sign_in_margaret(kiosk: Terminal) -> None:
    kiosk.wait_for("Patient Portal")
    kiosk.press("Enter")  # Sign in has the focus
    kiosk.wait_for("Use the email address and password")
    answer(kiosk, "margaret.thompson@example.com", "kiosk-demo-2026")
    kiosk.wait_for("Check your phone to sign in")
    answer(kiosk, code_from_demo_phone(kiosk))
    screen = kiosk.wait_for("Hello, Margaret")
    assert "*** *** 0018" in screen and "999 000 0018" not in screen


def test_sign_in_switch_letters_and_back_then_sign_out(kiosk: Terminal) -> None:
    sign_in_margaret(kiosk)
    kiosk.press("F4")
    kiosk.wait_for("999 000 0018")
    kiosk.press("F4", "Tab", "Tab", "Tab", "Enter")  # hide it again; from My appointments down to My Details
    kiosk.wait_for("Change to paper letters")
    for now, then in (("paper", "paperless"), ("paperless", "paper")):
        kiosk.press("Enter")
        kiosk.wait_for(f"Change to {now} letters?")
        kiosk.press("Tab", "Enter")  # from the safe button to Yes
        kiosk.wait_for(f"Change to {then} letters")
    kiosk.press("Escape")
    kiosk.wait_for("What would you like to do?")
    kiosk.press("Tab", "Tab", "Enter")  # past Help centre to Sign out
    screen = kiosk.wait_for("Your session has ended")
    assert "You have signed out." in screen
    assert not [word for word in PRIVATE if word in screen]


@pytest.mark.parametrize("kiosk_env", [{"PORTAL_KIOSK_IDLE_SECONDS": "30"}], indirect=True)
def test_left_idle_the_kiosk_warns_then_forgets(kiosk: Terminal) -> None:
    sign_in_margaret(kiosk)
    kiosk.press("Tab", "Tab", "Tab", "Enter")
    kiosk.wait_for("My Details")
    kiosk.wait_for("Are you still there?", timeout=15)
    screen = kiosk.wait_for("Your session has ended", timeout=30)
    assert not [word for word in PRIVATE if word in screen], screen
    kiosk.press("Enter")
    screen = kiosk.wait_for("Patient Portal")
    assert not [word for word in PRIVATE if word in screen]


def _failures(env: dict[str, str]) -> int:
    path = env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM limit_event WHERE event = 'sign_in_failure'").fetchone()[0]


def _until(condition, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the kiosk never got there"
        time.sleep(0.05)


def test_a_locked_address_is_reopened_with_a_code_to_the_phone(fresh_demo: dict[str, str]) -> None:
    """Ten wrong passwords lock Rosa's address; the kiosk offers to reopen it with a code to her phone, the code
    page never shows where it went, the code from the demo phone reopens it, and her password signs her in."""
    from tests.e2e.conftest import PORTAL

    kiosk = Terminal([PORTAL, "kiosk"], fresh_demo)
    try:
        kiosk.wait_for("Patient Portal")
        kiosk.press("Enter")  # Sign in has the focus
        kiosk.wait_for("Use the email address and password")
        answer(kiosk, "rosa.fernandez@example.com", "not my password")
        for tries in range(1, 10):
            # Each refusal counted before the next try (the last refusal's words are still on the page: a key
            # typed before this one is answered lands in a box about to be emptied).
            _until(lambda: _failures(fresh_demo) == tries and "Please wait" not in kiosk.screen())
            answer(kiosk, "not my password")  # the password box keeps the focus, emptied
        kiosk.wait_for("is locked because of too many failed tries")
        kiosk.press("BTab", "BTab")  # from the password, past the email, to the way to reopen it
        kiosk.wait_for("Reopen with a code to my phone")
        kiosk.press("Enter")
        kiosk.wait_for("Reopen signing in")
        kiosk.press("Enter")  # Send the code has the focus: the address is already there
        screen = kiosk.wait_for("If rosa.fernandez@example.com has an account")
        assert "*****" not in screen.split("Demo phone")[0]
        answer(kiosk, code_from_demo_phone(kiosk))
        screen = kiosk.wait_for("Reopened")  # the notice (its words wrap in the toast)
        assert "is locked" not in screen and "Reopen with a code" not in screen
        answer(kiosk, "kiosk-demo-2026")  # the password box has the focus
        kiosk.wait_for("Check your phone to sign in")
    finally:
        kiosk.close()
