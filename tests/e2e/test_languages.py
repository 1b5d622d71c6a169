"""The real kiosk in Polish, in tmux (issue 20): a Polish patient chooses Polski on the welcome page, signs in
(the code comes in Polish), changes the date of an appointment, and the confirmation text is queued in Polish;
signing out brings the kiosk back to English for whoever comes next."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest

from tests.e2e.conftest import PORTAL
from tests.e2e.test_patient_flows import answer
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def _texts(env: dict[str, str]) -> list[tuple[str, str, str]]:
    path = env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT template, language, body FROM sms_message ORDER BY created_at, rowid").fetchall()


def test_a_polish_patient_reschedules_in_polish_and_is_texted_in_polish(fresh_demo: dict[str, str]) -> None:
    env = {**fresh_demo, "PORTAL_LANGUAGES": "pl,ro"}
    kiosk = Terminal([PORTAL, "kiosk"], env, width=80, height=24)
    try:
        screen = kiosk.wait_for("Register with your NHS number")
        assert "Polski" in screen and "Română" in screen  # each language in its own name
        kiosk.press("Tab", "Tab", "Tab", "Tab", "Enter")  # past the ways in and Help, round to the banner's Polski
        kiosk.wait_for("Witamy")
        kiosk.press("Enter")  # Zaloguj się (Sign in) has the focus again
        kiosk.wait_for("Użyj adresu e-mail i hasła")
        answer(kiosk, "margaret.thompson@example.com", "kiosk-demo-2026")
        kiosk.wait_for("Sprawdź telefon, aby się zalogować")
        code = re.findall(r"(\d{6}) to Twój kod", kiosk.wait_for("to Twój kod"))[-1]  # the demo phone, in Polish
        answer(kiosk, code)
        kiosk.wait_for("Dzień dobry, Margaret")
        kiosk.press("Enter")  # Moje wizyty
        kiosk.wait_for("Nadchodzące (")
        kiosk.press("Enter")  # the first upcoming one
        kiosk.wait_for("Co możesz zrobić")
        kiosk.press("Enter")  # Zmień datę lub godzinę
        kiosk.wait_for("Nie możemy obiecać konkretnej daty")
        kiosk.press("Down", "Enter")  # the second day with free times
        kiosk.wait_for("wybierz godzinę")
        kiosk.press("Enter")
        kiosk.wait_for("Sprawdź nowy termin wizyty")
        kiosk.press("Enter")  # Potwierdź zmianę
        kiosk.wait_for("Twoja wizyta została zmieniona")
        template, language, body = _texts(env)[-1]
        assert (template, language) == ("reschedule_confirmation", "pl")
        assert body.startswith("West Herts: Twoja wizyta w szpitalu") and "Pytania? Zadzwoń" in body
        kiosk.press("Enter")  # Wróć do swoich wizyt
        # Back at the list: its title, or (the list scrolled to the focused appointment, Polish being longer at
        # 80×24) its sections — either is the list page, and the moved appointment is on it.
        deadline = time.monotonic() + 20
        while not any(words in (screen := kiosk.screen()) for words in ("Twoje wizyty", "Nadchodzące (",
                                                                        "Wcześniejsze, przeniesione")):
            assert time.monotonic() < deadline, screen
            time.sleep(0.05)
        kiosk.press("Escape")
        kiosk.wait_for("Co chcesz zrobić?")
        kiosk.press("Tab", "Tab", "Tab", "Tab", "Tab", "Enter")  # past the record's parts and Help to Wyloguj się
        kiosk.wait_for("You have signed out.")  # whoever comes next reads the trust's own language
        kiosk.press("Enter")
        assert "Welcome" in kiosk.wait_for("Register with your NHS number")
    finally:
        kiosk.close()
