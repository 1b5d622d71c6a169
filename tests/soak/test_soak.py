"""Many terminals at once against one PostgreSQL, for a set time: real kiosk and desk programs (each in a process
of its own, driven by the Pilot) move, cancel and open into the same clinics while the SMS dispatcher sends the
outbox and the HL7 listener takes a stream of patient updates; every other desk makes its calls through one desk
service (`portal-tui desk-service`), as a desk host's many SSH sessions do. Afterwards every invariant holds: one live booking
per slot, no appointment past its limit, one text and one audit row per change, one audit row per record opened,
every text sent, every HL7 message acknowledged and stored once — and no process met a fault.

Opt in with `-m soak` (make test runs it for 15 s, 5 kiosks and 3 desks, when PostgreSQL is there); run it
longer by hand: `SOAK_SECONDS=600 SOAK_KIOSKS=14 SOAK_DESKS=6 .venv/bin/pytest -m soak -s`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from data.demo import DEMO_PASSWORD
from tests.test_hl7_feed import PAS
from tests.e2e.conftest import PORTAL

pytestmark = [pytest.mark.soak, pytest.mark.postgres]
STAFF_KEY = "a soak desk key, tests only"
STAFF_PASSWORD = "quiet harbour lantern"


def _env(url: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return {**base, "PORTAL_DATABASE_URL": url, "PORTAL_DEMO": "true", "PORTAL_ALLOW_DRAMA_NUMBERS": "true",
            "PORTAL_KIOSK_PIN": "2468", "PORTAL_STAFF_SECRET_KEY": STAFF_KEY,
            "SOAK_PATIENT_PASSWORD": DEMO_PASSWORD, "SOAK_STAFF_PASSWORD": STAFF_PASSWORD, "SOAK_STAFF_KEY": STAFF_KEY}


def _enrol_desks(engine, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    from data.staff.accounts import FernetBox, TotpFactor
    from data.uow import SqlUnitOfWork, session_factory
    from domain.clock import SystemClock
    from domain.identity.session import StaffRole
    from domain.staff import accounts as staff
    from tests.data.demo_fixtures import FAST_HASHER

    who = []
    for n in range(count):
        enrolment = staff.add_staff(SqlUnitOfWork(session_factory(engine)), SystemClock(), FAST_HASHER, TotpFactor(),
                                    FernetBox(STAFF_KEY), f"soak.desk{n}", f"Soak Desk {n}",
                                    StaffRole.APPOINTMENTS_CLERK, STAFF_PASSWORD, "admin.soak")
        who.append(f"soak.desk{n}:{enrolment.secret}")
    return who


def _patients(engine, count: int) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Registered patients with an upcoming outpatient appointment they may change online (their email), and
    hospital numbers for the desks to open. Their limits are raised so that a long soak keeps moving."""
    with engine.begin() as connection:
        rows = connection.execute(text(
            "SELECT DISTINCT a.email, p.hospital_number FROM patient_account a JOIN patient p ON p.id = a.patient_id "
            "JOIN appointment ap ON ap.patient_id = p.id WHERE ap.status = 'booked' AND ap.starts_at > now() "
            "AND ap.kind LIKE 'outpatient%' AND NOT ap.transport_booked ORDER BY a.email")).all()
        emails = [email for email, _ in rows][:count]
        connection.execute(text("UPDATE appointment SET reschedule_limit = 1000 WHERE patient_id IN "
                                "(SELECT patient_id FROM patient_account WHERE email = ANY(:emails))"),
                           {"emails": emails})
        numbers = [number for (number,) in connection.execute(text(
            "SELECT hospital_number FROM patient ORDER BY id LIMIT 40")).all()]
    return emails, numbers


