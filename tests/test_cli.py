"""The real `portal-tui` command: bad settings give one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from data.migrations import HEAD

PORTAL = str(Path(sys.executable).with_name("portal-tui"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run([PORTAL, *args], env={**base, **(env or {})}, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def command(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """The same command in this process (Typer's runner): what it prints, on which stream, and its exit status, for
    the tests of what the commands do — each `portal-tui` process spent most of a second importing before it began
    (a minute of CPU in this file). Starting the real program, its settings checks and its one-line errors are the
    subject of the tests that use `run`. An exception that would have been a traceback is one here too."""
    import traceback

    from typer.testing import CliRunner

    from portal_tui.commands import cli

    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PORTAL_")}
    result = CliRunner().invoke(cli, list(args), env={**unset, **(env or {})}, input=input)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess([PORTAL, *args], result.exit_code, result.stdout, stderr)


def assert_one_line(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("portal-tui: ") and message in lines[0], result.stderr


def test_kiosk_without_a_pin(tmp_path: Path) -> None:
    assert_one_line(run("kiosk", env={"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}), "No kiosk staff PIN")


def test_kiosk_on_a_database_that_is_not_set_up(tmp_path: Path) -> None:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PORTAL_KIOSK_PIN": "2468", "PORTAL_DEMO": "true"}
    assert_one_line(run("kiosk", env=env), "Run: portal-tui db upgrade")


@pytest.mark.parametrize("url, message", [("mysql://db/x", "must be sqlite:///PATH"),
                                          ("sqlite:////proc/portal.db", "Cannot create the database")])
def test_bad_database_settings(url: str, message: str) -> None:
    assert_one_line(run("db", "upgrade", env={"PORTAL_DATABASE_URL": url}), message)


def test_an_unreachable_postgres_server() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/portal?connect_timeout=2"
    assert_one_line(run("db", "upgrade", env={"PORTAL_DATABASE_URL": url}), "The database could not be used")


def test_db_upgrade_then_demo_load_twice(tmp_path: Path) -> None:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    upgrade = run("db", "upgrade", env=env)
    assert upgrade.returncode == 0 and f"at revision {HEAD}" in upgrade.stdout
    first = run("demo", "load", "--today", "2026-11-24", env=env)
    assert first.returncode == 0, first.stderr
    assert "Loaded the demo hospital for 2026-11-24" in first.stdout and "kiosk-demo-2026" in first.stdout
    again = run("demo", "load", env=env)
    assert "already loaded" in again.stdout and "margaret.thompson@example.com" in again.stdout
    assert "DEMO-GR4C  Grace Osei           born 25 September 2000" in again.stdout
    assert "up to date" in run("db", "current", env=env).stdout


def test_a_bad_date_for_the_demo(tmp_path: Path) -> None:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    assert_one_line(run("demo", "load", "--today", "24/11/2026", env=env), "--today must be a date")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "p.db"
    junk.write_bytes(b"this is a shopping list, not a database\n" * 200)
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{junk}", "PORTAL_KIOSK_PIN": "2468", "PORTAL_DEMO": "true"}
    assert_one_line(run("kiosk", env=env), "is not a portal database")
    assert_one_line(run("db", "upgrade", env=env), "file is not a database")
    assert junk.read_bytes().startswith(b"this is a shopping list")  # nothing saved is lost


def test_sms_commands(tmp_path: Path) -> None:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PORTAL_SMS_FILE": str(tmp_path / "sms.jsonl")}
    assert command("demo", "load", env=env).returncode == 0
    assert "Queued" in command("sms", "remind", env=env).stdout
    listed = command("sms", "list", "--status", "queued", env=env)
    assert listed.returncode == 0 and ("reminder" in listed.stdout or listed.stdout.strip() == "No texts.")
    assert listed.stdout.startswith("In all: ") and "queued" in listed.stdout.splitlines()[0]  # the counts first
    assert command("sms", "list", "--status", "failed", env=env).stdout.splitlines()[-1] == "No texts."
    assert_one_line(command("sms", "list", "--status", "lost", env=env), "--status must be one of")
    assert_one_line(command("sms", "dispatch", "--once", env={**env, "PORTAL_SMS_SENDER": "notify"}),
                    "set PORTAL_NOTIFY_API_KEY")
    assert_one_line(command("sms", "remind", env={**env, "PORTAL_REMINDER_DAYS": "7,soon"}), "whole numbers of days")


def test_import_fhir_reports_in_json_and_by_its_exit_code(tmp_path: Path) -> None:
    import json
    import sqlite3

    from tests.data import fhir_fixtures as fx

    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    assert_one_line(command("import", "fhir", str(tmp_path), "--trust", "rf", env=env), "--trust must be west-herts or royal-free")
    assert_one_line(command("import", "fhir", str(tmp_path), "--trust", "royal-free", env=env), "run `portal-tui db upgrade`")
    assert command("db", "upgrade", env=env).returncode == 0
    assert_one_line(command("import", "fhir", str(tmp_path), "--trust", "royal-free", env=env), "not set up in this database")
    with sqlite3.connect(tmp_path / "p.db") as connection:  # the trust's reference row, as a site would load it
        connection.execute("INSERT INTO trust VALUES ('RAL', 'Royal Free London NHS Foundation Trust', 'Royal Free', "
                           "'01632 960 200', 'royalfree.appointments@example.nhs.uk')")
    good = fx.write_ndjson(tmp_path / "good.ndjson", [fx.patient("p1"), fx.observation("o1", "p1")])
    done = command("import", "fhir", str(good), "--trust", "royal-free", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"files": 1, "imported": {"Observation": 1, "Patient": 1}, "unchanged": {},
                                       "skipped": {}, "skipped_reasons": {}, "errors": []}
    bad = fx.write_ndjson(tmp_path / "bad.ndjson", [fx.patient("p1"), "{oops", fx.observation("o2", "p1")])
    partly = command("import", "fhir", str(good), str(bad), "--trust", "royal-free", "--json", env=env)
    assert partly.returncode == 1 and partly.stderr == ""
    report = json.loads(partly.stdout)
    assert report["imported"] == {"Observation": 1} and report["unchanged"] == {"Observation": 1, "Patient": 2}
    assert report["errors"] == [{"file": str(bad), "entry": "line 2", "reason": "is not JSON (Expecting property name "
                                 "enclosed in double quotes at column 2)"}]
    words = command("import", "fhir", str(bad), "--trust", "royal-free", env=env)
    assert words.returncode == 1 and "Traceback" not in words.stderr
    assert f"{bad}, line 2: is not JSON" in words.stdout and "import the same files again" in words.stdout
    assert "Read 1 file from the Royal Free." in words.stdout


@pytest.mark.parametrize("environ, refused", [
    ({"LANG": "en_GB.ISO-8859-1"}, True), ({"LC_ALL": "de_DE.latin1", "LANG": "en_GB.UTF-8"}, True),
    ({"LANG": "en_GB.UTF-8"}, False), ({"LC_CTYPE": "C.utf8"}, False), ({"LANG": "C"}, False), ({}, False),
])
def test_a_terminal_that_is_not_utf8_gets_one_line(environ: dict[str, str], refused: bool) -> None:
    from portal_tui.preflight import check_terminal_encoding
    from portal_tui.settings import SettingsError

    if refused:
        with pytest.raises(SettingsError, match="needs UTF-8"):
            check_terminal_encoding(environ)
    else:
        check_terminal_encoding(environ)


def test_pin_hash_makes_a_hash_the_kiosk_accepts_and_refuses_short_pins() -> None:
    from data.identity.passwords import Argon2Hasher

    made = subprocess.run([PORTAL, "pin", "hash"], input="135790\n", capture_output=True, text=True, timeout=60)
    assert made.returncode == 0 and made.stdout.startswith("$argon2id$")
    assert Argon2Hasher().verify(made.stdout.strip(), "135790")
    short = subprocess.run([PORTAL, "pin", "hash"], input="1234\n", capture_output=True, text=True, timeout=60)
    assert short.returncode == 2 and "6 to 12 digits" in short.stderr and "Traceback" not in short.stderr


def test_staff_accounts_from_the_command_line(tmp_path: Path) -> None:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PORTAL_STAFF_SECRET_KEY": "for this test only"}
    assert command("db", "upgrade", env=env).returncode == 0

    def staff(*args: str, password: str = "quiet harbour lantern") -> subprocess.CompletedProcess[str]:
        return command("staff", *args, env=env, input=password + "\n")

    added = staff("add", "sam.patel", "--name", "Sam Patel", "--role", "appointments_clerk", "--password-stdin",
                  "--by", "admin.ann")
    assert added.returncode == 0, added.stderr
    assert "otpauth://totp/" in added.stdout and "Key (type it in):" in added.stdout
    for result, words in (
        (staff("add", "sam.patel", "--name", "Sam Patel", "--role", "appointments_clerk", "--password-stdin"),
         "already"),
        (staff("add", "kim.lee", "--name", "Kim Lee", "--role", "nurse", "--password-stdin"), "The role must be"),
        (staff("add", "kim.lee", "--name", "Kim Lee", "--role", "system_admin", "--password-stdin", password="short"),
         "at least 8"),
    ):
        assert_one_line(result, words)
    assert staff("disable", "sam.patel", "--by", "admin.ann").returncode == 0
    listed = staff("list")
    assert "sam.patel" in listed.stdout and "disabled" in listed.stdout
    assert staff("reset", "sam.patel", "--password-stdin", "--by", "admin.ann").returncode == 0
    assert "active" in staff("list").stdout
    no_key = subprocess.run([PORTAL, "staff", "list"], env={"PATH": os.environ["PATH"],
                            "PORTAL_DATABASE_URL": env["PORTAL_DATABASE_URL"]}, capture_output=True, text=True)
    assert_one_line(no_key, "No staff_secret_key is set")


def test_a_trust_starts_from_an_empty_database_with_its_reference_data(tmp_path: Path) -> None:
    """README "Reference data": `reference load` into an empty database, then `slots generate`; both safe to
    run again, and a file with a mistake is one line naming where it is, with nothing written."""
    from data.demo.builder import REFERENCE

    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    loaded = command("reference", "load", str(REFERENCE), env=env)
    assert loaded.returncode == 0 and "Reference data loaded" in loaded.stdout and "12 added" in loaded.stdout, \
        loaded.stderr
    assert "nothing changed" in command("reference", "load", str(REFERENCE), env=env).stdout
    made = command("slots", "generate", "--weeks", "2", "--from", "2026-12-07", env=env)
    assert made.returncode == 0 and made.stdout.startswith("Made ") and "7 December 2026 for 2 weeks" in made.stdout
    assert "there already" in command("slots", "generate", "--weeks", "2", "--from", "2026-12-07", env=env).stdout
    broken = tmp_path / "trust.toml"
    broken.write_text(REFERENCE.read_text().replace('slot_minutes = 20', 'slot_minutes = "twenty"', 1))
    assert_one_line(command("reference", "load", str(broken), env=env), "clinic CARD › clinician C1001 › session 1: "
                    "slot_minutes must be a whole number")


def test_support_commands_list_and_show_reports_as_written(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from data.engine import make_engine
    from data.uow import SqlUnitOfWork, session_factory
    from domain.clock import FixedClock
    from domain.support import reports

    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    assert command("db", "upgrade", env=env).returncode == 0
    assert_one_line(command("support", "list", "--status", "lost", env=env), "--status must be new")
    assert "No problem reports." in command("support", "list", env=env).stdout
    engine = make_engine(env["PORTAL_DATABASE_URL"])
    sent = reports.submit(SqlUnitOfWork(session_factory(engine)), FixedClock(datetime(2026, 11, 24, 9, tzinfo=UTC)),
                          tried="book", happened="it froze \x1b[2J here", reply_by=reports.ReplyBy.NONE,
                          typed_mobile="", captured=reports.Captured("WelcomeScreen", "80x24", "0.1.0", "kiosk"),
                          session=None, terminal="kiosk-1")
    engine.dispose()
    listed = command("support", "list", env=env)
    assert sent.reference in listed.stdout and "new" in listed.stdout and "\x1b" not in listed.stdout
    shown = command("support", "show", sent.reference, env=env)
    assert shown.returncode == 0 and "What happened: it froze [2J here" in shown.stdout
    assert "Reply: none asked for" in shown.stdout
    assert_one_line(command("support", "show", "PR-NOSUCH", env=env), "There is no problem report PR-NOSUCH")
    command("sms", "list", env=env)
    engine = make_engine(env["PORTAL_DATABASE_URL"])  # every read at the command line is in the audit trail
    with engine.connect() as connection:
        from sqlalchemy import text

        reads = connection.execute(text("SELECT action, actor_id FROM audit_event WHERE actor_id LIKE 'command line%'"
                                        " ORDER BY id")).all()
    engine.dispose()
    assert [action for action, _ in reads] == ["support_inbox_viewed", "support_inbox_viewed", "support_report_opened",
                                               "outbox_viewed"]


def test_letters_print_once_then_nothing_new_then_posted(tmp_path: Path) -> None:
    import json

    from pypdf import PdfReader

    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    assert command("db", "upgrade", env=env).returncode == 0
    assert command("demo", "load", env=env).returncode == 0  # the demo for today: paperless patients with appointment letters unopened for days
    out = tmp_path / "post"
    first = command("letters", "print", "--out", str(out), "--json", env=env)
    assert first.returncode == 0, first.stderr
    printed = json.loads(first.stdout)
    assert printed["letters"] > 0 and printed["held"] == []
    assert len(PdfReader(printed["file"]).pages) >= printed["letters"]
    again = command("letters", "print", "--out", str(out), env=env)
    assert again.returncode == 0 and "Nothing new to print." in again.stdout
    posted = command("letters", "posted", str(printed["batch"]), env=env)
    assert posted.returncode == 0 and f"Batch {printed['batch']} posted" in posted.stdout
    assert_one_line(command("letters", "posted", str(printed["batch"]), env=env), "is not a printed batch waiting")


@pytest.mark.parametrize("words, opened", [
    (["kiosk"], ("kiosk", None)), (["desk"], ("desk", None)),
    (["--config", "/etc/portal.toml", "desk"], ("desk", "/etc/portal.toml")),
    (["--config=/etc/portal.toml", "kiosk"], ("kiosk", "/etc/portal.toml")),
    (["kiosk", "--help"], None), (["desk", "extra"], None), (["--config", "--help", "desk"], None),
    (["serve", "desk"], None), ([], None)])
def test_kiosk_and_desk_open_without_typer_only_in_their_exact_forms(words: list[str], opened: object) -> None:
    from portal_tui.cli import _program

    assert _program(words) == opened


FIRST_PAINT = """
import os, sys
from portal_tui.cli import checked_settings
from domain.clock import SystemClock
from portal_tui.app import KioskApp

app = KioskApp(checked_settings("kiosk", None), SystemClock())

async def first_paint(pilot):
    print(" ".join(sorted(sys.modules)), flush=True)
    os._exit(0)

app.run(headless=True, auto_pilot=first_paint, size=(100, 30))
"""


def test_the_kiosk_paints_its_first_page_before_loading_what_later_pages_need(tmp_path: Path) -> None:
    """The start-up goal (make bench: within 1.25x a bare Textual app) holds only while the welcome page loads
    none of the database layer, tables, letters, time zones, Typer or the FHIR models."""
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PORTAL_KIOSK_PIN": "2468", "PORTAL_DEMO": "true",
           "HOME": str(tmp_path)}
    assert run("db", "upgrade", env=env).returncode == 0
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    loaded = subprocess.run([sys.executable, "-c", FIRST_PAINT], env={**base, **env}, capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL, cwd=Path(__file__).parents[1])
    assert loaded.returncode == 0, loaded.stderr
    modules = set(loaded.stdout.split())
    assert "screens.kiosk.welcome" in modules
    for later in ("sqlalchemy", "textual.widgets._data_table", "rich.markdown", "zoneinfo", "typer", "pydantic",
                  "babel", "phonenumbers", "secrets", "domain.messaging.model"):
        assert later not in modules, f"{later} is loaded before the first page is painted"


def test_a_desk_whose_desk_service_does_not_answer_says_so_in_one_line(tmp_path: Path) -> None:
    """A desk set to use the desk service needs neither the database nor the staff key, only a service."""
    assert_one_line(run("desk", env={"PORTAL_DESK_SERVICE": str(tmp_path / "none.sock"), "HOME": str(tmp_path)}),
                    "The desk cannot reach the desk service just now")
    assert_one_line(run("desk-service", env={"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}),
                    "Say where desks connect")


def test_one_desk_service_to_a_socket_and_a_stale_socket_is_cleared(tmp_path: Path) -> None:
    import signal
    import socket
    import tempfile
    import time

    folder = Path(tempfile.mkdtemp(prefix="ds-", dir="/tmp"))
    path = folder / "desk.sock"
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))  # a socket file that a killed service left: no one listens
    stale.close()
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PORTAL_DEMO": "true", "HOME": str(tmp_path)}
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    service = subprocess.Popen([PORTAL, "desk-service", "--socket", str(path)], env={**base, **env},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    probe.connect(str(path))
                break
            except OSError:
                assert service.poll() is None and time.monotonic() < deadline, service.stderr.read()  # type: ignore[union-attr]
                time.sleep(0.05)
        assert_one_line(run("desk-service", "--socket", str(path), env=env), "already listening")
        assert oct(path.stat().st_mode & 0o777) == oct(0o660)  # the desks' group, no one else
    finally:
        service.send_signal(signal.SIGTERM)
        out, err = service.communicate(timeout=40)
    assert service.returncode == 0, err
    assert "desk service stopped" in out and not path.exists()
    folder.rmdir()


def test_a_desk_or_kiosk_without_a_terminal_says_so_and_ends(tmp_path: Path) -> None:
    """`ssh` without `-t` runs the ForceCommand on pipes: the desk left a 40 MiB process waiting for ever."""
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PORTAL_STAFF_SECRET_KEY": "k",
           "PORTAL_KIOSK_PIN": "2468", "PORTAL_DEMO": "true"}
    assert command("db", "upgrade", env=env).returncode == 0
    for program in ("desk", "kiosk"):
        assert_one_line(run(program, env=env), f"The {program} needs a terminal")
