"""A patient at the real kiosk changes an appointment's date and time, cancels another, and is told in plain
words why a third cannot be changed here — typed as a person types, read off the terminal."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.e2e.test_patient_flows import answer, code_from_demo_phone
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def sign_in(kiosk: Terminal, email: str, given: str) -> None:
    kiosk.wait_for("Patient Portal")
    kiosk.press("Enter")
    kiosk.wait_for("Use the email address and password")
    answer(kiosk, email, "kiosk-demo-2026")
    kiosk.wait_for("Check your phone to sign in")
    answer(kiosk, code_from_demo_phone(kiosk))
    kiosk.wait_for(f"Hello, {given}")


def wait_until(condition, timeout: float = 10) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the screen never showed what was typed"
        time.sleep(0.05)


def open_first_upcoming(kiosk: Terminal, email: str, given: str) -> str:
    sign_in(kiosk, email, given)
    kiosk.press("Enter")  # My appointments has the focus
    kiosk.wait_for("Upcoming (")
    kiosk.press("Enter")  # the first upcoming one is highlighted
    return kiosk.wait_for("What you can do")


def statuses(env: dict[str, str], given: str) -> list[str]:
    path = env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute(
            "SELECT a.status FROM appointment a JOIN patient p ON p.id = a.patient_id WHERE p.given_name = ? "
            "ORDER BY a.id", (given,))]


def test_change_the_date_and_time(kiosk: Terminal, demo_env: dict[str, str]) -> None:
    open_first_upcoming(kiosk, "margaret.thompson@example.com", "Margaret")
    kiosk.wait_for("You can change this appointment 2 more times.")
    kiosk.press("Enter")  # Change the date or time has the focus
    kiosk.wait_for("We cannot promise")
    kiosk.press("Down", "Enter")  # the second day with free times
    kiosk.wait_for("choose a time")
    kiosk.press("Enter")
    screen = kiosk.wait_for("Check your new appointment")
    assert "After this change you can change it 1 more time online." in screen
    kiosk.press("Enter")  # Confirm change has the focus
    screen = kiosk.wait_for("Your appointment has been changed")
    assert "We have sent a text to your mobile" in screen
    kiosk.wait_for("Demo phone")  # the confirmation text, as the phone would show it
    assert "rescheduled" in statuses(demo_env, "Margaret") and "booked" in statuses(demo_env, "Margaret")
    kiosk.press("Enter")
    kiosk.wait_for("Earlier, moved and cancelled (2)")


def test_cancel_after_the_warning_by_typing_cancel(kiosk: Terminal, demo_env: dict[str, str]) -> None:
    open_first_upcoming(kiosk, "stanley.hughes@example.com", "Stanley")
    kiosk.press("Tab", "Enter")  # from Change the date or time to Cancel this appointment
    kiosk.wait_for("Cancelling will discharge you from this clinic")
    kiosk.press("Tab", "Enter")  # from Keep my appointment to Continue to cancel
    shown = kiosk.wait_for("To confirm, type CANCEL").count("CANCEL")
    time.sleep(0.5)  # a person reads the page before moving; the page has put the focus on Keep by then
    kiosk.press("BTab")  # from Keep my appointment back to the confirmation box
    kiosk.type("CANCEL")
    wait_until(lambda: kiosk.screen().count("CANCEL") > shown)  # the word is in the box before Enter
    kiosk.press("Enter")
    screen = kiosk.wait_for("Your cancellation reference is CX")
    assert "You have been discharged from this clinic" in screen
    assert statuses(demo_env, "Stanley")[-1] == "cancelled_by_patient"
    kiosk.press("Enter")
    kiosk.wait_for("Cancelled by you")  # the list, read again; the focus may have scrolled the empty Upcoming away


@pytest.mark.parametrize("email, given, words", [
    ("harold.finch@example.com", "Harold", "Hospital transport"),
    ("fiona.macleod@example.com", "Fiona", "less than 48 hours"),
])
def test_a_blocked_appointment_explains_itself(kiosk: Terminal, email: str, given: str, words: str) -> None:
    screen = open_first_upcoming(kiosk, email, given)
    if words not in screen:  # below the fold on a small terminal: scroll as a person would
        kiosk.press("End")
        screen = kiosk.wait_for(words)
    assert "You cannot change or cancel this appointment" in screen
    assert "Appointments team on" in screen