def _hl7_feeder(port: int, stop: threading.Event, numbers: list[str], sent: list[str]) -> None:
    """A PAS sending patient updates (A08) one after another, each waiting for its ACK."""
    import hl7
    import hl7.mllp

    async def feed() -> None:
        reader, writer = await hl7.mllp.open_hl7_connection("127.0.0.1", port)
        n = 0
        while not stop.is_set():
            number = numbers[n % len(numbers)]
            control = f"SOAK{n:06d}"
            message = (f"MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124101500||ADT^A31|{control}|P|2.4\r"
                       f"PID|1||{number}^^^RWG^MR||SOAKTEST^Patient{n}||19700101\r")
            writer.writemessage(hl7.parse(message))
            await writer.drain()
            ack = str(await asyncio.wait_for(reader.readmessage(), 30))
            if f"MSA|AA|{control}" in ack or f"MSA|AE|{control}" in ack or f"MSA|AR|{control}" in ack:
                sent.append(control)
            n += 1
            await asyncio.sleep(0.05)
        writer.close()

    asyncio.run(feed())


def _counts(engine) -> Counter[str]:  # type: ignore[no-untyped-def]
    from data.models import AuditEventRow, SmsMessageRow

    with Session(engine) as s:
        counts: Counter[str] = Counter()
        for template, n in s.execute(select(SmsMessageRow.template, func.count()).group_by(SmsMessageRow.template)):
            counts[f"text {template}"] = n
        for action, n in s.execute(select(AuditEventRow.action, func.count()).group_by(AuditEventRow.action)):
            counts[f"audit {action}"] = n
    return counts


