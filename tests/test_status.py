"""`portal-tui status` (issue 36, finding 6): what an operator or a monitoring system asks, with exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

PORTAL = str(Path(sys.executable).with_name("portal-tui"))


def command(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run([PORTAL, *args], env={**base, **env}, capture_output=True, text=True, timeout=60)


def test_status_says_what_waits_what_failed_and_who_is_alive(tmp_path: Path) -> None:
    from data.engine import make_engine
    from data.models import SmsMessageRow
    from data.operations import beat

    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    assert command("db", "upgrade", env=env).returncode == 0
    never = command("status", env=env)
    assert never.returncode == 1 and "sms dispatch has never been seen running" in never.stdout, never.stdout
    engine = make_engine(env["PORTAL_DATABASE_URL"])
    now = datetime.now(UTC)
    beat(engine, "sms dispatch", now)
    assert command("status", env=env).returncode == 0
    due = now - timedelta(minutes=40)
    with Session(engine) as session:
        session.execute(insert(SmsMessageRow), [
            dict(id="a" * 32, to_number="+447700900001", template="reminder", body="x", status="queued",
                 created_at=due, send_after=due, attempts=0),
            dict(id="b" * 32, to_number="+447700900002", template="reminder", body="x", status="failed",
                 created_at=now, send_after=now, attempts=8, last_error="500")])
        session.commit()
    engine.dispose()
    late = command("status", "--json", env=env)
    assert late.returncode == 1, late.stdout + late.stderr
    said = json.loads(late.stdout)
    assert said["texts_waiting"] == 1 and said["texts_failed_last_day"] == 1 and not said["ok"]
    assert any("the oldest due 40 minutes ago" in p for p in said["problems"])
    assert any("1 texts failed in the last day" in p for p in said["problems"])
    assert "sms dispatch" in said["last_seen"] and said["migration"] == said["migration_head"]
    listed = command("sms", "list", "--status", "failed", env=env).stdout.splitlines()
    assert listed[0].startswith("In all: 1 failed (the oldest 0 minutes old); 1 queued (the oldest 40 minutes old)")
    assert len(listed) == 2  # the counts are of all, the rows of the failed only
    relaxed = command("status", env={**env, "PORTAL_STATUS_OLDEST_TEXT_MINUTES": "60",
                                     "PORTAL_STATUS_FAILED_TEXTS_DAY": "5"})
    assert relaxed.returncode == 0 and "All is well." in relaxed.stdout, relaxed.stdout
    broken = command("status", env={"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/nowhere/x.db"})
    assert broken.returncode == 2 and "Traceback" not in broken.stderr + broken.stdout


def test_failed_texts_still_worth_sending_are_queued_again(tmp_path: Path) -> None:
    """Issue 36, finding 2: after an outage the only way back was "Send again" on each text at the desk.
    `sms resend` queues again every failed text still useful; a code (its digits gone) and a text whose
    appointment has begun stay as they are."""
    from data.engine import make_engine
    from data.models import SmsMessageRow

    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    assert command("db", "upgrade", env=env).returncode == 0
    engine = make_engine(env["PORTAL_DATABASE_URL"])
    now = datetime.now(UTC)
    with Session(engine) as session:
        session.execute(insert(SmsMessageRow), [
            dict(id=f"{n}" * 32, to_number="+447700900001", template=template, body="x", status="failed",
                 created_at=now - timedelta(hours=1), send_after=now, attempts=8, last_error="500")
            for n, template in ((1, "booking_confirmation"), (2, "one_time_code"), (3, "cancellation_confirmation"))])
        session.commit()
    said = command("sms", "resend", env=env)
    assert said.returncode == 0 and "Queued again 2 failed texts; left 1" in said.stdout, said.stdout + said.stderr
    with Session(engine) as session:
        statuses = dict(session.execute(select(SmsMessageRow.template, SmsMessageRow.status)).all())
    engine.dispose()
    assert statuses == {"booking_confirmation": "queued", "cancellation_confirmation": "queued",
                        "one_time_code": "failed"}
    assert "--since must be a date" in command("sms", "resend", "--since", "soon", env=env).stdout + \
        command("sms", "resend", "--since", "soon", env=env).stderr
