"""`make bench`, part 3: a patient's appointment list, the free-slot search for a reschedule, the documents list
and the results table, at hospital scale.

Builds 100,000 patients, 1,000,000 appointments, 2,000,000 slots, 400,000 documents and 1,500,000 results once (kept in .bench/ for SQLite, and in
a database named after the schema revision on PostgreSQL), then times the real use cases — access check, unit
of work, queries, conversion to domain objects — for random patients and appointments. Reports median and p95,
and each as a ratio to a floor measured in the same run: one patient's record read by primary key through the
same unit of work. Target: p95 <= 10 ms on SQLite."""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data import schema  # noqa: E402
from data.engine import make_engine  # noqa: E402
from data.migrations import HEAD  # noqa: E402
from data.uow import SqlUnitOfWork, session_factory  # noqa: E402
from domain.staff import desk  # noqa: E402
from domain.appointments import changes as my_appointments  # noqa: E402
from domain.records import reading as my_records  # noqa: E402
from domain.appointments.rules import OnlinePolicy  # noqa: E402
from domain.clock import FixedClock  # noqa: E402
from domain.identity.session import PatientSession, StaffRole, StaffSession  # noqa: E402

PATIENTS = int(os.environ.get("BENCH_PATIENTS", "100000"))
APPOINTMENTS = PATIENTS * 10
SLOTS = PATIENTS * 20
CLINICIANS = 400
SLOTS_A_DAY = 10
DOCUMENTS_EACH = 4
RESULTS_EACH = 15
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "1000"))
TARGET_P95_MS = 10.0
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
"""The bench's own clock: the dataset is built around it, so results do not depend on the day it runs."""
CHUNK = 100_000
HERE = Path(__file__).resolve().parent


def slot_rows() -> Iterator[tuple]:
    """(id, clinic, clinician, location, starts_at, minutes): each clinician's weekdays, 10 a day, half of them
    past and half to come (at full size: from 50 weeks ago to 50 weeks ahead)."""
    per_clinician = SLOTS // CLINICIANS
    weeks = per_clinician / (SLOTS_A_DAY * 5)
    first_day = (NOW - timedelta(weeks=weeks / 2)).replace(hour=9, minute=0)
    slot_id = 0
    for clinician in range(1, CLINICIANS + 1):
        day, made = first_day, 0
        while made < per_clinician:
            if day.weekday() < 5:
                for n in range(min(SLOTS_A_DAY, per_clinician - made)):
                    slot_id += 1
                    yield (slot_id, clinic_of(clinician), clinician, location_of(clinician),
                           day + timedelta(minutes=20 * n), 20)
                    made += 1
            day += timedelta(days=1)


def clinic_of(clinician: int) -> int:
    return (clinician - 1) % 40 + 1


def location_of(clinician: int) -> int:
    return (clinician - 1) % 20 + 1


