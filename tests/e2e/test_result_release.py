"""What a patient must not meet at a public kiosk, seen as a person sees it: the Royal Free sends a domestic-
abuse questionnaire (grouped by its report, its score as a value), an HIV test, an X-ray from yesterday and a
sodium. At the kiosk the patient finds the sodium and "A result is waiting to be reviewed by your care team" —
nothing of the questionnaire or the HIV test; at the desk, a clerk sees them marked as withheld, with why."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from tests.data import fhir_fixtures as fx
from tests.data.test_result_release import report
from tests.e2e.conftest import PORTAL
from tests.e2e.test_appointments import sign_in
from tests.e2e.test_records import open_from_home, scroll_to
from tests.e2e.staff import desk_sign_in
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def test_a_withheld_screen_and_a_questionnaire_stay_off_the_kiosk(fresh_demo: dict[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = fresh_demo["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        (nhs,) = connection.execute("SELECT nhs_number FROM patient WHERE given_name = 'Chidi'").fetchone()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat(timespec="seconds")
    resources = [
        fx.patient("rf-chidi", nhs=nhs, given="Chidi", family="OKONKWO"),
        fx.observation("hark-1", "rf-chidi", code="76500-8", name="Humiliated by partner", value=1, low=None,
                       high=None, category="survey", unit="{score}"),
        fx.observation("hark-score", "rf-chidi", code="76504-0", name="HARK total score", value=3, low=None,
                       high=None, unit="{score}"),
        report("hark", "rf-chidi", "76499-3", "HARK questionnaire", ["hark-1", "hark-score"]),
        fx.observation("hiv", "rf-chidi", code="75622-1", name="HIV 1+2 antibody", value=None, low=None, high=None)
        | {"valueCodeableConcept": {"text": "Not detected"}},
        fx.observation("xray", "rf-chidi", code="24627-2", name="Chest X-ray report", value=None, low=None,
                       high=None, when=yesterday, category="imaging") | {"valueString": "No abnormality seen"},
        fx.observation("na", "rf-chidi", name="Sodium level"),
    ]
    ndjson = fx.write_ndjson(tmp_path / "royal-free.ndjson", resources)
    shell = Terminal(["sh", "-c", f"{PORTAL} import fhir {ndjson} --trust royal-free; echo \"exit status $?\"; "
                      "sleep 60"], fresh_demo)
    try:
        screen = shell.wait_for("exit status", timeout=60)
    finally:
        shell.close()
    assert "exit status 0" in screen and "questionnaires are not test results" in screen, screen

    kiosk = Terminal([PORTAL, "kiosk"], fresh_demo, width=100, height=40)
    try:
        sign_in(kiosk, "chidi.okonkwo@example.com", "Chidi")
        open_from_home(kiosk, 2, "Your test results")
        screen = kiosk.wait_for("A result is waiting to be reviewed by your care team.")  # yesterday's X-ray
        screen += scroll_to(kiosk, "Sodium level")
        for hidden in ("HARK", "Humiliated", "HIV", "Chest X-ray", "No abnormality"):
            assert hidden not in screen, hidden
    finally:
        kiosk.close()

    desk = Terminal([PORTAL, "desk"], fresh_demo, width=120, height=40)
    try:
        desk_sign_in(desk)
        desk.type(nhs)
        desk.press("Enter")
        desk.wait_for("1 patient found")
        desk.press("Enter")
        desk.wait_for("Why are you opening the record of Chidi")
        desk.press("1", "Enter")
        desk.wait_for("Opened because")
        desk.press("Tab", "Tab", "Enter")  # Test results
        desk.wait_for("Test results of Chidi")
        screen = scroll_to(desk, "HIV 1+2 antibody")
        screen += scroll_to(desk, "sexual-health test (code")  # under "Withheld from the kiosk: a", wrapped
        screen += scroll_to(desk, "HARK total score")
        screen += scroll_to(desk, "domestic-abuse or")
        screen += scroll_to(desk, "Sodium level")
        assert screen.count("Withheld from the kiosk") >= 2
        assert "Humiliated by partner" not in screen  # a questionnaire's answer is not a result anywhere
    finally:
        desk.close()
