"""The terminal's own cursor follows the focus on every kind of control (issue 20): a braille display or a screen
magnifier, which follow it, show what a Tab or an arrow key moved to. Read from tmux, in the real kiosk."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PORTAL
from tests.e2e.test_appointments import wait_until
from tests.e2e.test_patient_flows import answer, code_from_demo_phone
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def on(kiosk: Terminal, words: str) -> None:
    """Wait until the cursor's line, from the cursor on, starts with `words` (after a control's edge)."""
    wait_until(lambda: kiosk.cursor_line().strip(" ▊▎▌│▐").startswith(words), timeout=10)


def test_the_cursor_is_where_the_focus_is(fresh_demo: dict[str, str]) -> None:
    # A database of its own: signing Margaret in texts her a code, and the shared one's tests count hers.
    kiosk = Terminal([PORTAL, "kiosk"], fresh_demo)
    try:
        _walk(kiosk)
    finally:
        kiosk.close()


def _walk(kiosk: Terminal) -> None:
    kiosk.wait_for("Patient Portal")
    on(kiosk, "Sign in")  # a button: its label's line
    kiosk.press("Tab")
    on(kiosk, "Register with a code")
    kiosk.press("BTab", "Enter")
    kiosk.wait_for("Use the email address and password")
    label = next(n for n, line in enumerate(kiosk.screen().splitlines()) if line.strip() == "Email address")
    wait_until(lambda: kiosk.cursor()[1] == label + 3)  # in the box below its question (label, gap, border)
    x, y = kiosk.cursor()
    kiosk.type("margaret.thompson@example.com")
    wait_until(lambda: kiosk.cursor()[0] > x + 20)  # a text box: where the next letter goes
    kiosk.press("Tab")
    wait_until(lambda: kiosk.cursor()[1] > y)  # the password box, below
    kiosk.type("kiosk-demo-2026")
    kiosk.press("Enter")
    kiosk.wait_for("Check your phone to sign in")
    answer(kiosk, code_from_demo_phone(kiosk))
    kiosk.wait_for("Hello, Margaret")
    on(kiosk, "My appointments")
    kiosk.press("Enter")
    kiosk.wait_for("Upcoming (")
    wait_until(lambda: "202" in kiosk.cursor_line())  # a list: the highlighted entry's first line, its date
    first = kiosk.cursor()
    kiosk.press("Tab")  # to the list of earlier ones: its highlighted entry
    wait_until(lambda: kiosk.cursor()[1] > first[1] and "202" in kiosk.cursor_line())