def build(engine, write: Callable[[str, list[str], Iterator[tuple]], None]) -> None:  # type: ignore[no-untyped-def]
    """Reference rows through SQL, the bulk through `write` (executemany on SQLite, COPY on PostgreSQL)."""
    rng = random.Random(2026)
    with engine.begin() as c:
        c.execute(text("INSERT INTO trust VALUES ('RWG', 'West Hertfordshire Teaching Hospitals NHS Trust', "
                       "'West Herts', '01632 960 100', 'a@example.nhs.uk'), ('RAL', 'Royal Free London NHS "
                       "Foundation Trust', 'Royal Free', '01632 960 200', 'b@example.nhs.uk')"))
        for site in range(1, 5):
            trust = "RWG" if site <= 3 else "RAL"
            c.execute(text("INSERT INTO site (id, trust_code, code, name, address, postcode) VALUES "
                           f"({site}, '{trust}', 'S{site}', 'Site {site}', 'Road {site}', 'WD18 0HB')"))
        for location in range(1, 21):
            c.execute(text(f"INSERT INTO location (id, site_id, name) VALUES ({location}, {(location - 1) % 4 + 1}, "
                           f"'Outpatients {location}')"))
        for clinic in range(1, 41):
            site = (clinic - 1) % 20 % 4 + 1
            trust = "RWG" if site <= 3 else "RAL"
            c.execute(text("INSERT INTO clinic (id, code, name, specialty, trust_code, site_id, name_safe_in_sms) "
                           f"VALUES ({clinic}, 'C{clinic}', 'Clinic {clinic}', 'Specialty', '{trust}', {site}, false)"))
        for clinician in range(1, CLINICIANS + 1):
            trust = "RWG" if (clinician - 1) % 40 % 20 % 4 + 1 <= 3 else "RAL"
            c.execute(text("INSERT INTO clinician (id, code, title, given_name, family_name, role, trust_code) VALUES "
                           f"({clinician}, 'D{clinician}', 'Dr', 'Given', 'Family{clinician}', 'Consultant', "
                           f"'{trust}')"))
    write("patient", ["id", "nhs_number", "hospital_number", "trust_code", "given_name", "family_name",
                      "date_of_birth", "postcode", "mobile", "letter_preference"],
          ((n, _nhs_number(n), f"H{n:09d}", "RWG", "Pat", f"{SURNAMES[n % len(SURNAMES)]}{n % 7 or ''}",
            (date(1930, 1, 1) + timedelta(days=(n * 7919) % 27000)).isoformat(), "WD18 0HB",
            f"+447700900{n % 1000:03d}", "paperless") for n in range(1, PATIENTS + 1)))
    slots = list(slot_rows())
    write("slot", ["id", "clinic_id", "clinician_id", "location_id", "starts_at", "duration_minutes"], iter(slots))
    taken = rng.sample(range(len(slots)), APPOINTMENTS)  # half the slots are booked, at random

    def appointments() -> Iterator[tuple]:
        for n, index in enumerate(taken, start=1):
            slot_id, clinic, clinician, location, starts, minutes = slots[index]
            status = "booked" if starts > NOW else "attended"
            trust = "RWG" if (clinic - 1) % 20 % 4 + 1 <= 3 else "RAL"
            yield (n, f"B{n:09d}", n % PATIENTS + 1, trust, clinic, clinician, location, slot_id,
                   "outpatient_follow_up", status, starts, minutes, NOW - timedelta(days=60), False, 0, 2)

    write("appointment", ["id", "reference", "patient_id", "trust_code", "clinic_id", "clinician_id", "location_id",
                          "slot_id", "kind", "status", "starts_at", "duration_minutes", "booked_at",
                          "transport_booked", "times_rescheduled", "reschedule_limit"], appointments())
    body = "Dear patient,\n\nThis letter confirms your appointment. " * 8
    kinds = ("appointment_confirmation", "clinic_outcome", "discharge_summary", "clinical_note")

    def documents() -> Iterator[tuple]:
        n = 0
        for patient in range(1, PATIENTS + 1):
            for k in range(DOCUMENTS_EACH):
                n += 1
                yield (n, patient, "RWG" if k % 2 else "RAL", kinds[k % 4], f"Letter {k}",
                       NOW - timedelta(days=30 * k + patient % 30), "text/markdown", len(body), body)

    write("document", ["id", "patient_id", "trust_code", "kind", "title", "written_at", "content_type", "size_bytes",
                       "body_markdown"], documents())
    tests = (("Sodium", "2951-2", "mmol/L", 133, 146), ("Potassium", "2823-3", "mmol/L", 3.5, 5.3),
             ("Creatinine", "2160-0", "umol/L", 59, 104), ("Haemoglobin", "718-7", "g/L", 130, 180),
             ("White cell count", "6690-2", "10*9/L", 4, 11))

    def results() -> Iterator[tuple]:
        n = 0
        for patient in range(1, PATIENTS + 1):
            for k in range(RESULTS_EACH):
                n += 1
                name, code, unit, low, high = tests[k % len(tests)]
                value = round(rng.uniform(low * 0.8, high * 1.2), 1)
                flag = "low" if value < low else "high" if value > high else "normal"
                yield (n, patient, "RWG" if k % 3 else "RAL", NOW - timedelta(days=60 * (k // 5) + patient % 20),
                       "Blood tests", name, code, str(value), value, unit, low, high, flag)

    write("test_result", ["id", "patient_id", "trust_code", "taken_at", "panel", "test_name", "code", "value_text",
                          "value_number", "unit", "range_low", "range_high", "flag"], results())


def sqlite_writer(engine):  # type: ignore[no-untyped-def]
    def write(table: str, columns: list[str], rows: Iterator[tuple]) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("BEGIN")
            batch: list[tuple] = []
            for row in rows:
                batch.append(tuple(_sqlite_value(v) for v in row))
                if len(batch) == CHUNK:
                    cursor.executemany(sql, batch)
                    batch.clear()
            cursor.executemany(sql, batch)
            cursor.execute("COMMIT")
        finally:
            raw.close()

    return write


def _sqlite_value(value: object) -> object:
    # The format SQLAlchemy itself stores UTC instants in on SQLite.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def postgres_writer(engine):  # type: ignore[no-untyped-def]
    def write(table: str, columns: list[str], rows: Iterator[tuple]) -> None:
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                if "id" in columns:  # COPY gave the ids: the table's sequence must start after them
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 1) FROM {table}))")
            raw.commit()
        finally:
            raw.close()

    return write


