"""Secrets at rest: a code's digits leave the outbox once sent and never reach the file sender outside demo;
what the program creates is its owner's alone."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.test_cli import run


def test_a_sent_code_is_redacted_in_the_outbox_and_the_file(tmp_path: Path) -> None:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/portal.db", "PORTAL_SMS_FILE": str(tmp_path / "sms.jsonl"),
           "PORTAL_ALLOW_DRAMA_NUMBERS": "true"}
    assert run("demo", "load", env=env).returncode == 0
    db = tmp_path / "portal.db"
    from datetime import UTC, datetime

    written_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # just now: a code is worth 10 minutes
    with sqlite3.connect(db) as connection:  # a code waiting in the outbox, as a sign-in leaves it
        connection.execute("INSERT INTO sms_message (id, to_number, template, body, status, created_at, send_after, "
                           "attempts) VALUES ('c0de', '+447700900001', 'one_time_code', '936187 is your West Herts "
                           "patient portal code.', 'queued', ?, ?, 0)", (written_at, written_at))
    result = run("sms", "dispatch", "--once", env=env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as connection:
        (body,) = connection.execute("SELECT body FROM sms_message WHERE id = 'c0de'").fetchone()
    assert body == "****** is your West Herts patient portal code."
    written = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert [w["body"] for w in written if w["reference"] == "c0de"] == [body]
    for created in (db, tmp_path / "sms.jsonl"):
        assert created.stat().st_mode & 0o077 == 0, f"{created} can be read by others"


def test_passwords_are_normalised_and_old_hashes_still_open() -> None:
    from argon2 import PasswordHasher

    from data.identity.passwords import Argon2Hasher

    hasher = Argon2Hasher(fast=True)
    typed, other_form = "ｖｉｏｌｅｔ tractor", "violet tractor"  # full-width letters, and their NFKC form
    assert hasher.verify(hasher.hash(typed), other_form) and hasher.verify(hasher.hash(other_form), typed)
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(typed)  # made before normalising
    assert hasher.verify(old, typed) and not hasher.verify(old, "violet tractors")


def test_a_code_that_fails_for_good_is_redacted_too(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from data.engine import make_engine
    from data.messaging.outbox import SqlOutboxQueue

    url = f"sqlite:///{tmp_path}/portal.db"
    assert run("db", "upgrade", env={"PORTAL_DATABASE_URL": url}).returncode == 0
    with sqlite3.connect(tmp_path / "portal.db") as connection:
        connection.execute("INSERT INTO sms_message (id, to_number, template, body, status, created_at, send_after, "
                           "attempts) VALUES ('c0de', '+447700900001', 'one_time_code', '936187 is your West Herts "
                           "patient portal code.', 'queued', '2026-01-01 09:00:00.000000', "
                           "'2026-01-01 09:00:00.000000', 0)")
    engine = make_engine(url)
    queue = SqlOutboxQueue(engine)
    [claimed] = queue.claim(datetime(2026, 1, 1, 10, tzinfo=UTC), 10, timedelta(minutes=2), "lease-1")
    queue.mark_failed(claimed.id, "lease-1", "permanent: the number is not a mobile")
    engine.dispose()
    with sqlite3.connect(tmp_path / "portal.db") as connection:
        (body, status) = connection.execute("SELECT body, status FROM sms_message WHERE id = 'c0de'").fetchone()
    assert (body, status) == ("****** is your West Herts patient portal code.", "failed")
