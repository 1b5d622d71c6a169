"""The help centre and a problem report in real terminals: at the kiosk a signed-out person searches with a
misspelling, reads the article, reports a problem and gets a reference; a signed-in patient reports one too; at
the desk a clerk opens the support inbox and replies to both; the replies reach the outbox; the first person
reads theirs at the kiosk by its reference, and the patient's Home says "You have a reply"."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.conftest import PORTAL
from tests.e2e.staff import desk_sign_in
from tests.e2e.test_appointments import sign_in
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def _report(kiosk: Terminal, tried: str, happened: str, mobile: str | None) -> str:
    kiosk.wait_for("What were you trying to do?")
    kiosk.type(tried)
    kiosk.press("Tab")
    kiosk.type(happened)
    kiosk.press("Tab", "Tab")  # past the reply choice (a typed mobile signed out, the record's signed in)
    if mobile:
        kiosk.type(mobile)
    kiosk.press("Tab", "Enter")  # Send the report
    screen = kiosk.wait_for("Your reference is")
    return re.search(r"PR-[A-Z0-9]{6}", screen).group()  # type: ignore[union-attr]


def test_search_read_report_reply_and_read_the_reply(fresh_demo: dict[str, str]) -> None:
    kiosk = Terminal([PORTAL, "kiosk"], fresh_demo)
    desk = Terminal([PORTAL, "desk"], fresh_demo, width=100, height=30)
    try:
        kiosk.wait_for("Patient Portal")
        kiosk.press("F1")
        kiosk.wait_for("Contacting the hospital")  # the article about the welcome page
        kiosk.press("Escape")
        kiosk.wait_for("Type what you need help with")
        kiosk.type("reshedule")
        kiosk.wait_for("best first")
        kiosk.press("Tab", "Enter")  # the best match
        screen = kiosk.wait_for("Changing or cancelling an appointment")
        kiosk.wait_for("twice online")
        kiosk.press("Escape")
        kiosk.wait_for("Type what you need help with")
        kiosk.press("Tab", "Enter")  # from the article list to Report a technical problem
        first = _report(kiosk, "Find my letters", "The kiosk froze 🙂", "07700 900123")
        assert "mobile ending 123" in kiosk.screen()
        kiosk.press("Enter")  # Done
        kiosk.wait_for("Type what you need help with")
        kiosk.press("Escape")
        sign_in(kiosk, "margaret.thompson@example.com", "Margaret")
        kiosk.press("Tab", "Tab", "Tab", "Tab", "Enter")  # Help centre, below the record's four parts
        kiosk.wait_for("Type what you need help with")
        kiosk.press("Tab", "Tab", "Enter")
        second = _report(kiosk, "Read a letter", "The letter was blank", None)
        kiosk.press("Enter")

        desk_sign_in(desk)
        desk.press("F6")
        desk.wait_for("2 reports new")
        for reference, words in ((first, "Thank you: please try the kiosk again."),
                                 (second, "We have mended the letters.")):
            desk.wait_for("oldest first")
            desk.press("Enter")
            desk.wait_for(f"Problem report {reference}")
            desk.type(words)
            desk.press("Tab", "Enter")  # Send reply
            desk.wait_for("Reply by Chris Clerk")
            desk.press("Escape")
        path = fresh_demo["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            texts = [b for (b,) in db.execute("SELECT body FROM sms_message WHERE template = 'problem_reply' "
                                              "ORDER BY created_at")]
        assert f"Reply to your problem report {first}: Thank you: please try the kiosk again." in texts
        assert any(t.startswith(f"Reply to your problem report {second}:") for t in texts)

        kiosk.press("Escape")  # from the help centre to Home
        screen = kiosk.wait_for("You have a reply")
        assert second in screen
    finally:
        desk.close()
        kiosk.close()

    kiosk = Terminal([PORTAL, "kiosk"], fresh_demo)
    try:
        kiosk.wait_for("Patient Portal")
        kiosk.press("F1")
        kiosk.wait_for("Contacting the hospital")
        kiosk.press("Escape")
        kiosk.wait_for("Type what you need help with")
        kiosk.press("Tab", "Tab", "Tab", "Enter")  # Read a reply to a problem report
        kiosk.wait_for("Your reference")
        kiosk.type(first.lower())
        kiosk.press("Enter")
        screen = kiosk.wait_for("Thank you: please try the kiosk again.")
        assert f"Problem report {first}" in screen
    finally:
        kiosk.close()
