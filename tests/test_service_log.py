"""The services' logs as an operations team reads them (issue 36, finding 7): one line per event with its time and
level; the real listener's log file moved away by logrotate and reopened on SIGHUP, the listener going on; a full
disk (/dev/full) never loses a fault's reference (it goes to standard error); no SQL parameters in an error."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from data.engine import make_engine
from portal_tui.faults import FaultLog
from portal_tui.service_log import EventLog, OneLine, OwnerOnlyFile
from tests.data.test_hl7_receive import A02
from tests.test_cli import PORTAL, command
from tests.test_hl7_feed import _listener, _send

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING|ERROR) [a-z0-9-]+\[\d+\]: \S.*$")
"""One event: its time in UTC, its level, the program and its pid, then what happened."""


def test_an_event_is_one_line_with_its_time_and_level_and_no_terminal_control() -> None:
    formatter = OneLine("sms-dispatch")
    try:
        raise ValueError("two\nlines and an \x1b[31mescape")
    except ValueError as error:
        record = logging.LogRecord("portal", logging.ERROR, __file__, 1, "not sent: %s", ("Ann\rBee",),
                                   (type(error), error, error.__traceback__))
    line = formatter.format(record)
    assert LINE.match(line) and "\n" not in line and "\r" not in line and "\x1b" not in line, line
    assert " ERROR sms-dispatch[" in line
    assert "ValueError: two" in line and "test_service_log.py:" in line  # what and where, on the same line


def test_a_full_disk_sends_the_line_to_standard_error_and_the_program_goes_on(capfd: pytest.CaptureFixture[str]
                                                                              ) -> None:
    fallback = io.StringIO()
    handler = OwnerOnlyFile("/dev/full", fallback=fallback)
    handler.setFormatter(OneLine("hl7-listen"))
    handler.emit(logging.LogRecord("portal", logging.WARNING, __file__, 1, "refused: %s", ("A0001",), None))
    said = fallback.getvalue()
    assert "refused: A0001" in said and "not written" in said and "No space left on device" in said, said

    # A terminal's fault log: its reference reaches standard error (not a screen here), the caller goes on.
    faults = FaultLog("/dev/full", "desk")
    try:
        fault = faults.record(RuntimeError("the database went away"), "the record page")
    finally:
        faults.close()
    err = capfd.readouterr().err
    assert fault.reference in err and "the record page" in err, err


def test_a_log_file_in_a_folder_that_cannot_be_made_still_says_the_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    fallback = io.StringIO()
    handler = OwnerOnlyFile(blocker / "portal.log", fallback=fallback)
    handler.setFormatter(OneLine("desk-service"))
    handler.emit(logging.LogRecord("portal", logging.INFO, __file__, 1, "started", (), None))
    assert "started" in fallback.getvalue()


def test_an_error_never_carries_the_statement_s_parameters(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/p.db")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE person (name TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO person VALUES (:name)"), {"name": "Margaret Thompson"})
    with pytest.raises(IntegrityError) as raised, engine.begin() as connection:
        connection.execute(text("INSERT INTO person VALUES (:name)"), {"name": "Margaret Thompson"})
    assert "Margaret" not in str(raised.value) and "hidden" in str(raised.value)
    engine.dispose()


def test_the_log_file_is_owner_only_and_reopened_after_rotation(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "portal.log"
    out = io.StringIO()
    log = EventLog("sms-dispatch", path, stream=out)
    try:
        log("first")
        path.rename(tmp_path / "logs" / "portal.log.1")
        log.reopen()
        log.warning("second")
    finally:
        log.close()
    assert (path.stat().st_mode & 0o777) == 0o600
    assert "first" in (tmp_path / "logs" / "portal.log.1").read_text()
    assert " WARNING sms-dispatch[" in path.read_text() and "first" not in path.read_text()
    assert all(LINE.match(line) for line in out.getvalue().splitlines()), out.getvalue()


def test_the_real_listener_logs_one_line_per_event_and_reopens_its_log_on_sighup(tmp_path: Path) -> None:
    log = tmp_path / "listen.log"
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PORTAL_LOG_FILE": str(log)}
    assert command("db", "upgrade", env=env).returncode == 0
    process, port = _listener(env)
    try:
        asyncio.run(_send(port, [A02.replace("MSG0001", "BEFORE1")]))
        log.rename(tmp_path / "listen.log.1")  # logrotate's move, then its postrotate: systemctl kill -s HUP
        process.send_signal(signal.SIGHUP)
        asyncio.run(_send(port, [A02.replace("MSG0001", "AFTER01"), "MSH|^~\\&|PAS|RWG|PORTAL|RWG|x"]))
        assert process.poll() is None  # a hang-up reopens the log; it never stops the listener
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0, out
    lines = out.splitlines()
    assert lines and all(LINE.match(line) for line in lines), out
    assert any(" WARNING hl7-listen[" in line and "refused" in line for line in lines), out
    before, after = (tmp_path / "listen.log.1").read_text(), log.read_text()
    assert "BEFORE1" in before and "AFTER01" not in before
    assert "AFTER01" in after and "Stopped after 3 messages." in after and "BEFORE1" not in after
    assert (log.stat().st_mode & 0o777) == 0o600


def test_a_dispatcher_with_nothing_to_send_says_so_in_one_timed_line(tmp_path: Path) -> None:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PORTAL_LOG_FILE": str(tmp_path / "sms.log")}
    assert command("db", "upgrade", env=env).returncode == 0
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    done = subprocess.run([PORTAL, "sms", "dispatch", "--once"], env={**base, **env}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert LINE.match(done.stdout.strip()) and "Sent 0" in done.stdout, done.stdout
    assert "Sent 0" in (tmp_path / "sms.log").read_text()