def timed(call: Callable[[], object], samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
            "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
            "Clarke", "Khan", "Lewis", "O'Brien", "Fernández", "Nowak", "Okafor", "Begum", "Murphy", "Hughes"]


def _nhs_number(n: int) -> str | None:
    """A valid NHS number in the synthetic 999 range (None where the check digit would be 10: not a number)."""
    base = f"999{n % 1_000_000:06d}"
    remainder = sum(int(d) * w for d, w in zip(base, range(10, 1, -1))) % 11
    check = 11 - remainder
    if check == 10:
        return None
    return base + str(0 if check == 11 else check)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def measure(name: str, engine) -> bool:  # type: ignore[no-untyped-def]
    clock, policy = FixedClock(NOW), OnlinePolicy()
    readers = session_factory(engine, read_only=True)
    rng = random.Random(7)
    with engine.connect() as c:
        future = [row[0] for row in c.execute(text(
            "SELECT id FROM appointment WHERE status = 'booked' AND starts_at > :after ORDER BY id LIMIT 20000"),
            {"after": _sqlite_value(NOW + timedelta(days=3)) if engine.dialect.name == "sqlite"
             else NOW + timedelta(days=3)})]
        owners = dict(c.execute(text("SELECT id, patient_id FROM appointment WHERE id IN (%s)"
                                     % ",".join(map(str, future[:5000])))).all())
    patients = [rng.randint(1, PATIENTS) for _ in range(SAMPLES)]
    moves = [rng.choice(list(owners)) for _ in range(SAMPLES)]
    it_p, it_m, it_f = iter(patients * 2), iter(moves * 2), iter(patients * 2)

    def floor() -> object:
        with SqlUnitOfWork(readers) as uow:
            return uow.patients.get(next(it_f))

    def listing() -> object:
        who = next(it_p)
        return my_appointments.appointment_list(SqlUnitOfWork(readers), clock, PatientSession(who, NOW))

    def search() -> object:
        appointment = next(it_m)
        return my_appointments.reschedule_options(SqlUnitOfWork(readers), clock,
                                                  PatientSession(owners[appointment], NOW), appointment, policy)

    it_d, it_r = iter(patients * 2), iter(patients * 2)

    def letters() -> object:
        return my_records.letters(SqlUnitOfWork(readers), clock, PatientSession(next(it_d), NOW))

    def results_table() -> object:
        return my_records.results(SqlUnitOfWork(readers), clock, PatientSession(next(it_r), NOW))

    heavy = heavy_patient(engine)

    def results_heavy() -> object:
        return my_records.results_page(SqlUnitOfWork(readers), clock, PatientSession(heavy, NOW))

    staff = StaffSession(1, "bench.clerk", StaffRole.APPOINTMENTS_CLERK, NOW)
    writers = session_factory(engine)  # a staff search writes its audit row: part of what it costs
    with engine.connect() as c:
        people = c.execute(text("SELECT nhs_number, family_name, date_of_birth FROM patient WHERE id IN (%s)"
                                % ",".join(map(str, sorted(set(patients))[:500])))).all()
    by_number = iter([row[0] for row in people if row[0]] * (2 * SAMPLES // max(1, len(people)) + 2))
    by_name = iter([f"{row[1][:4]} {row[2]}" for row in people] * (2 * SAMPLES // max(1, len(people)) + 2))

    def staff_by_number() -> object:
        return desk.find_patients(SqlUnitOfWork(writers), clock, staff, next(by_number), NOW.date())

    def staff_by_name() -> object:
        return desk.find_patients(SqlUnitOfWork(writers), clock, staff, next(by_name), NOW.date())

    calls = (("floor", floor), ("list", listing), ("search", search), ("letters", letters),
             ("results", results_table), ("results-heavy", results_heavy), ("staff-number", staff_by_number),
             ("staff-name", staff_by_name))
    for _, call in calls:  # warm the caches and the statement cache, as a running kiosk has
        timed(call, 50)
    sizes = (len(listing()), len(search()), len(letters()),  # type: ignore[arg-type]
             sum(len(g.results) for g in results_table()))  # type: ignore[attr-defined]
    results = {label: timed(call, SAMPLES) for label, call in calls}
    floor_median = statistics.median(results["floor"])
    ok = True
    print(f"  {name}: floor (one patient by primary key) median {floor_median:.2f} ms, p95 {p95(results['floor']):.2f} ms")
    for label, words in (("list", f"appointment list ({sizes[0]} appointments)"),
                         ("search", f"free-slot search ({sizes[1]} free times in 12 weeks)"),
                         ("letters", f"documents list ({sizes[2]} letters)"),
                         ("results", f"results table ({sizes[3]} results, grouped)"),
                         ("results-heavy", f"results table, first page, of {HEAVY_RESULTS:,} results"),
                         ("staff-number", "desk: find a patient by NHS number"),
                         ("staff-name", "desk: by surname start + date of birth")):
        values = results[label]
        median, high = statistics.median(values), p95(values)
        verdict = "" if engine.dialect.name != "sqlite" else ("  ok" if high <= TARGET_P95_MS else "  OVER TARGET")
        ok = ok and (engine.dialect.name != "sqlite" or high <= TARGET_P95_MS)
        print(f"    {words:<48} median {median:6.2f} ms  p95 {high:6.2f} ms  "
              f"(x{median / floor_median:4.1f} / x{high / floor_median:4.1f} floor){verdict}")
    return ok


HEAVY_RESULTS = 50_000
"""One patient with this many results: the results page must open as fast as for a patient with 15."""


def heavy_patient(engine) -> int:  # type: ignore[no-untyped-def]
    """Patient 1 gets 50,000 more results (once): a page reads the newest, never all of them."""
    with engine.begin() as c:
        have = c.execute(text("SELECT count(*) FROM test_result WHERE patient_id = 1")).scalar_one()
        if have < HEAVY_RESULTS:
            from data.models import TestResultRow

            rows = [{"patient_id": 1, "trust_code": "RWG", "taken_at": NOW - timedelta(hours=3 * n),
                     "panel": "Glucose series", "test_name": "Glucose", "value_text": str(4 + n % 9),
                     "value_number": 4 + n % 9, "flag": "no_range"} for n in range(HEAVY_RESULTS)]
            c.execute(TestResultRow.__table__.insert(), rows)
    return 1


def sqlite_database() -> str:
    folder = HERE.parent / ".bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"appointments-{HEAD}-{PATIENTS}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        for leftover in folder.glob(partial.name + "*"):
            leftover.unlink()
        started = time.perf_counter()
        engine = make_engine(f"sqlite:///{partial}")
        schema.upgrade(engine)
        build(engine, sqlite_writer(engine))
        engine.dispose()
        partial.rename(path)
        print(f"  built the SQLite dataset in {time.perf_counter() - started:.0f} s ({path.stat().st_size >> 20} MiB)")
    return f"sqlite:///{path}"


def postgres_database(admin_url: str) -> str:
    name = f"portal_bench_{HEAD}_{PATIENTS}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as c:
        exists = c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    if exists:
        probe = make_engine(url)
        with probe.connect() as c:
            complete = c.execute(text("SELECT count(*) FROM portal_meta WHERE key = 'bench_complete'")).scalar()
        probe.dispose()
        if complete:
            admin.dispose()
            return url
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    started = time.perf_counter()
    engine = make_engine(url)
    schema.upgrade(engine)
    build(engine, postgres_writer(engine))
    with engine.begin() as c:
        c.execute(text("ANALYZE"))
        c.execute(text("INSERT INTO portal_meta (key, value) VALUES ('bench_complete', 'yes')"))
    engine.dispose()
    print(f"  built the PostgreSQL dataset in {time.perf_counter() - started:.0f} s")
    return url


def main() -> int:
    print(f"Appointments and records at scale: {PATIENTS:,} patients, {APPOINTMENTS:,} appointments, {SLOTS:,} slots, "
          f"{PATIENTS * DOCUMENTS_EACH:,} documents, {PATIENTS * RESULTS_EACH:,} results; "
          f"{SAMPLES} samples each (target p95 <= {TARGET_P95_MS:.0f} ms on SQLite)")
    engine = make_engine(sqlite_database())
    ok = measure("SQLite", engine)
    engine.dispose()
    admin_url = os.environ.get("PORTAL_TEST_POSTGRES_URL")
    if admin_url:
        engine = make_engine(postgres_database(admin_url))
        measure("PostgreSQL", engine)
        engine.dispose()
    else:
        print("  PostgreSQL skipped: set PORTAL_TEST_POSTGRES_URL to measure it too")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
