"""Several terminals importing the same files at once, in real processes: each record is written once, and
every run reports each resource as imported by it or found unchanged — no errors, no duplicates."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import ExternalRecordRow, PatientIdentifierRow, PatientRow, TestResultRow
from tests.data import fhir_fixtures as fx

RUNS = 3


def import_in_a_process(url: str, paths: list[str]) -> dict:
    from datetime import UTC, datetime

    from data.engine import make_engine
    from data.records.fhir_import import import_fhir
    from domain.hospital import TrustCode

    engine = make_engine(url)
    try:
        return import_fhir(engine, paths, TrustCode.ROYAL_FREE, now=lambda: datetime.now(UTC)).as_json()
    finally:
        engine.dispose()


def test_imports_racing_in_processes_write_each_record_once(database_url, demo_engine) -> None:  # type: ignore[no-untyped-def]
    paths = fx.samples()
    with Session(demo_engine) as session:
        demo_patients = session.scalar(select(func.count()).select_from(PatientRow))
        demo_results = session.scalar(select(func.count()).select_from(TestResultRow))
    with ProcessPoolExecutor(RUNS, mp_context=multiprocessing.get_context("spawn")) as pool:
        reports = list(pool.map(import_in_a_process, [database_url] * RUNS, [paths] * RUNS))
    assert [r["errors"] for r in reports] == [[]] * RUNS
    imported = sum((Counter(r["imported"]) for r in reports), Counter())
    with Session(demo_engine) as session:
        records = Counter(dict(session.execute(select(ExternalRecordRow.resource_type, func.count())
                                               .group_by(ExternalRecordRow.resource_type)).all()))
        assert records == imported, "every record was imported by exactly one of the runs"
        assert session.scalar(select(func.count()).select_from(PatientRow)) == demo_patients + 10
        assert session.scalar(select(func.count()).select_from(PatientIdentifierRow)) == 10
        assert session.scalar(select(func.count()).select_from(TestResultRow)) == demo_results + records["Observation"]
    for report in reports:
        seen = Counter(report["imported"]) + Counter(report["unchanged"])
        assert seen == records, "each run accounts for every resource"
