"""The limits as someone who means harm meets them at the real kiosk: a real and an unknown address read the
same after eleven wrong passwords; six wrong dates of birth, then the right one, get one refusal and no text."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.test_appointments import wait_until
from tests.e2e.test_patient_flows import answer, dmy, record
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def problem(screen: str) -> str:
    """The words of the page's problem box, joined into one line."""
    lines = screen.splitlines()
    start = next(i for i, line in enumerate(lines) if "There is a problem" in line)
    words = []
    for line in lines[start + 1:]:
        text = re.sub(r"[█▄▀▊▎▔▁]+", " ", line).strip()
        if not text:
            break
        words.append(text)
    return " ".join(" ".join(words).split())


def eleven_wrong_passwords(kiosk: Terminal, email: str) -> list[str]:
    kiosk.wait_for("Patient Portal")
    kiosk.press("Enter")
    kiosk.wait_for("Use the email address and password")
    kiosk.type(email)
    kiosk.press("Tab")
    said = []
    for attempt in range(11):
        kiosk.type(f"not the password {attempt}")
        wait_until(lambda: "•" in kiosk.screen())  # typed (shown as dots)
        kiosk.press("Enter")
        wait_until(lambda: "•" not in kiosk.screen(), timeout=20)  # answered: the box is empty again
        said.append(problem(kiosk.wait_for("There is a problem")))
    # The answer says when to try again: the same for both, but for the day and minute each was typed in.
    return [re.sub(r"after (?:[A-Za-z]+ \d{1,2} [A-Za-z]+ \d{4}, )?\d{1,2}\.\d{2}(am|pm)", "after TIME", words)
            for words in said]


def test_eleven_wrong_passwords_read_the_same_for_a_real_and_an_unknown_address(demo_env) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.conftest import PORTAL

    said = {}
    for email in ("leo.walker@example.com", "nobody.at.all@example.com"):
        kiosk = Terminal([PORTAL, "kiosk"], demo_env)
        try:
            said[email] = eleven_wrong_passwords(kiosk, email)
        finally:
            kiosk.close()
    real, unknown = said.values()
    assert real == unknown, (real, unknown)
    assert "not right" in real[8] and "locked" in real[9] and "locked" in real[10]


def test_six_wrong_dates_of_birth_then_the_right_one_get_one_refusal_and_no_text(kiosk: Terminal,
                                                                                 demo_env: dict[str, str]) -> None:
    number, born, postcode = record(demo_env, "Tomás")
    year, month, day = born.split("-")
    said = []
    for attempt in range(7):
        kiosk.wait_for("Patient Portal")
        # Register with your NHS number: the third way in; back on the welcome page the focus is still on it.
        kiosk.press(*(["Tab", "Tab"] if attempt == 0 else []), "Enter")
        kiosk.wait_for("NHS number, or hospital number")
        typed = dmy(born) if attempt == 6 else f"{int(day)} {int(month)} {int(year) - 1 - attempt}"
        answer(kiosk, number, typed, postcode)
        said.append(problem(kiosk.wait_for("There is a problem")))
        kiosk.press("Escape")
    assert len(set(said)) == 1 and "could not match those details" in said[0]
    path = demo_env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        texts = connection.execute("SELECT count(*) FROM sms_message m JOIN patient p ON p.mobile = m.to_number "
                                   "WHERE p.given_name = 'Tomás'").fetchone()[0]
    assert texts == 0
