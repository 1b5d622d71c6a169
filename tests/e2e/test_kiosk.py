"""The real kiosk in a real terminal: it opens on the welcome screen, ignores the keys that end programs,
and closes only for the staff PIN."""

from __future__ import annotations

import pytest

from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def test_the_kiosk_opens_on_the_welcome_screen(kiosk: Terminal) -> None:
    screen = kiosk.wait_for("Patient Portal")
    assert "West Hertfordshire Teaching Hospitals NHS Trust" in screen
    assert "Welcome" in screen
    assert "Traceback" not in screen


def test_ctrl_c_ctrl_q_and_friends_do_not_leave(kiosk: Terminal) -> None:
    kiosk.wait_for("Patient Portal")
    kiosk.press("C-c", "C-q", "C-z", "C-\\", "C-p", "C-d", "Escape")
    assert kiosk.exit_status(timeout=1.5) is None, "the kiosk exited"
    screen = kiosk.wait_for("Patient Portal")
    assert "Welcome" in screen and "palette" not in screen.lower()


def test_only_the_staff_pin_closes_the_kiosk(kiosk: Terminal) -> None:
    kiosk.wait_for("Patient Portal")
    kiosk.press("F12")
    kiosk.wait_for("Staff only")
    kiosk.type("1111")
    kiosk.press("Enter")
    kiosk.wait_for("That PIN is not right.")
    assert kiosk.exit_status(timeout=0.5) is None
    kiosk.type("2468")
    kiosk.press("Enter")
    assert kiosk.exit_status() == 0, kiosk.screen()
