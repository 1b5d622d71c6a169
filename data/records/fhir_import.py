"""`portal-tui import fhir`: records from either trust's FHIR R4 export into the portal.

Two passes over the files. The first learns the patients (and writes them) and which report names each
Observation, so the order of files on the command line does not matter (a bulk export's
DocumentReference.ndjson sorts before its Patient.ndjson). The second writes everything else.

Each resource is written in its own savepoint, inside transactions of at most `BATCH` resources, and the
FHIR validation happens before the transaction opens: a bad resource is reported and rolled back alone,
everything before it stays, and the database's write lock is held only while rows are written.

Every imported resource leaves an `external_record` (trust, type, id, hash of its JSON): importing the same
files again finds each one unchanged and writes nothing; a resource that changed updates what it became."""

from __future__ import annotations

import base64
import gc
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from data.records.fhir_map import (
    BY_NHS_NUMBER,
    DocumentRecord,
    Panels,
    PatientRecord,
    Record,
    ReportRecord,
    ResultRecord,
    Skip,
    Unusable,
    VisitRecord,
    to_record,
)
from data import convert
from data.records.fhir_read import Entry, Problem, entries, expand
from data.models import (
    HospitalNumberRow,
    DocumentRow,
    ExternalRecordRow,
    PatientIdentifierRow,
    PatientRow,
    TestResultRow,
    TrustRow,
    VisitRow,
)
from domain.audit import AuditEvent, Outcome
from domain.events.person import CHANGES_WATCHED, changes_said
from domain.hospital import TrustCode
from domain.identity.patients import LetterPreference
from domain.records.model import ResultFlag

BATCH = 200
"""Resources per transaction: small enough that kiosks barely wait for the write lock."""

Progress = Callable[[int], None]
"""Told how many more entries have been dealt with."""


@dataclass
class ImportReport:
    """What an import did, by resource type; `as_json` is what `--json` prints."""

    files: int = 0
    imported: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    """Why things were skipped, with how many of each."""
    errors: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    @property
    def resources(self) -> int:
        return sum(self.imported.values()) + sum(self.unchanged.values()) + sum(self.skipped.values()) \
            + sum(1 for e in self.errors if e.entry is not None)

    def as_json(self) -> dict[str, object]:
        return {"files": self.files, "imported": dict(sorted(self.imported.items())),
                "unchanged": dict(sorted(self.unchanged.items())), "skipped": dict(sorted(self.skipped.items())),
                "skipped_reasons": dict(self.reasons.most_common()),
                "errors": [e.as_json() for e in self.errors]}


class TrustNotSetUp(Exception):
    """The trust the files come from is not in this database yet."""

    def __init__(self, trust: TrustCode) -> None:
        super().__init__(f"The trust {trust.value} is not set up in this database, so nothing of its can be "
                         f"imported. Load the hospital's reference data first (`portal-tui reference load FILE`; the demo: `portal-tui demo load`).")


def trust_is_set_up(engine: Engine, trust: TrustCode) -> bool:
    with Session(engine) as session:
        return session.get(TrustRow, trust.value) is not None


def count_entries(paths: list[str]) -> int:
    """How many entries the files hold (for a progress bar): a cheap first look."""
    files, _ = expand(paths)
    total = 0
    for path in files:
        total += sum(1 for item in entries(path) if isinstance(item, Entry))
    return total


def import_fhir(engine: Engine, paths: list[str], trust: TrustCode, *, now: Callable[[], datetime],
                progress: Progress | None = None) -> ImportReport:
    """Import every file; never raises for what is in the files (that goes in the report). The trust must be
    set up in the database (its row names its Appointments team); `TrustNotSetUp` says when it is not."""
    if not trust_is_set_up(engine, trust):
        raise TrustNotSetUp(trust)
    with _long_lived_objects_frozen():
        return _import(engine, paths, trust, now, progress)


