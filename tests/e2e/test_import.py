"""The Royal Free's records arrive by `portal-tui import fhir`, run in a real terminal; then the patient, at
the real kiosk, finds the emergency visit, the note from it and the blood test — read off the screen."""

from __future__ import annotations

import sqlite3

import pytest

from tests.data import fhir_fixtures as fx
from tests.e2e.conftest import PORTAL
from tests.e2e.test_appointments import sign_in
from tests.e2e.test_records import open_from_home, scroll_to
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e

NOTE = "Seen in the emergency department with chest pain.\nECG normal. Troponin normal.\nHome with advice."


def chidis_nhs_number(env: dict[str, str]) -> str:
    path = env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT nhs_number FROM patient WHERE given_name = 'Chidi'").fetchone()[0]


def test_records_imported_from_the_royal_free_reach_the_patient(demo_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    patient = fx.patient("rf-chidi", nhs=chidis_nhs_number(demo_env), given="Chidi", family="OKONKWO")
    visit = {"resourceType": "Encounter", "id": "rf-ed-1", "status": "finished",
             "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMER"},
             "type": [{"text": "Emergency department attendance"}], "subject": {"reference": "Patient/rf-chidi"},
             "period": {"start": "2026-11-02T21:10:00+00:00", "end": "2026-11-03T01:40:00+00:00"},
             "serviceProvider": {"display": "Royal Free Hospital"}}
    troponin = fx.observation("rf-trop-1", "rf-chidi", code="89579-7", name="Troponin I (high sensitivity)",
                              value=34, unit="ng/L", low=None, high=16, when="2026-11-02T22:00:00+00:00")
    note = fx.document("rf-note-1", "rf-chidi", NOTE, loinc="34111-5", title="Emergency department note",
                       when="2026-11-03T01:30:00+00:00")
    vitals = fx.observation("rf-pulse-1", "rf-chidi", category="vital-signs", name="Heart rate", code="8867-4")
    path = fx.write_ndjson(tmp_path / "royal-free.ndjson", [patient, visit, troponin, note, vitals])

    # In a shell, so that the summary stays on the screen to be read after the import has ended.
    command = f"{PORTAL} import fhir {path} --trust royal-free; echo \"exit status $?\"; sleep 60"
    shell = Terminal(["sh", "-c", command], demo_env)
    try:
        screen = shell.wait_for("exit status", timeout=60)
    finally:
        shell.close()
    assert "exit status 0" in screen, screen
    assert "Read 1 file from the Royal Free." in screen
    assert "Observation: vital signs are not test results" in screen

    kiosk = Terminal([PORTAL, "kiosk"], demo_env)
    try:
        sign_in(kiosk, "chidi.okonkwo@example.com", "Chidi")
        kiosk.press("Enter")  # My appointments
        kiosk.wait_for("Your appointments")
        kiosk.press("Tab")  # past the appointment lists, into the visits on record
        screen = scroll_to(kiosk, "Hospital visits on record (1)")
        screen = scroll_to(kiosk, "Emergency department attendance")
        assert "Royal Free" in screen and "Attended" in screen
        kiosk.press("Escape")
        kiosk.wait_for("Hello, Chidi")
        screen = open_from_home(kiosk, 1, "Your letters", showing="Emergency department note")
        assert "NEW" in screen
        kiosk.press("Enter")
        screen = kiosk.wait_for("Clinical note from Royal Free London NHS Foundation Trust")
        kiosk.wait_for("ECG normal. Troponin normal.")  # plain text, line by line as it was written
        kiosk.press("Escape")
        kiosk.wait_for("Your letters")
        kiosk.press("Escape")
        kiosk.wait_for("Hello, Chidi")
        screen = open_from_home(kiosk, 1, "Your test results")  # Home kept the focus on My letters
        screen = scroll_to(kiosk, "Troponin I")
        assert "34 ng/L" in screen or ("34" in screen and "ng/L" in screen)
        assert "High" in screen
    finally:
        kiosk.close()
