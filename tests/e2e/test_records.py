"""A patient at the real kiosk reads a clinic outcome letter and a discharge summary, and opens a Royal Free
result and its trend — typed as a person types, read off the terminal."""

from __future__ import annotations

import pytest

from tests.e2e.test_appointments import sign_in
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def scroll_to(kiosk: Terminal, text: str, presses: int = 30) -> str:
    """Press Down, as a reader does, until `text` is on screen."""
    for _ in range(presses):
        screen = kiosk.screen()
        if text in screen:
            return screen
        kiosk.press("Down")
    return kiosk.wait_for(text, timeout=2)


def open_from_home(kiosk: Terminal, tabs: int, title: str, showing: str | None = None) -> str:
    """The page opened from Home, once it shows `showing` too: its title comes before its list (loaded in the
    background), and a key or a look at the list before it is there tests nothing."""
    kiosk.press(*(["Tab"] * tabs), "Enter")
    screen = kiosk.wait_for(title)
    return kiosk.wait_for(showing) if showing else screen


def test_a_clinic_outcome_letter(kiosk: Terminal) -> None:
    # Not Margaret: the other e2e tests have had 3 sign-in codes sent to her within 15 minutes, the limit.
    sign_in(kiosk, "stanley.hughes@example.com", "Stanley")
    open_from_home(kiosk, 1, "Your letters", showing="Clinic outcome letter")
    kiosk.press("Down", "Enter")  # newest first: the confirmation, then the clinic letter
    kiosk.wait_for("Clinic outcome letter from West Hertfordshire")
    kiosk.wait_for("Clinic outcome letter", timeout=5)
    scroll_to(kiosk, "Cataract in the left")
    kiosk.press("Escape")
    kiosk.wait_for("Your letters")


def test_a_discharge_summary(kiosk: Terminal) -> None:
    sign_in(kiosk, "eileen.doherty@example.com", "Eileen")
    screen = open_from_home(kiosk, 1, "Your letters", showing="Discharge summary")
    assert "NEW" in screen
    kiosk.press("Enter")
    screen = kiosk.wait_for("Discharge summary from West Hertfordshire")
    kiosk.wait_for("Why you came into hospital")
    kiosk.press("PageDown")  # the letter has the focus and scrolls (at once: nothing animates)
    kiosk.wait_for("What we did")
    kiosk.press("End")
    screen = kiosk.wait_for("NHS number: *** *** ")  # masked at the kiosk, as in the banner (hazard HAZ-108)
    assert "NHS number: 999" not in screen
    kiosk.press("F4")
    kiosk.wait_for("NHS number: 999")  # F4 shows it, in the letter too


def test_a_royal_free_result_and_its_trend(kiosk: Terminal) -> None:
    sign_in(kiosk, "rosa.fernandez@example.com", "Rosa")
    screen = open_from_home(kiosk, 2, "Your test results", showing="ESR")
    kiosk.press("Enter")
    kiosk.wait_for("ESR over time")
    screen = kiosk.wait_for("Royal Free")  # the figures as a table, under the chart
    assert "●" in screen and "High" in screen