@contextmanager
def _long_lived_objects_frozen() -> Iterator[None]:
    """The cyclic garbage collector leaves alone what existed before the import (the FHIR models' classes,
    SQLAlchemy's, the program's): its full collections re-scanned all of them again and again while an import
    made its millions of short-lived objects — a quarter of the import's time, measured. Undone afterwards;
    left as it is if someone else froze it first."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _import(engine: Engine, paths: list[str], trust: TrustCode, now: Callable[[], datetime],
            progress: Progress | None) -> ImportReport:
    report = ImportReport()
    files, problems = expand(paths)
    report.files = len(files)
    report.errors.extend(problems)
    writer = _Writer(engine, trust, now, report)
    panels = Panels()
    kept = _Kept()
    # Pass 1: patients, and which report names each observation.
    for path in files:
        batch: list[tuple[Entry, Record]] = []
        for item in kept.entries(path):
            if isinstance(item, Problem):
                continue  # reported in pass 2, once
            if item.resource_type not in ("Patient", "DiagnosticReport"):
                continue
            try:
                record = to_record(item, panels)
            except (Skip, Unusable) as reason:
                kept.decided[(item.file, item.where)] = reason  # counted in pass 2
                continue
            if isinstance(record, ReportRecord):
                panels.learn(record)
                kept.decided[(item.file, item.where)] = record  # validated once: pass 2 writes it as it is
            else:
                batch.append((item, record))
                if len(batch) >= BATCH:
                    writer.write(batch)
                    batch = []
        writer.write(batch)
    # Pass 2: everything else, and the count of everything.
    for path in files:
        batch = []
        for item in kept.replay(path):
            if progress is not None:
                progress(1)
            if isinstance(item, Problem):
                report.errors.append(item)
                continue
            decided = kept.decided.pop((item.file, item.where), None)
            if item.resource_type == "Patient":
                writer.recount(item, decided)
                continue
            try:
                if isinstance(decided, Exception):
                    raise decided
                record = decided if decided is not None else to_record(item, panels)
            except Skip as reason:
                report.skipped[item.resource_type] += 1
                report.reasons[str(reason)] += 1
                continue
            except Unusable as reason:
                report.errors.append(Problem(item.file, item.label, str(reason)))
                continue
            batch.append((item, record))
            if len(batch) >= BATCH:
                writer.write(batch)
                batch = []
        writer.write(batch)
    return report


class _Kept:
    """What pass 1 learnt that pass 2 need not learn again: each report's record and why a patient or report
    could not be kept (validated once, not twice) and, while they are small, the files' entries themselves (parsed once). A bulk export bigger than
    `MEMORY_BUDGET` is read from disk again in pass 2, so an import's memory stays bounded."""

    MEMORY_BUDGET = 64 * 1024 * 1024
    """Bytes of source files whose parsed entries are kept between the passes."""

    def __init__(self) -> None:
        self.decided: dict[tuple[str, str], Record | Skip | Unusable] = {}
        """(file, where) → what pass 1 made of that entry, for the entries pass 1 maps."""
        self._files: dict[Path, list[Entry | Problem]] = {}
        self._budget = self.MEMORY_BUDGET

    def entries(self, path: Path) -> Iterable[Entry | Problem]:
        try:
            size = path.stat().st_size
        except OSError:
            size = self._budget + 1  # entries() reports the problem
        if size > self._budget:
            return entries(path)
        self._budget -= size
        found = list(entries(path))
        self._files[path] = found
        return found

    def replay(self, path: Path) -> Iterable[Entry | Problem]:
        found = self._files.pop(path, None)
        return found if found is not None else entries(path)


