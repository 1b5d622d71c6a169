"""The PAS books and then cancels an appointment over a real MLLP socket; the patient at the real kiosk sees it
booked, then cancelled by the hospital — read off the terminal as they would read it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from tests.e2e.conftest import PORTAL
from tests.e2e.test_appointments import sign_in
from tests.e2e.tmux import Terminal
from tests.test_hl7_feed import PAS, _ack_of, _frame

pytestmark = pytest.mark.e2e


def _listener(env: dict[str, str], senders: dict[str, str] = PAS):  # type: ignore[no-untyped-def]
    import subprocess

    process = subprocess.Popen([PORTAL, "hl7", "listen", "--port", "0"], env={**env, **senders}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    return process, int(process.stdout.readline().rsplit(":", 1)[1])


def _send(port: int, text: str) -> str:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(_frame(text))
        return _ack_of(sock)


def test_a_booking_from_the_pas_then_its_cancellation_at_the_kiosk(fresh_demo: dict[str, str]) -> None:
    path = fresh_demo["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        number, family, given, born = db.execute(
            "SELECT hospital_number, family_name, given_name, date_of_birth FROM patient "
            "WHERE email = 'margaret.thompson@example.com'").fetchone()
        (start,) = db.execute(
            "SELECT s.starts_at FROM slot s JOIN clinician c ON c.id = s.clinician_id WHERE c.code = 'C1021' "
            "AND s.starts_at > ? AND s.id NOT IN (SELECT slot_id FROM appointment WHERE slot_id IS NOT NULL) "
            "ORDER BY s.starts_at LIMIT 1 OFFSET 10", (datetime.now(UTC).isoformat(),)).fetchone()
    at = datetime.fromisoformat(start).astimezone(UTC).strftime("%Y%m%d%H%M+0000")
    pid = f"PID|1||{number}^^^RWG^MR||{family}^{given}||{born.replace('-', '')}"

    def siu(event: str, control: str) -> str:
        return (f"MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124101500||SIU^{event}|{control}|P|2.5\r"
                f"SCH|P1|PASE2E1||||^Clinic cancelled||FU|30|MIN|^^30^{at}\r{pid}\r"
                f"AIS|1||ORTH^Orthopaedics|{at}\rAIP|1||C1021^ACHTERBERG^DAVID\r")

    listener, port = _listener(fresh_demo)
    kiosk = Terminal([PORTAL, "kiosk"], fresh_demo)
    try:
        assert "MSA|AA|E2E1" in _send(port, siu("S12", "E2E1"))
        sign_in(kiosk, "margaret.thompson@example.com", "Margaret")
        kiosk.press("Enter")  # My appointments
        screen = kiosk.wait_for("Fracture and Orthopaedic Clinic")
        assert "Upcoming (" in screen
        assert "MSA|AA|E2E2" in _send(port, siu("S15", "E2E2"))
        kiosk.press("Escape")
        kiosk.wait_for(f"Hello, {given.title()}")
        kiosk.press("Enter")
        kiosk.wait_for("Earlier, moved and cancelled")
        kiosk.press("End")
        screen = kiosk.wait_for("Cancelled by the hospital")
        assert "Fracture and Orthopaedic Clinic" in screen
    finally:
        kiosk.close()
        listener.terminate()
        listener.wait(timeout=30)


def test_the_same_hospital_number_at_the_royal_free_is_another_patient_at_the_desk(fresh_demo: dict[str, str]) -> None:
    """The wrong-patient hazard, seen as a clerk sees it: the Royal Free's Cerner sends its own patient whose MRN
    has the same digits as Margaret's West Herts number. Margaret is untouched; the desk's search by that number
    shows both, each naming the trust whose number it is."""
    from tests.e2e.staff import desk_sign_in

    path = fresh_demo["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    margaret = "SELECT hospital_number, family_name, date_of_birth, postcode, mobile FROM patient " \
               "WHERE email = 'margaret.thompson@example.com'"
    with sqlite3.connect(path) as db:
        before = db.execute(margaret).fetchone()
    number = before[0]
    listener, port = _listener(fresh_demo, {"PORTAL_HL7_SENDERS": "PAS^RWG,CERNER^RAL"})
    desk = Terminal([PORTAL, "desk"], fresh_demo, width=100, height=30)
    try:
        ack = _send(port, "MSH|^~\\&|CERNER|RAL|PORTAL|RAL|20261124101500||ADT^A01|RF1|P|2.4\r"
                          f"PID|1||{number}^^^RAL^MR||STRANGER^SAM||19800101|M|||9 Other Road^^London^^NW3 2QG\r"
                          "PV1|1|I|RFH-W1\r")
        assert "MSA|AA|RF1" in ack, ack
        desk_sign_in(desk)
        desk.type(number)
        desk.press("Enter")
        screen = desk.wait_for(f"{number} (Royal Free)")
        words = " ".join(part.strip("▊▎ ") for part in screen.splitlines())  # a result's line wraps in its box
        assert f"hospital number {number} (West Herts)" in words and "Margaret Thompson" in words, screen
        assert "SAM STRANGER" in words and "2 patients found" in words, screen
    finally:
        desk.close()
        listener.terminate()
        listener.wait(timeout=30)
    with sqlite3.connect(path) as db:
        assert db.execute(margaret).fetchone() == before
