"""`make bench`, part 2: 100,000 reminders queued by `sms remind` and sent by the dispatcher, per second.

The sender is an in-process no-op, so the figure is the outbox's own: claims, leases and one commit per text
(the commit that makes a crash lose nothing). SQLite always; PostgreSQL too when PORTAL_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import postgres_database  # noqa: E402
from data import schema  # noqa: E402
from data.engine import make_engine  # noqa: E402
from data.models import AppointmentRow, ClinicRow, PatientRow, SiteRow, TrustRow  # noqa: E402
from data.messaging.outbox import SqlOutboxQueue  # noqa: E402
from data.messaging.reminders import queue_reminders  # noqa: E402
from domain.clock import FixedClock  # noqa: E402
from domain.messaging.dispatch import dispatch_batch  # noqa: E402

REMINDERS = int(os.environ.get("BENCH_REMINDERS", "100000"))
PATIENTS = 20_000


class NoOpSender:
    def send(self, message) -> None:  # type: ignore[no-untyped-def]
        pass

    def was_sent(self, reference: str) -> bool:
        return False


def build(engine) -> datetime:  # type: ignore[no-untyped-def]
    """One clinic, 20,000 patients, and REMINDERS appointments 20 to 23 hours ahead: each one's 1-day
    reminder is due now."""
    now = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    with Session(engine) as s:
        s.execute(insert(TrustRow), [dict(code="RWG", name="West Herts", short_name="West Herts",
                                          appointments_phone="01632 960 100", appointments_email="a@example.nhs.uk")])
        s.execute(insert(SiteRow), [dict(id=1, trust_code="RWG", code="WGH", name="Watford General Hospital",
                                         address="Vicarage Road", postcode="WD18 0HB")])
        s.execute(insert(ClinicRow), [dict(id=1, code="CARD", name="Cardiology", specialty="Cardiology",
                                           trust_code="RWG", site_id=1, name_safe_in_sms=False)])
        s.execute(insert(PatientRow), [dict(id=n, hospital_number=f"RWG{n:07d}", trust_code="RWG", given_name="Pat",
                                            family_name=f"N{n}", date_of_birth=date(1960, 1, 1), postcode="WD18 0HB",
                                            mobile=f"+447700900{n % 1000:03d}", letter_preference="paper")
                                       for n in range(1, PATIENTS + 1)])
        for start in range(0, REMINDERS, 20_000):
            s.execute(insert(AppointmentRow), [dict(
                reference=f"B{n:09d}", patient_id=n % PATIENTS + 1, trust_code="RWG", clinic_id=1, kind="outpatient_follow_up",
                status="booked", starts_at=now + timedelta(hours=20, seconds=n % 10_000), duration_minutes=20,
                booked_at=now - timedelta(days=30), transport_booked=False, times_rescheduled=0, reschedule_limit=2)
                for n in range(start, min(start + 20_000, REMINDERS))])
        s.commit()
    return now


def measure(name: str, url: str) -> None:
    engine = make_engine(url)
    schema.upgrade(engine)
    now = build(engine)
    started = time.perf_counter()
    report = queue_reminders(engine, now, (1,))
    queued_in = time.perf_counter() - started
    # Dispatch at the bench's own 10am: on the real clock it could be night, when reminders rightly wait.
    queue, sent, clock = SqlOutboxQueue(engine), 0, FixedClock(now)
    started = time.perf_counter()
    while True:
        batch = dispatch_batch(queue, NoOpSender(), clock, "bench", limit=500)
        sent += batch.sent
        if not batch.claimed:
            break
    sent_in = time.perf_counter() - started
    engine.dispose()
    print(f"  {name:<10} queued {report.queued:>7} in {queued_in:6.1f} s = {report.queued / queued_in:8.0f}/s   "
          f"dispatched {sent:>7} in {sent_in:6.1f} s = {sent / sent_in:6.0f}/s")


def main() -> int:
    print(f"SMS outbox: {REMINDERS} reminders queued (sms remind) and dispatched (no-op sender)")
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{folder}/bench.db")
    admin_url = os.environ.get("PORTAL_TEST_POSTGRES_URL")
    if admin_url:
        with postgres_database(admin_url, "portal_bench") as url:
            measure("PostgreSQL", url)
    else:
        print("  PostgreSQL skipped: set PORTAL_TEST_POSTGRES_URL to measure it too")
    return 0


if __name__ == "__main__":
    sys.exit(main())