class _Writer:
    """Writes mapped records in savepoints, remembers what pass 1 did to patients, and keeps the counts."""

    def __init__(self, engine: Engine, trust: TrustCode, now: Callable[[], datetime], report: ImportReport) -> None:
        self.engine = engine
        self.trust = trust
        self.now = now
        self.report = report
        self.patients: dict[str, int] = {}
        """'Patient/<source id>' → our patient id, as learnt in this run."""
        self.patient_outcomes: dict[str, str | Problem] = {}
        """What pass 1 did with each Patient entry ('imported', 'unchanged' or the problem), counted in pass 2."""
        self.fresh_observations: set[str] = set()
        """'Observation/<source id>' written by this run: mapped knowing every report of the files (pass 1), so
        already under their report's name."""

    def recount(self, item: Entry, decided: Record | Skip | Unusable | None) -> None:
        """Count a Patient entry in pass 2 by what pass 1 did with it (or why it was not kept)."""
        outcome = self.patient_outcomes.get(f"{item.file}#{item.where}")
        if outcome is None:
            try:
                if isinstance(decided, Exception):
                    raise decided
                to_record(item, Panels())
            except Skip as reason:
                self.report.skipped["Patient"] += 1
                self.report.reasons[str(reason)] += 1
                return
            except Unusable as reason:
                self.report.errors.append(Problem(item.file, item.label, str(reason)))
                return
            outcome = Problem(item.file, item.label, "could not be written")
        if isinstance(outcome, Problem):
            self.report.errors.append(outcome)
        else:
            getattr(self.report, outcome)["Patient"] += 1

    def write(self, batch: list[tuple[Entry, Record]]) -> None:
        if not batch:
            return
        try:
            with Session(self.engine, autoflush=False, expire_on_commit=False) as session, session.begin():
                known = self._known(session, [record for _, record in batch])
                rest = self._new_rows(session, batch, known)
                for entry, record in rest:
                    self._one(session, entry, record, known.get((record.source.resource_type,
                                                                 record.source.source_id)))
        except OperationalError as error:
            # The database itself failed (gone, locked too long): this batch is lost as a whole, and said so.
            reason = f"the database refused the batch: {str(error.orig).splitlines()[0]}"
            for entry, record in batch:
                self._outcome(entry, record, Problem(entry.file, entry.label, reason))

    def _new_rows(self, session: Session, batch: list[tuple[Entry, Record]],
                  known: dict[tuple[str, str], ExternalRecordRow]) -> list[tuple[Entry, Record]]:
        """Results, visits and documents seen for the first time, written together: their rows in one flush,
        their external records in another, in one savepoint. If the database refuses any of it, the savepoint
        goes and each is written alone after all (one refusal never loses its siblings). What this does not
        write — patients, reports, changed or unresolvable records — is returned for the one-by-one path."""
        simple: list[tuple[Entry, Record, int]] = []
        rest: list[tuple[Entry, Record]] = []
        for entry, record in batch:
            source = record.source
            if (isinstance(record, PatientRecord) or (source.resource_type, source.source_id) in known
                    or source.subject is None or (isinstance(record, ReportRecord) and not record.results)):
                rest.append((entry, record))
                continue
            try:
                simple.append((entry, record, self._patient_id(session, source.subject)))
            except Unusable:
                rest.append((entry, record))
        simple, named_before = self._reports_naming_no_earlier_results(session, simple)
        rest += named_before
        if len(simple) < 2:
            return rest + [(entry, record) for entry, record, _ in simple]
        try:
            with session.begin_nested():
                # Core inserts of many rows at once (with RETURNING, in parameter order), one per table; a
                # report (the name its results are grouped under, given them when they were mapped) has no row.
                by_model: dict[type, list[tuple[int, str, dict[str, object]]]] = {}
                targets: dict[int, tuple[str, int | None]] = {}
                for n, (_, record, patient_id) in enumerate(simple):
                    if isinstance(record, ReportRecord):
                        targets[n] = ("report", None)
                        continue
                    table, model, values = _row_values(record, patient_id, self.trust)
                    by_model.setdefault(model, []).append((n, table, values))
                for model, items in by_model.items():
                    core = model.__table__  # Core, not the ORM's bulk path: no per-row bookkeeping
                    ids = session.scalars(insert(core).returning(core.c.id, sort_by_parameter_order=True),
                                          [values for _, _, values in items]).all()
                    targets |= {n: (table, target_id) for (n, table, _), target_id in zip(items, ids)}
                now = self.now()
                session.execute(insert(ExternalRecordRow.__table__), [
                    {"trust_code": self.trust.value, "resource_type": record.source.resource_type,
                     "source_id": record.source.source_id, "content_hash": record.source.content_hash,
                     "patient_id": patient_id, "target_table": targets[n][0], "target_id": targets[n][1],
                     "imported_at": now} for n, (_, record, patient_id) in enumerate(simple)])
        except (IntegrityError, Unusable):
            return rest + [(entry, record) for entry, record, _ in simple]  # each alone, as before
        except SQLAlchemyError as error:
            if isinstance(error, OperationalError):
                raise
            return rest + [(entry, record) for entry, record, _ in simple]
        for entry, record, _ in simple:
            self._outcome(entry, record, "imported")
        return rest

    def _reports_naming_no_earlier_results(self, session: Session, simple: list[tuple[Entry, Record, int]]) -> tuple[
            list[tuple[Entry, Record, int]], list[tuple[Entry, Record]]]:
        """Split off the new reports that name results imported before this run (those results must take the
        report's name, one by one); one query for the whole batch. What this run wrote has the name already."""
        earlier = {key.removeprefix("Observation/") for _, record, _ in simple if isinstance(record, ReportRecord)
                   for key in record.results if key not in self.fresh_observations}
        found: set[str] = set()
        for chunk in _chunks(sorted(earlier), 500):
            found.update(session.scalars(select(ExternalRecordRow.source_id).where(
                ExternalRecordRow.trust_code == self.trust.value, ExternalRecordRow.resource_type == "Observation",
                ExternalRecordRow.source_id.in_(chunk))))
        if not found:
            return simple, []
        keep, alone = [], []
        for entry, record, patient_id in simple:
            if isinstance(record, ReportRecord) and any(key.removeprefix("Observation/") in found
                                                        for key in record.results):
                alone.append((entry, record))
            else:
                keep.append((entry, record, patient_id))
        return keep, alone

    def _known(self, session: Session, records: list[Record]) -> dict[tuple[str, str], ExternalRecordRow]:
        """What this batch's resources became in earlier imports: one query per type, not one per resource."""
        by_type: dict[str, list[str]] = {}
        for record in records:
            by_type.setdefault(record.source.resource_type, []).append(record.source.source_id)
        found: dict[tuple[str, str], ExternalRecordRow] = {}
        for resource_type, ids in by_type.items():
            for chunk in _chunks(ids, 500):
                for row in session.scalars(select(ExternalRecordRow).where(
                        ExternalRecordRow.trust_code == self.trust.value,
                        ExternalRecordRow.resource_type == resource_type, ExternalRecordRow.source_id.in_(chunk))):
                    found[(resource_type, row.source_id)] = row
        return found

    def _one(self, session: Session, entry: Entry, record: Record, known: ExternalRecordRow | None) -> None:
        if known is not None and known.content_hash == record.source.content_hash and known.patient_id is not None:
            # Unchanged since the last import: nothing to write, so no savepoint either.
            if isinstance(record, PatientRecord):
                self.patients[f"Patient/{record.source.source_id}"] = known.patient_id
            self._outcome(entry, record, "unchanged")
            return
        for attempt in (1, 2):
            try:
                with session.begin_nested():
                    outcome: str | Problem = self._store(session, record, known if attempt == 1 else self._lookup(
                        session, record))
                break
            except IntegrityError as error:
                # Another import wrote the same record at this moment: the second look finds it.
                if attempt == 2:
                    outcome = Problem(entry.file, entry.label, f"the database refused it ({_constraint(error)})")
            except Unusable as reason:
                outcome = Problem(entry.file, entry.label, str(reason))
                break
            except SQLAlchemyError as error:
                if isinstance(error, OperationalError):
                    raise
                outcome = Problem(entry.file, entry.label, f"the database refused it ({_first_line(error)})")
                break
        self._outcome(entry, record, outcome)

    def _outcome(self, entry: Entry, record: Record, outcome: str | Problem) -> None:
        if isinstance(record, PatientRecord):
            self.patient_outcomes[f"{entry.file}#{entry.where}"] = outcome
        elif isinstance(outcome, Problem):
            self.report.errors.append(outcome)
        else:
            getattr(self.report, outcome)[record.source.resource_type] += 1
            if outcome == "imported" and record.source.resource_type == "Observation":
                self.fresh_observations.add(f"Observation/{record.source.source_id}")

    # --- storing one record ---------------------------------------------------------------------------------

    def _lookup(self, session: Session, record: Record) -> ExternalRecordRow | None:
        """A fresh look (after another import won a race to write the same resource)."""
        return session.scalars(select(ExternalRecordRow).where(
            ExternalRecordRow.trust_code == self.trust.value,
            ExternalRecordRow.resource_type == record.source.resource_type,
            ExternalRecordRow.source_id == record.source.source_id)).one_or_none()

    def _store(self, session: Session, record: Record, known: ExternalRecordRow | None) -> str:
        source = record.source
        if isinstance(record, PatientRecord):
            return self._patient(session, record, known)
        if known is not None and known.content_hash == source.content_hash:
            return "unchanged"
        patient_id = self._patient_id(session, source.subject)
        if isinstance(record, ReportRecord):
            target_table, target_id = self._report(session, record, patient_id, known)
        else:
            target_table, target_id = self._row(session, record, patient_id, known)
        if known is None:
            session.add(ExternalRecordRow(
                trust_code=self.trust.value, resource_type=source.resource_type, source_id=source.source_id,
                content_hash=source.content_hash, patient_id=patient_id, target_table=target_table,
                target_id=target_id, imported_at=self.now()))
        else:
            known.content_hash, known.patient_id = source.content_hash, patient_id
            known.target_table, known.target_id, known.imported_at = target_table, target_id, self.now()
        session.flush()
        return "imported"

    def _patient_id(self, session: Session, subject: str | None) -> int:
        if subject is None:
            raise Unusable("names no patient")
        if subject in self.patients:
            return self.patients[subject]
        if subject.startswith(BY_NHS_NUMBER):  # named by NHS number (UK Core, the national services)
            digits = subject.removeprefix(BY_NHS_NUMBER)
            by_nhs = session.scalar(select(PatientRow.id).where(PatientRow.nhs_number == digits))
            if by_nhs is None:
                raise Unusable(f"is about the patient with NHS number {digits}, whom the portal does not know")
            self.patients[subject] = by_nhs
            return by_nhs
        found = session.scalar(select(ExternalRecordRow.patient_id).where(
            ExternalRecordRow.trust_code == self.trust.value, ExternalRecordRow.resource_type == "Patient",
            ExternalRecordRow.source_id == subject.removeprefix("Patient/")))
        if found is None:
            raise Unusable(f"is about {subject}, who is neither in these files nor imported before for this trust")
        self.patients[subject] = found
        return found

    def _patient(self, session: Session, record: PatientRecord, known: ExternalRecordRow | None) -> str:
        key = f"Patient/{record.source.source_id}"
        if known is not None and known.content_hash == record.source.content_hash and known.patient_id is not None:
            self.patients[key] = known.patient_id
            return "unchanged"
        system, value = record.identifier
        row = None
        if record.nhs_number is not None:
            row = session.scalars(select(PatientRow).where(PatientRow.nhs_number == record.nhs_number)).one_or_none()
        if row is None:
            row = session.scalars(select(PatientRow).join(PatientIdentifierRow).where(
                PatientIdentifierRow.system == system, PatientIdentifierRow.value == value)).one_or_none()
        if row is None:
            row = PatientRow(hospital_number=self._hospital_number(system, value), trust_code=self.trust.value,
                             nhs_number=record.nhs_number, letter_preference=LetterPreference.PAPER.value)
            _demographics(row, record)
            session.add(row)
            session.flush()
            session.add(HospitalNumberRow(patient_id=row.id, trust_code=self.trust.value, value=row.hospital_number))
            self._audit(session, row.id, "feed_person_added", f"patient added from {key}")
        elif row.hospital_number == self._hospital_number(system, value):
            before = {column: getattr(row, column) for column in CHANGES_WATCHED}
            _demographics(row, record)  # one we made from an import: the source's changes are the news
            if said := changes_said(before, {column: getattr(row, column) for column in CHANGES_WATCHED}):
                self._audit(session, row.id, "feed_person_changed", said)
        # else: the hospital's own record is the master; only the link to the source's identifier is added.
        linked = session.scalar(select(PatientIdentifierRow.patient_id).where(
            PatientIdentifierRow.system == system, PatientIdentifierRow.value == value))
        if linked is None:
            session.add(PatientIdentifierRow(patient_id=row.id, system=system, value=value))
        elif linked != row.id:
            raise Unusable(f"has the NHS number of one patient and the {system} identifier of another")
        if known is None:
            session.add(ExternalRecordRow(
                trust_code=self.trust.value, resource_type="Patient", source_id=record.source.source_id,
                content_hash=record.source.content_hash, patient_id=row.id, target_table="patient",
                target_id=row.id, imported_at=self.now()))
        else:
            known.content_hash, known.patient_id, known.target_id = record.source.content_hash, row.id, row.id
            known.imported_at = self.now()
        session.flush()
        self.patients[key] = row.id
        return "imported"

    def _audit(self, session: Session, patient_id: int, action: str, detail: str) -> None:
        """A change an import made to a person, with the source trust as the actor (the feed's own words)."""
        row = convert.audit_row(AuditEvent(at=self.now(), actor_kind="system", actor_id=f"fhir:{self.trust.value}",
                                           action=action, outcome=Outcome.SUCCESS, patient_id=patient_id,
                                           detail=detail[:2000]))
        row.terminal = "fhir import"
        session.add(row)

    def _hospital_number(self, system: str, value: str) -> str:
        """A patient made from an import gets a number of its own, the same on every run and every terminal
        (two imports racing make the same number, and the unique rule keeps one)."""
        digest = base64.b32encode(hashlib.sha256(f"{system}|{value}".encode()).digest()).decode()[:12]
        return f"{self.trust.value}F{digest}"

    def _row(self, session: Session, record: Record, patient_id: int,
             known: ExternalRecordRow | None) -> tuple[str, int]:
        table, model, values = _row_values(record, patient_id, self.trust)
        row = session.get(model, known.target_id) if known is not None and known.target_table == table else None
        if row is None:
            row = model(**values)
            session.add(row)
        else:
            for name, value in values.items():
                if name != "read_at":
                    setattr(row, name, value)
        session.flush()
        return table, row.id

    def _report(self, session: Session, record: ReportRecord, patient_id: int,
                known: ExternalRecordRow | None) -> tuple[str, int | None]:
        # A report is its panel: the name its Observations are grouped under. Those imported before it (an
        # earlier run, another file) take the name now; those this run wrote have it already.
        ids = [key.removeprefix("Observation/") for key in record.results if key not in self.fresh_observations]
        for chunk in _chunks(ids, 500):
            targets = session.scalars(select(ExternalRecordRow.target_id).where(
                ExternalRecordRow.trust_code == self.trust.value, ExternalRecordRow.resource_type == "Observation",
                ExternalRecordRow.source_id.in_(chunk), ExternalRecordRow.target_table == "test_result")).all()
            if targets:
                session.execute(update(TestResultRow).where(TestResultRow.id.in_(targets),
                                                            TestResultRow.patient_id == patient_id)
                                .values(panel=record.panel, panel_code=record.code,
                                        **({"category": record.category} if record.category else {})))
        if record.results or not record.conclusion:
            return "report", None
        # A report with a conclusion and no results: the conclusion is what the patient sees.
        conclusion = ResultRecord(record.source, record.taken_at, record.panel, "Conclusion", None,
                                  record.conclusion, None, None, None, ResultFlag.NO_RANGE, record.category,
                                  record.code)
        return self._row(session, conclusion, patient_id, known)