def test_many_kiosks_and_desks_at_once_keep_every_invariant(postgres_url: str, tmp_path: Path) -> None:
    from data.engine import make_engine
    from data.models import LIVE_STATUS_SQL, AppointmentRow, Hl7MessageRow, SmsMessageRow

    seconds = float(os.environ.get("SOAK_SECONDS", "20"))
    kiosks, desks = int(os.environ.get("SOAK_KIOSKS", "6")), int(os.environ.get("SOAK_DESKS", "4"))
    env = _env(postgres_url)
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([PORTAL, *command], env=env, check=True, capture_output=True, timeout=300)
    engine = make_engine(postgres_url)
    try:
        staff = _enrol_desks(engine, desks)
        emails, numbers = _patients(engine, kiosks)
        assert len(emails) == kiosks, f"the demo has only {len(emails)} patients who can move an appointment"
        before = _counts(engine)
        dispatcher = subprocess.Popen([PORTAL, "sms", "dispatch"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=(tmp_path / "dispatch.log").open("w"))
        listener = subprocess.Popen([PORTAL, "hl7", "listen", "--port", "0"], env={**env, **PAS}, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
        assert listener.stdout is not None
        port = int(listener.stdout.readline().rsplit(":", 1)[1])
        # Its line a message is read as it comes: a pipe left full (64 KiB) would stop the listener mid-write.
        said: list[str] = []
        threading.Thread(target=lambda: said.extend(listener.stdout), daemon=True).start()
        stop, acknowledged = threading.Event(), []
        feeder = threading.Thread(target=_hl7_feeder, args=(port, stop, numbers, acknowledged))
        feeder.start()
        folder = Path(tempfile.mkdtemp(prefix="ds-", dir="/tmp"))  # a socket's path must be short
        service_socket = folder / "desk.sock"
        # The soak's desks are machines clicking as fast as they can, not people: the per-desk call rate is lifted.
        service = subprocess.Popen([PORTAL, "desk-service", "--socket", str(service_socket)],
                                   env={**env, "PORTAL_DESK_CALLS_PER_SECOND": "1000"},
                                   stdout=subprocess.DEVNULL, stderr=(tmp_path / "desk-service.log").open("w"))
        while not service_socket.exists():
            assert service.poll() is None, (tmp_path / "desk-service.log").read_text()
            time.sleep(0.05)
        started = time.monotonic()
        drivers = []
        for n, email in enumerate(emails):
            out = tmp_path / f"kiosk{n}.json"
            drivers.append((out, subprocess.Popen([sys.executable, "-m", "tests.soak.driver", "kiosk", email,
                                                   str(seconds), str(n), str(out)], env=env)))
        for n, who in enumerate(staff):
            out = tmp_path / f"desk{n}.json"
            served = {"SOAK_DESK_SERVICE": str(service_socket)} if n % 2 else {}  # every other desk
            drivers.append((out, subprocess.Popen([sys.executable, "-m", "tests.soak.driver", "desk", who,
                                                   str(seconds), str(100 + n), str(out), *numbers],
                                                  env={**env, **served})))
        for _, process in drivers:
            process.wait(timeout=seconds + 300)
        elapsed = time.monotonic() - started
        stop.set()
        feeder.join(timeout=60)
        listener.send_signal(signal.SIGTERM)
        listener.wait(timeout=30)
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=60) == 0, (tmp_path / "desk-service.log").read_text()
        folder.rmdir()
        dispatcher.send_signal(signal.SIGTERM)
        dispatcher.wait(timeout=60)
        subprocess.run([PORTAL, "sms", "dispatch", "--once"], env=env, check=True, capture_output=True, timeout=120)

        results = [json.loads(out.read_text()) for out, _ in drivers]
        outcomes = sum((Counter(r["outcomes"]) for r in results), Counter())
        unexpected = [u for r in results for u in r["unexpected"]]
        faults = sum(r["faults"] for r in results)
        moved = [ref for r in results for ref in r["moved"]]
        cancelled = [ref for r in results for ref in r["cancelled"]]
        opened = sum(r["opened"] for r in results)
        operations = sum(outcomes.values())
        report = (f"soak: {kiosks} kiosks and {desks} desks for {seconds:.0f} s ({elapsed:.0f} s with start-up): "
                  f"{operations} operations, {operations / elapsed:.1f}/s; {dict(outcomes)}; "
                  f"{len(acknowledged)} HL7 messages; {len(unexpected)} unexpected, {faults} faults")
        print(report)
        (tmp_path / "report.txt").write_text(report)
        assert unexpected == [] and faults == 0, unexpected[:3]
        assert outcomes["moved"] + outcomes["opened"] > 0, report

        after = _counts(engine)
        with Session(engine) as s:
            doubled = s.execute(select(AppointmentRow.slot_id, func.count()).where(
                text(LIVE_STATUS_SQL), AppointmentRow.slot_id.is_not(None))
                                .group_by(AppointmentRow.slot_id).having(func.count() > 1)).all()
            assert doubled == [], f"slots with two live bookings: {doubled}"
            past_limit = s.scalar(select(func.count()).where(
                AppointmentRow.times_rescheduled > AppointmentRow.reschedule_limit))
            assert past_limit == 0
            moved_rows = Counter(s.scalars(select(AppointmentRow.reference).where(
                AppointmentRow.reference.in_(moved), AppointmentRow.status == "rescheduled")))
            assert sorted(moved_rows.elements()) == sorted(moved), "a move the kiosk showed is not in the database"
            unsent = s.scalar(select(func.count()).where(SmsMessageRow.status.in_(("queued", "sending"))))
            assert unsent == 0, f"{unsent} texts never sent"
            stored = s.scalar(select(func.count(func.distinct(Hl7MessageRow.control_id))).where(
                Hl7MessageRow.control_id.like("SOAK%")))
            assert stored == len(acknowledged)
        grew = after - before
        assert grew["text reschedule_confirmation"] == len(moved), (grew, len(moved))
        assert grew["text cancellation_confirmation"] == len(cancelled), (grew, len(cancelled))
        assert grew["audit staff_open"] == opened, (grew, opened)
        assert grew["audit reschedule_appointment"] == len(moved), grew
        assert grew["audit cancel_appointment"] == len(cancelled), grew
    finally:
        engine.dispose()
