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