def _demographics(row: PatientRow, record: PatientRecord) -> None:
    row.given_name, row.family_name = record.given_name, record.family_name
    row.date_of_birth, row.date_of_death = record.date_of_birth, record.date_of_death
    row.postcode = record.postcode
    row.mobile, row.email = record.mobile, record.email


def _row_values(record: Record, patient_id: int, trust: TrustCode) -> tuple[str, type, dict[str, object]]:
    common = {"patient_id": patient_id, "trust_code": trust.value}
    if isinstance(record, VisitRecord):
        return "visit", VisitRow, {**common, "kind": record.kind.value, "status": record.status,
                                   "started_at": record.started_at, "ended_at": record.ended_at,
                                   "title": record.title, "reason": record.reason, "place": record.place}
    if isinstance(record, ResultRecord):
        r = record.reference_range
        return "test_result", TestResultRow, {
            **common, "taken_at": record.taken_at, "panel": record.panel, "test_name": record.test_name,
            "code": record.code, "value_text": record.value_text, "value_number": record.value_number,
            "unit": record.unit, "range_low": r.low if r else None, "range_high": r.high if r else None,
            "range_text": r.text if r else None, "flag": record.flag.value, "category": record.category,
            "panel_code": record.panel_code}
    assert isinstance(record, DocumentRecord)
    return "document", DocumentRow, {
        **common, "kind": record.kind.value, "title": record.title, "written_at": record.written_at,
        "content_type": record.content_type, "size_bytes": record.size_bytes, "body_markdown": record.body,
        "read_at": None, "post_status": None}


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _constraint(error: IntegrityError) -> str:
    diag = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None) or _first_line(error)


def _first_line(error: Exception) -> str:
    orig = getattr(error, "orig", None) or error
    return str(orig).splitlines()[0][:200]
