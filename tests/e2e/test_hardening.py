"""The kiosk against hostile text, fast typing, a busy database and being killed — in a real terminal."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.data import fhir_fixtures as fx
from tests.e2e.conftest import PORTAL
from tests.e2e.processes import descendants
from tests.e2e.test_appointments import open_first_upcoming, sign_in, wait_until
from tests.e2e.test_patient_flows import code_from_demo_phone, dmy, record
from tests.e2e.test_records import open_from_home
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "kiosk-demo-2026"
ESCAPES = ("\x1b]0;PWNED-TITLE\x07\x1b]52;c;UFdORUQtQ0xJUA==\x07\x1b[2;1H\x1b[2KOVERWRITTEN-BANNER"
           "\x1b[31m\x9b2J\u202eevil")


def database(env: dict[str, str]) -> str:
    return env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")


def test_a_burst_at_sign_in_never_shows_the_password(kiosk: Terminal) -> None:
    kiosk.wait_for("Patient Portal")
    kiosk.press("Enter")
    kiosk.wait_for("Use the email address and password")
    # As a password manager types: the address, Tab, the password and Enter in one write to the terminal.
    kiosk.type(f"james.smith@example.com\t{PASSWORD}\r")
    deadline = time.monotonic() + 20
    while "Check your phone to sign in" not in (screen := kiosk.screen()):
        assert PASSWORD not in screen, screen
        assert time.monotonic() < deadline, screen
        time.sleep(0.02)
    assert PASSWORD not in screen


def test_a_burst_in_registration_lands_in_each_box(kiosk: Terminal, demo_env: dict[str, str]) -> None:
    kiosk.wait_for("Patient Portal")
    kiosk.press("Tab", "Enter")
    kiosk.wait_for("Code from the text message")
    kiosk.type(f"demo me7z\t{dmy(record(demo_env, 'Mei')[1])}\r")
    kiosk.wait_for("Check your phone")
    kiosk.type(code_from_demo_phone(kiosk) + "\r")
    kiosk.wait_for("Your email address and a password")
    kiosk.type("mei.e2e@example.org\tamber kettle drum\tamber kettle drum\r")
    deadline = time.monotonic() + 20
    while "How do you want to get your hospital letters?" not in (screen := kiosk.screen()):
        assert "amber" not in screen, screen
        assert time.monotonic() < deadline, screen
        time.sleep(0.02)


def test_a_cancellation_reason_in_markup_is_shown_as_typed(kiosk: Terminal, demo_env: dict[str, str]) -> None:
    open_first_upcoming(kiosk, "mohammed.jones@example.com", "Mohammed")
    kiosk.press("Tab", "Enter")  # Cancel this appointment
    kiosk.wait_for("Cancelling will discharge you from this clinic")
    kiosk.press("Tab", "Enter")
    kiosk.wait_for("To confirm, type CANCEL")
    time.sleep(0.5)
    kiosk.press("BTab", "BTab")  # from Keep my appointment back to the reason box
    kiosk.type("[/] [bold]moved away[/bold]")
    kiosk.press("Tab")
    kiosk.type("CANCEL")
    wait_until(lambda: "▊  CANCEL" in kiosk.screen())
    kiosk.press("Enter")
    kiosk.wait_for("Your cancellation reference is CX")
    kiosk.press("Enter")
    kiosk.wait_for("Cancelled by you")
    kiosk.press("Enter")  # the cancelled one, first under Earlier (nothing is upcoming now)
    kiosk.wait_for("Appointment details")
    # The demo phone's toast of the cancellation text may cover the right of the page for a while.
    wait_until(lambda: "[/] [bold]moved away[/bold]" in " ".join(kiosk.screen().split()), timeout=70)
    assert kiosk.exit_status(timeout=0.5) is None  # still running


def test_an_imported_note_with_escapes_leaves_the_terminal_alone(kiosk: Terminal, demo_env: dict[str, str],
                                                                 tmp_path: Path) -> None:
    from data.engine import make_engine
    from data.records.fhir_import import import_fhir
    from domain.hospital import TrustCode
    from tests.conftest import FIXED_NOW

    with sqlite3.connect(database(demo_env)) as connection:
        nhs, patient_id = connection.execute(
            "SELECT nhs_number, id FROM patient WHERE given_name = 'Noah'").fetchone()
    note = fx.document("rf-evil-1", "rf-noah", f"Seen in clinic.{ESCAPES}\nAll well.", loinc="34111-5",
                       title="Evil note \x1b]2;TITLE2\x07[@click=app.quit]click[/]", when="2026-11-20T10:00:00+00:00")
    path = fx.write_ndjson(tmp_path / "rf.ndjson", [fx.patient("rf-noah", nhs=nhs, given="Noah"), note])
    engine = make_engine(demo_env["PORTAL_DATABASE_URL"])
    try:
        assert not import_fhir(engine, [str(path)], TrustCode.ROYAL_FREE, now=lambda: FIXED_NOW).failed
    finally:
        engine.dispose()
    with sqlite3.connect(database(demo_env)) as connection:  # and one stored before intake cleaned anything
        connection.execute(
            "INSERT INTO document (patient_id, trust_code, kind, title, written_at, content_type, size_bytes, "
            "body_markdown) VALUES (?, 'RAL', 'clinical_note', ?, '2026-11-21 10:00:00.000000', "
            "'text/plain', 10, ?)", (patient_id, f"Raw note{ESCAPES}", f"Raw body.{ESCAPES}"))
    title_before = kiosk.pane_title()
    kiosk.set_clipboard_capture()
    sign_in(kiosk, "noah.taylor@example.com", "Noah")
    open_from_home(kiosk, 1, "Your letters")
    kiosk.wait_for("OVERWRITTEN-BANN")  # the raw note, newest: its controls shown as pictures (␛, ␇)
    for title in ("Raw", "Evil note"):
        screen = kiosk.wait_for(title)
        if title == "Evil note":
            assert "[@click=app.quit]click[/]" in screen  # shown as written, not a live action
        kiosk.press("Enter")
        screen = kiosk.wait_for("Clinical note from Royal Free")
        assert "Noah" in screen.splitlines()[1], screen  # the banner is where it was
        assert "PWNED" not in kiosk.pane_title()
        kiosk.wait_for("All well." if title == "Evil note" else "OVERWRITTEN-BANNER")
        kiosk.press("Escape")
        kiosk.wait_for("Your letters")
        kiosk.press("Down")
    assert kiosk.pane_title() == title_before
    assert kiosk.buffers() == ""  # OSC 52 wrote nothing to the clipboard


def test_a_locked_database_ends_in_a_message_and_trying_again_works(kiosk: Terminal,
                                                                     demo_env: dict[str, str]) -> None:
    kiosk.wait_for("Patient Portal")
    kiosk.press("Enter")
    kiosk.wait_for("Use the email address and password")
    lock = sqlite3.connect(database(demo_env), isolation_level=None, timeout=1)
    lock.execute("BEGIN EXCLUSIVE")  # a backup, an import: the file is held
    try:
        kiosk.type("oliver.brown@example.com")
        kiosk.press("Tab")
        kiosk.type(PASSWORD)
        kiosk.press("Enter")
        screen = kiosk.wait_for("The system is busy", timeout=30)
        assert "Please wait" not in screen
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    kiosk.press("Enter")  # the form is as it was: Continue again
    kiosk.wait_for("Check your phone to sign in", timeout=30)


def _kiosk_pids(root: int) -> list[int]:
    pids = []
    for pid in descendants(root):
        try:
            command = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(part.endswith(b"portal-tui") for part in command) and b"kiosk" in command:
            pids.append(pid)
    return pids


def test_a_killed_kiosk_comes_back_to_welcome(demo_env: dict[str, str]) -> None:
    env = {**demo_env, "PORTAL_TUI": PORTAL}
    terminal = Terminal(["sh", str(ROOT / "deploy" / "kiosk-session")], env)
    try:
        sign_in(terminal, "harry.wilson@example.com", "Harry")
        first = _kiosk_pids(terminal.pane_pid())
        assert first
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not (again := _kiosk_pids(terminal.pane_pid())) or set(again) & set(first):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        screen = terminal.wait_for("Register with your NHS number", timeout=30)
        assert "Harry" not in screen and "$" not in screen.splitlines()[-1]
        assert terminal.exit_status(timeout=0.5) is None
    finally:
        terminal.close()


def test_the_log_is_owner_only(demo_env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "kiosk.log"
    terminal = Terminal([PORTAL, "kiosk"], {**demo_env, "PORTAL_LOG_FILE": str(log)})
    try:
        terminal.wait_for("Patient Portal")
        wait_until(log.exists)
        assert log.stat().st_mode & 0o777 == 0o600
    finally:
        terminal.close()




def test_sixteen_colours_keep_white_text_off_cyan(demo_env: dict[str, str]) -> None:
    terminal = Terminal([PORTAL, "kiosk"], {**demo_env, "TERM": "xterm"})
    try:
        terminal.wait_for("Patient Portal")
        time.sleep(0.5)
        banner = next(line for line in terminal.screen_with_colours().splitlines() if "Patient Portal" in line)
        assert "\x1b[44m" in banner and "\x1b[97m" in banner  # bright white on the terminal's blue
        assert "\x1b[46m" not in terminal.screen_with_colours()  # never white on cyan (about 2:1)
    finally:
        terminal.close()


def test_a_latin1_terminal_gets_one_line_not_mojibake(demo_env: dict[str, str]) -> None:
    command = f"{PORTAL} kiosk; echo \"exit status $?\"; sleep 60"
    terminal = Terminal(["sh", "-c", command], {**demo_env, "LC_ALL": "en_GB.ISO-8859-1"})
    try:
        screen = terminal.wait_for("exit status")
        assert "needs UTF-8" in screen and "exit status 2" in screen and "━" not in screen
    finally:
        terminal.close()


@pytest.mark.parametrize("signed_in", [False, True], ids=["welcome", "signed-in"])
def test_a_closed_terminal_ends_the_kiosk_every_time(fresh_demo: dict[str, str], signed_in: bool) -> None:
    """Closing the window (tmux kill-server: SIGHUP, then the kernel's SIGCONT) ends the kiosk within its grace,
    each of several times (the race with Textual's resume-after-Ctrl+Z once left half the kiosks running). A
    database of its own: three sign-ins are three codes, the most one record gets in 15 minutes."""
    for _ in range(3):
        terminal = Terminal([PORTAL, "kiosk"], fresh_demo, width=80, height=24)
        if signed_in:
            sign_in(terminal, "harry.wilson@example.com", "Harry")
        else:
            terminal.wait_for("Register with your NHS number")
        before = len(Terminal.orphans)
        terminal.close()
        assert Terminal.orphans[before:] == []
