"""`make bench`, part 4: `import fhir` on the shared FHIR samples, in resources per second.

Each run imports every file of ../shared/data/fhir into a fresh database (SQLite always; PostgreSQL too when
PORTAL_TEST_POSTGRES_URL is set), then imports them again (everything unchanged). Floors measured in the same
run: reading the same files and parsing their JSON (what any importer must do), and validating every kept
resource with fhir.resources (what this one chooses to do) — so the figure says how much of an import is the
database's."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import postgres_database  # noqa: E402
from data import schema  # noqa: E402
from data.demo.builder import REFERENCE  # noqa: E402
from data.reference import apply, read  # noqa: E402
from data.engine import make_engine  # noqa: E402
from data.records.fhir_import import import_fhir  # noqa: E402
from data.records.fhir_map import KEPT, validate  # noqa: E402
from data.records.fhir_read import Entry, entries, expand  # noqa: E402
from domain.hospital import TrustCode  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "fhir"
ROUNDS = 3


def floors(paths: list[str]) -> tuple[int, float, float]:
    """(entries, seconds to read and parse the JSON, seconds to validate the kept resources): best of ROUNDS."""
    files, _ = expand(paths)
    read, checked, count = [], [], 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        found = [item for path in files for item in entries(path) if isinstance(item, Entry)]
        read.append(time.perf_counter() - started)
        count = len(found)
        started = time.perf_counter()
        for item in found:
            if item.resource_type in KEPT:
                validate(item)
        checked.append(time.perf_counter() - started)
    return count, min(read), min(checked)


def run(name: str, url: str, paths: list[str], count: int, parse: float) -> None:
    engine = make_engine(url)
    schema.upgrade(engine)
    with Session(engine) as session:
        apply(session, read(REFERENCE))  # the demo trusts, as `reference load` would
        session.commit()
    now = lambda: datetime(2026, 11, 24, tzinfo=UTC)  # noqa: E731
    for label in ("first import", "same files again"):
        started = time.perf_counter()
        report = import_fhir(engine, paths, TrustCode.ROYAL_FREE, now=now)
        seconds = time.perf_counter() - started
        assert not report.errors, report.errors[:3]
        print(f"    {name:<10} {label:<17} {count / seconds:7.0f} resources/s  ({seconds:5.2f} s; "
              f"x{seconds / parse:4.1f} the JSON floor)")
    engine.dispose()


def main() -> int:
    if not SAMPLES.is_dir():
        print(f"FHIR import: skipped, the shared samples are not here ({SAMPLES})")
        return 0
    paths = [str(p) for p in sorted(SAMPLES.iterdir()) if p.is_dir()]
    count, parse, checked = floors(paths)
    print(f"FHIR import of the shared samples: {count:,} resources in {len(expand(paths)[0])} files")
    print(f"    floor: read + parse JSON {count / parse:9.0f} resources/s ({parse:5.2f} s); "
          f"+ validate kept ones with fhir.resources {count / (parse + checked):6.0f} resources/s "
          f"({parse + checked:5.2f} s)")
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", f"sqlite:///{folder}/import.db", paths, count, parse)
    admin_url = os.environ.get("PORTAL_TEST_POSTGRES_URL")
    if not admin_url:
        print("    PostgreSQL skipped: set PORTAL_TEST_POSTGRES_URL to measure it too")
        return 0
    with postgres_database(admin_url, "portal_bench_import") as url:
        run("PostgreSQL", url, paths, count, parse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
