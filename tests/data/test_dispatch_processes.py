"""Real dispatcher processes against a Notify-like server: killed at random moments, or racing each other,
every text reaches the server exactly once — on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from data.models import SmsMessageRow
from tests.fake_notify import API_KEY, TEMPLATE_ID, FakeNotify

PORTAL = str(Path(sys.executable).with_name("portal-tui"))


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    server = FakeNotify(delay=0.005)  # a little slow, like the real thing: widens the windows a kill can hit
    yield server
    server.close()


def queue_texts(engine, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    # The dispatcher processes run on the real clock, so the texts are due by it — and are codes, not
    # reminders, which would rightly wait for 8am if the tests ran at night.
    due = datetime.now(UTC) - timedelta(seconds=30)  # written just now: a code is worth sending for 10 minutes
    ids = [secrets.token_hex(16) for _ in range(count)]
    rows = [dict(id=i, to_number=f"+447700900{n % 1000:03d}", template="one_time_code", body=f"{n:06d} is your code",
                 status="queued", created_at=due, send_after=due, attempts=0) for n, i in enumerate(ids)]
    with Session(engine) as session:
        session.execute(insert(SmsMessageRow), rows)
        session.commit()
    return ids


def dispatcher_env(engine, notify: FakeNotify) -> dict[str, str]:  # type: ignore[no-untyped-def]
    url = engine.url.render_as_string(hide_password=False)
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return {**base, "PORTAL_DATABASE_URL": url, "PORTAL_SMS_SENDER": "notify", "PORTAL_NOTIFY_API_KEY": API_KEY,
            "PORTAL_NOTIFY_BASE_URL": notify.url, "PORTAL_NOTIFY_TEMPLATE_ID": TEMPLATE_ID,
            "PORTAL_SMS_LEASE_SECONDS": "1"}


def statuses(engine) -> Counter[str]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return Counter(session.scalars(select(SmsMessageRow.status)))


def test_killed_at_random_moments_no_text_is_lost_or_sent_twice(engine, notify: FakeNotify) -> None:  # type: ignore[no-untyped-def]
    ids = queue_texts(engine, 150)
    env = dispatcher_env(engine, notify)
    rng = random.Random(20261124)
    kills = 0
    while kills < 8 and len(set(notify.references())) < len(ids):
        process = subprocess.Popen([PORTAL, "sms", "dispatch", "--poll", "0.05"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.5, 1.2))  # start-up takes about half a second; then it is mid-batch
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    time.sleep(1.1)  # let the last dead dispatcher's lease run out
    finish = subprocess.run([PORTAL, "sms", "dispatch", "--once"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert finish.returncode == 0, finish.stderr
    counts = Counter(notify.references())
    assert set(counts) == set(ids)
    assert [ref for ref, n in counts.items() if n > 1] == []
    assert statuses(engine) == Counter({"sent": len(ids)})


def test_dispatchers_racing_each_other_send_each_text_once(engine, notify: FakeNotify) -> None:  # type: ignore[no-untyped-def]
    ids = queue_texts(engine, 300)
    env = dispatcher_env(engine, notify)
    env["PORTAL_SMS_LEASE_SECONDS"] = "60"
    processes = [subprocess.Popen([PORTAL, "sms", "dispatch", "--once"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    counts = Counter(notify.references())
    assert set(counts) == set(ids) and max(counts.values()) == 1
    assert statuses(engine) == Counter({"sent": len(ids)})
    shares = [int(out.split("Sent ")[1].split(",")[0]) for out, _ in outputs]
    assert sum(shares) == len(ids)


def test_a_wrong_key_stops_the_dispatcher_with_one_line_and_marks_nothing(engine, notify: FakeNotify) -> None:  # type: ignore[no-untyped-def]
    queue_texts(engine, 5)
    env = dispatcher_env(engine, notify)
    env["PORTAL_NOTIFY_API_KEY"] = API_KEY[:-4] + "0000"
    result = subprocess.run([PORTAL, "sms", "dispatch", "--once"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "refused to work" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert statuses(engine) == Counter({"queued": 5})


def test_three_dispatchers_and_a_slow_notify_send_no_text_twice(engine) -> None:  # type: ignore[no-untyped-def]
    """Issue 36, finding 1: each dispatcher claimed 100 texts and sent them one by one past its lease; the next
    claimed them when it ran out and both sent. With a lease shorter than a batch takes, three dispatchers and a
    Notify that answers slowly send each of 1,000 texts exactly once."""
    slow = FakeNotify(delay=0.01)
    try:
        ids = queue_texts(engine, 1000)
        env = dispatcher_env(engine, slow)
        env["PORTAL_SMS_LEASE_SECONDS"] = "1"  # shorter than a hundred texts take
        processes = [subprocess.Popen([PORTAL, "sms", "dispatch", "--once"], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(3)]
        outputs = [process.communicate(timeout=300) for process in processes]
        assert all(process.returncode == 0 for process in processes), outputs
        counts = Counter(slow.references())
        assert [ref for ref, n in counts.items() if n > 1] == []
        assert set(counts) == set(ids) and statuses(engine) == Counter({"sent": len(ids)})
    finally:
        slow.close()


def test_the_dispatcher_waits_through_database_trouble_and_goes_on(engine, notify: FakeNotify) -> None:  # type: ignore[no-untyped-def]
    """Issue 36, finding 3: with PostgreSQL refusing connections, or SQLite locked past its busy time, the
    dispatcher exited (status 2) and stayed down while texts piled up. It waits, says so, and goes on."""
    from sqlalchemy import create_engine, text

    ids = queue_texts(engine, 20)
    env = dispatcher_env(engine, notify)
    env["PORTAL_DATABASE_BUSY_SECONDS"] = "1"
    postgres = engine.dialect.name == "postgresql"
    name = engine.url.database
    admin = create_engine(engine.url.set(database="postgres" if postgres else name), isolation_level="AUTOCOMMIT") \
        if postgres else None
    blocker = None
    if postgres:  # PostgreSQL "stopped": no one may connect to the portal's database for a while
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
    else:  # SQLite locked by another writer for longer than the dispatcher's busy time
        import sqlite3

        blocker = sqlite3.connect(engine.url.database, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
    process = subprocess.Popen([PORTAL, "sms", "dispatch", "--poll", "0.1"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(4 if postgres else 17)  # a command waits 15 s for SQLite's lock before the lock is trouble
        assert process.poll() is None, process.communicate()[0]  # still running, waiting
        assert notify.references() == []
    finally:
        if postgres:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            admin.dispose()
        else:
            blocker.execute("ROLLBACK")
            blocker.close()
    deadline = time.monotonic() + 60
    while len(set(notify.references())) < len(ids) and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert "the database is unavailable" in output and "answering again" in output, output
    assert sorted(notify.references()) == sorted(ids)
