"""The Appointments team's desk in a real terminal at 80×24: sign in with the demo clerk's password and a code
from the authenticator key `demo load` printed, find a patient by NHS number, say why, open, close, quit — then
the patient, at the kiosk, sees who looked at their record and why."""

from __future__ import annotations

import sqlite3

import pytest

from data.demo import DEMO_STAFF_PASSWORD
from tests.e2e.conftest import PORTAL
from tests.e2e.test_appointments import sign_in
from tests.e2e.staff import desk_sign_in
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def test_sign_in_find_open_close_and_quit(demo_env: dict[str, str]) -> None:
    desk = Terminal([PORTAL, "desk"], demo_env, width=80, height=24)
    try:
        desk_sign_in(desk)
        assert DEMO_STAFF_PASSWORD not in desk.screen()
        desk.type("999 000 0395")
        desk.press("Enter")
        desk.wait_for("1 patient found")
        desk.press("Enter")
        desk.wait_for("Why are you opening the record of Jack Evans?")
        desk.press("1", "Enter")  # nothing is chosen until the clerk chooses: 1, then Open the record
        screen = desk.wait_for("Acting for Jack Evans")
        assert "patient at the desk" in screen
        desk.press("Escape")
        desk.wait_for("Find a patient")
        desk.press("C-q")
        desk.wait_for("Quit the desk?")
        desk.press("Tab", "Enter")  # from "No, stay" to "Quit"
        assert desk.exit_status() == 0
    finally:
        desk.close()
    path = demo_env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        opened = connection.execute("SELECT actor_id, detail, terminal FROM audit_event WHERE action = 'staff_open'"
                                    ).fetchall()
    assert [(actor, detail) for actor, detail, _ in opened] == [("clerk.demo", "patient at the desk")]
    assert all(terminal for _, _, terminal in opened)

    kiosk = Terminal([PORTAL, "kiosk"], demo_env)
    try:
        sign_in(kiosk, "jack.evans@example.com", "Jack")
        kiosk.press("Tab", "Tab", "Tab", "Enter")  # My Details
        kiosk.wait_for("To change these, call or visit the Appointments team.")
        kiosk.press("Tab", "Enter")  # from Change to … letters to Who has looked at my record
        kiosk.wait_for("Who has looked at my record")
        screen = kiosk.wait_for("Opened your record")
        assert "(patient at the desk)" in " ".join(screen.split())  # the reason may wrap onto a second line
        assert "The Appointments team" in screen and "Opened your record" in screen and "clerk.demo" not in screen
    finally:
        kiosk.close()
