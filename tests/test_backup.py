"""Backups and restores as an operations team runs them (issue 36, finding 5): `portal-tui db backup` while
terminals write gives a whole copy of one moment; `db restore` puts it back, keeps the live database beside it, and
holds every text that was waiting, so that nothing the live database sent is sent again (the review's restore
re-sent 12 of 12); a person releases or withdraws them; `status` says so until they do."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from data.engine import make_engine
from data.models import SmsMessageRow
from tests.test_cli import PORTAL


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run([PORTAL, *args], env={**base, **env}, capture_output=True, text=True, timeout=120)


def _queue(engine, n: int, *, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    ids = [f"{prefix}{i:030d}" for i in range(n)]
    with Session(engine) as session, session.begin():
        session.execute(insert(SmsMessageRow), [
            dict(id=i, to_number="+447700900123", template="problem_reply", body=f"Reply {i}", status="queued",
                 created_at=now, send_after=now - timedelta(seconds=1), attempts=0, language="en") for i in ids])
    return ids


def _sent(env: dict[str, str]) -> list[str]:
    path = Path(env["PORTAL_SMS_FILE"])
    return [json.loads(line)["reference"] for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def live(tmp_path: Path) -> dict[str, str]:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/live.db", "PORTAL_SMS_FILE": str(tmp_path / "sent.jsonl"),
           "PORTAL_LOG_FILE": str(tmp_path / "portal.log")}
    assert run("db", "upgrade", env=env).returncode == 0
    return env


def test_a_backup_taken_while_terminals_write_is_whole_and_of_one_moment(live: dict[str, str], tmp_path: Path
                                                                          ) -> None:
    engine = make_engine(live["PORTAL_DATABASE_URL"])
    stop, wrote, failures = threading.Event(), [0], []

    def terminal(number: int) -> None:  # a terminal writing all the while: a text queued per transaction
        n = 0
        while not stop.is_set():
            try:
                _queue(engine, 1, prefix=f"t{number}-{n:06d}-")
                n += 1
                wrote[0] += 1
            except Exception as error:  # noqa: BLE001 - a terminal's write refused by the backup is the failure
                failures.append(error)
                return

    writers = [threading.Thread(target=terminal, args=(n,)) for n in range(3)]
    for writer in writers:
        writer.start()
    try:
        while wrote[0] < 50:
            threading.Event().wait(0.01)
        made = run("db", "backup", str(tmp_path / "backup.db"), env=live)
        during = wrote[0]
        while wrote[0] < during + 50:  # the terminals carry on after it, unhindered
            threading.Event().wait(0.01)
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert made.returncode == 0 and "Backed up" in made.stdout, made.stderr
    assert not failures, failures
    backup = sqlite3.connect(tmp_path / "backup.db")
    try:
        assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        in_backup = backup.execute("SELECT count(*) FROM sms_message").fetchone()[0]
    finally:
        backup.close()
    assert 50 <= in_backup <= during and (tmp_path / "backup.db").stat().st_mode & 0o777 == 0o600
    again = run("db", "backup", str(tmp_path / "backup.db"), env=live)
    assert again.returncode == 2 and "exists already" in again.stderr  # a backup never overwrites one
    engine.dispose()


def test_a_restore_sends_nothing_the_live_database_sent_and_a_person_settles_the_held(live: dict[str, str],
                                                                                      tmp_path: Path) -> None:
    engine = make_engine(live["PORTAL_DATABASE_URL"])
    waiting = _queue(engine, 12, prefix="w")
    assert run("db", "backup", str(tmp_path / "backup.db"), env=live).returncode == 0
    assert run("sms", "dispatch", "--once", env=live).returncode == 0
    assert sorted(_sent(live)) == sorted(waiting)  # the live database sent all twelve after the backup
    _queue(engine, 2, prefix="after")  # written after the backup: lost with the restore, kept in the copy
    engine.dispose()

    from data.operations import beat

    beat(make_engine(live["PORTAL_DATABASE_URL"]), "sms dispatch", datetime.now(UTC))
    refused = run("db", "restore", str(tmp_path / "backup.db"), env=live)
    assert refused.returncode == 2 and "Stop sms dispatch first" in refused.stderr  # a service is running
    with sqlite3.connect(tmp_path / "live.db") as connection:
        connection.execute("UPDATE heartbeat SET seen_at = '2026-01-01 00:00:00.000000'")

    restored = run("db", "restore", str(tmp_path / "backup.db"), env=live)
    assert restored.returncode == 0 and "Held 12 texts" in restored.stdout, restored.stderr
    kept = next(tmp_path.glob("live.db.before-restore-*"))
    with sqlite3.connect(kept) as connection:  # the database as it was, nothing saved lost
        assert connection.execute("SELECT count(*) FROM sms_message WHERE id LIKE 'after%'").fetchone()[0] == 2

    assert run("sms", "dispatch", "--once", env=live).returncode == 0
    assert len(_sent(live)) == 12  # nothing sent again
    status = run("status", "--json", env=live)
    assert status.returncode == 1 and json.loads(status.stdout)["texts_held"] == 12
    assert any("12 texts held since a restore" in p for p in json.loads(status.stdout)["problems"])

    # A person checks with Notify: one was not sent after all; the rest were.
    released = run("sms", "release", waiting[0], "not-a-text", env=live)
    assert released.returncode == 0 and "1 held text released" in released.stdout
    assert "1 of those named are not held" in released.stdout
    assert run("sms", "withdraw", env=live).returncode == 2  # neither texts named nor --all
    assert "11 held texts withdrawn" in run("sms", "withdraw", "--all", env=live).stdout
    assert run("sms", "dispatch", "--once", env=live).returncode == 0
    assert _sent(live).count(waiting[0]) == 2 and len(_sent(live)) == 13  # only the one released
    assert json.loads(run("status", "--json", env=live).stdout)["texts_held"] == 0
    engine = make_engine(live["PORTAL_DATABASE_URL"])
    with engine.connect() as connection:
        actions = [row[0] for row in connection.execute(text(
            "SELECT action FROM audit_event WHERE action LIKE '%held%' OR action LIKE '%restored%' ORDER BY id"))]
    assert actions == ["database_restored", "held_texts_released", "held_texts_withdrawn"]
    engine.dispose()


def test_a_backup_that_is_damaged_or_newer_is_refused_and_the_live_database_untouched(live: dict[str, str],
                                                                                       tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    said = run("db", "restore", str(broken), env=live)
    assert said.returncode == 2 and "Traceback" not in said.stderr and said.stderr.count("\n") == 1, said.stderr
    assert run("db", "restore", str(tmp_path / "nothing.db"), env=live).returncode == 2
    assert run("db", "backup", str(tmp_path / "b.db"), env=live).returncode == 0
    with sqlite3.connect(tmp_path / "b.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    newer = run("db", "restore", str(tmp_path / "b.db"), env=live)
    assert newer.returncode == 2 and "newer than this release" in newer.stderr
    assert not list(tmp_path.glob("live.db.before-restore-*"))
    assert run("db", "current", env=live).returncode == 0

