"""Staff sign in at the desk as a person does: username, Tab, password, Tab, the code from the app, Enter."""

from __future__ import annotations

import pyotp

from data.demo import DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET
from tests.e2e.tmux import Terminal


def desk_sign_in(desk: Terminal, username: str = "clerk.demo", lands_on: str = "Find a patient") -> str:
    desk.wait_for("Staff sign in")
    desk.type(username)
    desk.press("Tab")
    desk.type(DEMO_STAFF_PASSWORD)
    desk.press("Tab")
    desk.type(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    desk.press("Enter")
    return desk.wait_for(lands_on)


def open_record(desk: Terminal, query: str, name: str, reason: str = "1") -> str:
    """Find one patient, open their record with the reason of that number (nothing is chosen for the clerk)."""
    desk.type(query)
    desk.press("Enter")
    desk.wait_for("1 patient found")
    desk.press("Enter")
    desk.wait_for(f"Why are you opening the record of {name}?")
    desk.press(reason, "Enter")
    return desk.wait_for(f"Acting for {name}")

