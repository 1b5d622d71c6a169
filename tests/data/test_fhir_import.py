"""The FHIR importer on the real samples and on broken inputs, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.records.fhir_import import import_fhir
from data.models import (
    Base,
    DocumentRow,
    ExternalRecordRow,
    PatientIdentifierRow,
    PatientRow,
    TestResultRow,
    VisitRow,
)
from data.uow import SqlUnitOfWork, session_factory
from domain.appointments import changes as my_appointments
from domain.records import reading as my_records
from domain.hospital import TrustCode
from domain.records.model import DocumentKind, ResultFlag
from domain.identity.session import PatientSession
from tests.conftest import FIXED_NOW
from tests.data import fhir_fixtures as fx
from tests.data.demo_fixtures import patient as demo_patient

RF = TrustCode.ROYAL_FREE


def run(engine, paths, trust=RF):  # type: ignore[no-untyped-def]
    return import_fhir(engine, [str(p) for p in paths], trust, now=lambda: FIXED_NOW)


def our_patient(engine, source_id: str, trust: TrustCode = RF) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.scalars(select(ExternalRecordRow.patient_id).where(
            ExternalRecordRow.trust_code == trust.value, ExternalRecordRow.resource_type == "Patient",
            ExternalRecordRow.source_id == source_id)).one()


def row_counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def as_patient(engine, patient_id: int):  # type: ignore[no-untyped-def]
    factory = session_factory(engine)
    return (lambda: SqlUnitOfWork(factory)), PatientSession(patient_id, FIXED_NOW)


def test_every_result_report_and_text_document_in_the_samples_is_visible_to_its_patient(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    report = run(demo_engine, fx.samples())
    assert report.errors == []
    want = fx.expected()
    assert report.imported["Observation"] == len(want.lab_values) > 400
    assert report.imported["DiagnosticReport"] == len(want.reports) > 50
    assert report.imported["DocumentReference"] == len(want.documents) > 180
    assert report.imported["Patient"] == 10
    # Vital signs, surveys and the rest are skipped, each with its reason.
    assert report.reasons["Observation: vital signs are not test results"] > 0
    assert report.reasons["Observation: questionnaires are not test results"] > 0
    assert report.reasons["Claim is not a kind of record the portal shows"] > 0

    cache: dict[str, tuple[list, list]] = {}

    def seen(source_id: str):  # type: ignore[no-untyped-def]
        if source_id not in cache:
            uow, actor = as_patient(demo_engine, our_patient(demo_engine, source_id))
            groups = my_records.results(uow(), clock, actor)
            cache[source_id] = (groups, my_records.letters(uow(), clock, actor))
        return cache[source_id]

    for source_id, code, when in want.lab_values:
        groups, _ = seen(source_id)
        instant = datetime.fromisoformat(when)
        assert any(r.code == code and r.taken_at == instant for g in groups for r in g.results), (source_id, code, when)
    for source_id, panel, codes in want.reports:
        groups, _ = seen(source_id)
        assert any(g.panel == panel and codes <= {r.code for r in g.results} for g in groups), (source_id, panel)
    texts: Counter[tuple[int, str]] = Counter()
    for source_id, text in want.documents:
        texts[(our_patient(demo_engine, source_id), text)] += 1
    shown: Counter[tuple[int, str]] = Counter()
    for patient_id in {patient_id for patient_id, _ in texts}:
        uow, actor = as_patient(demo_engine, patient_id)
        for letter in my_records.letters(uow(), clock, actor):
            opened = my_appointments.open_letter(uow(), clock, actor, letter.id)
            assert opened.is_text and not opened.is_markdown and opened.trust is RF
            shown[(patient_id, opened.body_markdown)] += 1
    assert shown == texts
    # The history: encounters of the three kept classes become visits; the source identifier is kept.
    with Session(demo_engine) as session:
        kinds = Counter(session.scalars(select(VisitRow.kind)))
        assert set(kinds) == {"outpatient", "admission", "emergency"}
        made = session.scalars(select(PatientRow).where(PatientRow.hospital_number.like("RALF%"))).all()
        assert len(made) == 10
        systems = set(session.scalars(select(PatientIdentifierRow.system)))
        assert "http://hospital.smarthealthit.org" in systems  # Synthea's medical record number, kept as such
        okeefe = [p for p in made if "'" in p.family_name]
        assert okeefe, "the apostrophe in O'Keefe survives"


def test_a_second_import_of_the_same_files_changes_nothing(database_url, demo_engine) -> None:  # type: ignore[no-untyped-def]
    first = run(demo_engine, fx.samples())
    before = row_counts(demo_engine)
    second = run(demo_engine, fx.samples())
    assert second.imported == Counter() and second.errors == []
    assert second.unchanged == first.imported
    assert second.skipped == first.skipped
    assert row_counts(demo_engine) == before


def test_a_new_patient_is_made_from_what_the_source_says(demo_engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = {**fx.patient("p9", given="Ada", family="O'Neill"), "deceasedDateTime": "2026-03-01T23:30:00+00:00"}
    run(demo_engine, [fx.write_ndjson(tmp_path / "p.ndjson", [source])])
    with Session(demo_engine) as session:
        row = session.get(PatientRow, our_patient(demo_engine, "p9"))
        assert (row.given_name, row.family_name, str(row.date_of_birth)) == ("Ada", "O'Neill", "1970-05-01")
        assert str(row.date_of_death) == "2026-03-01"
        assert (row.postcode, row.mobile, row.trust_code) == ("NW3 2QG", "+447700900123", "RAL")
        assert row.hospital_number.startswith("RALF") and len(row.hospital_number) <= 20
        assert row.letter_preference == "paper"
    # The same source later says another date of birth: changed, and both imports are in the audit trail.
    fx.write_ndjson(tmp_path / "p.ndjson", [{**source, "birthDate": "1970-05-02"}])
    run(demo_engine, [tmp_path / "p.ndjson"])
    with Session(demo_engine) as session:
        from data.models import AuditEventRow

        audit = session.execute(select(AuditEventRow.actor_id, AuditEventRow.action, AuditEventRow.detail).where(
            AuditEventRow.patient_id == row.id).order_by(AuditEventRow.id)).all()
    assert [tuple(a) for a in audit] == [("fhir:RAL", "feed_person_added", "patient added from Patient/p9"),
                                         ("fhir:RAL", "feed_person_changed", "date of birth: 1970-05-01 → 1970-05-02")]


def test_a_patient_with_an_nhs_number_is_matched_to_the_hospitals_own_record(demo_engine, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    margaret = demo_patient(demo_engine, "Margaret", "Thompson")
    source = fx.patient("rf-77", nhs=margaret.nhs_number, family="THOMPSON", given="M")
    path = fx.write_ndjson(tmp_path / "rf.ndjson", [source, fx.observation("o1", "rf-77", value=150)])
    before = row_counts(demo_engine)["patient"]
    report = run(demo_engine, [path])
    assert report.errors == [] and report.imported == Counter({"Patient": 1, "Observation": 1})
    assert row_counts(demo_engine)["patient"] == before
    with Session(demo_engine) as session:
        row = session.get(PatientRow, margaret.id)
        assert (row.given_name, row.family_name) == ("Margaret", "Thompson")  # the trust's record is the master
    uow, actor = as_patient(demo_engine, margaret.id)
    sodium = [r for g in my_records.results(uow(), clock, actor) for r in g.results if r.code == "2951-2"]
    assert [(r.value_text, r.flag, r.trust) for r in sodium if r.value_number == 150] == [("150", ResultFlag.HIGH, RF)]


def test_a_changed_resource_updates_what_it_became(demo_engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = fx.write_ndjson(tmp_path / "a.ndjson", [fx.patient("p1"), fx.observation("o1", "p1", value=140)])
    run(demo_engine, [path])
    fx.write_ndjson(path, [fx.patient("p1"), fx.observation("o1", "p1", value=120)])
    report = run(demo_engine, [path])
    assert report.imported == Counter({"Observation": 1}) and report.unchanged == Counter({"Patient": 1})
    with Session(demo_engine) as session:
        values = session.scalars(select(TestResultRow.value_number).where(TestResultRow.code == "2951-2",
                                                                          TestResultRow.trust_code == "RAL")).all()
    assert values == [120.0]


def test_broken_inputs_are_named_and_the_rest_imports(demo_engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ndjson = fx.write_ndjson(tmp_path / "mixed.ndjson", [
        fx.patient("p1"),
        fx.observation("good-1", "p1"),
        '{"resourceType": "Observation", "id": "cut-off", "status": ',       # line 3: not JSON
        fx.observation("bad-value", "p1", value="a lot"),                    # line 4: not valid FHIR
        fx.observation("nobody", "p-unknown"),                               # line 5: no such patient
        {"resourceType": "Spaceship", "id": "x"},                            # line 6: not a FHIR type
        ["not", "an", "object"],                                             # line 7
        fx.document("d1", "p1", "Seen in clinic.\nAll well."),
        fx.document("pdf", "p1", "%PDF-1.4 ...", content_type="application/pdf"),
        fx.observation("good-2", "p1", value=130),
    ])
    not_json = tmp_path / "broken.json"
    not_json.write_text('{"resourceType": "Bundle", "entry": [')
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p2", "resource": fx.patient("p2", mrn="M2")},
        {"fullUrl": "urn:uuid:o9"},
        {"fullUrl": "urn:uuid:o10", "resource": {**fx.observation("o10", "p2"), "subject": {"reference": "urn:uuid:p2"}}},
    ]}))
    report = run(demo_engine, [ndjson, not_json, bundle, tmp_path / "missing.ndjson"])
    where = {(p.file.rsplit("/", 1)[-1], p.entry): p.reason for p in report.errors}
    assert set(where) == {("mixed.ndjson", "line 3"), ("mixed.ndjson", "line 4 (Observation/bad-value)"),
                          ("mixed.ndjson", "line 5 (Observation/nobody)"), ("mixed.ndjson", "line 6 (Spaceship/x)"),
                          ("mixed.ndjson", "line 7"), ("broken.json", None), ("bundle.json", "entry 1"),
                          ("missing.ndjson", None)}
    assert where[("mixed.ndjson", "line 3")].startswith("is not JSON")
    assert "valueQuantity.value" in where[("mixed.ndjson", "line 4 (Observation/bad-value)")]
    assert "Patient/p-unknown" in where[("mixed.ndjson", "line 5 (Observation/nobody)")]
    assert where[("missing.ndjson", None)] == "no such file or folder"
    assert report.imported == Counter({"Patient": 2, "Observation": 3, "DocumentReference": 2})
    # Nothing half-written: exactly the good ones are there, and the PDF is listed with its size and no text.
    with Session(demo_engine) as session:
        ids = set(session.scalars(select(ExternalRecordRow.source_id).where(ExternalRecordRow.trust_code == "RAL")))
        assert ids == {"p1", "p2", "good-1", "good-2", "o10", "d1", "pdf"}
        pdf = session.scalars(select(DocumentRow).join(ExternalRecordRow, ExternalRecordRow.target_id == DocumentRow.id)
                              .where(ExternalRecordRow.source_id == "pdf")).one()
        assert (pdf.body_markdown, pdf.size_bytes, pdf.kind) == (None, 12, DocumentKind.DISCHARGE_SUMMARY.value)
    # And the fixed file imports what was missing, leaving the rest as it was.
    fx.write_ndjson(ndjson, [fx.patient("p1"), fx.observation("good-1", "p1"), fx.observation("bad-value", "p1")])
    again = run(demo_engine, [ndjson])
    assert again.errors == [] and again.imported == Counter({"Observation": 1})
    assert again.unchanged == Counter({"Patient": 1, "Observation": 1})


def test_file_order_does_not_matter_and_reports_name_their_results(demo_engine, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    results = fx.write_ndjson(tmp_path / "Observation.ndjson", [fx.observation("k", "p1", code="2823-3", name="Potassium",
                                                                                value=5.9, low=3.5, high=5.3)])
    reports = fx.write_ndjson(tmp_path / "DiagnosticReport.ndjson", [{
        "resourceType": "DiagnosticReport", "id": "r1", "status": "final", "code": {"text": "Urea and electrolytes"},
        "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2026-10-01T09:00:00+01:00",
        "result": [{"reference": "Observation/k"}]}])
    patients = fx.write_ndjson(tmp_path / "Patient.ndjson", [fx.patient("p1")])
    report = run(demo_engine, [results, reports, patients])
    assert report.errors == [] and report.imported == Counter({"Patient": 1, "Observation": 1, "DiagnosticReport": 1})
    uow, actor = as_patient(demo_engine, our_patient(demo_engine, "p1"))
    [group] = my_records.results(uow(), clock, actor)
    assert group.panel == "Urea and electrolytes"
    assert [(r.test_name, r.value_text, r.unit, r.flag) for r in group.results] == \
        [("Potassium", "5.9", "mmol/L", ResultFlag.HIGH)]


def test_a_report_in_a_later_import_names_results_imported_before(demo_engine, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    first = [fx.write_ndjson(tmp_path / "Patient.ndjson", [fx.patient("p1")]),
             fx.write_ndjson(tmp_path / "Observation.ndjson", [
                 fx.observation(key, "p1", code=code, name=name, value=value, low=1, high=9)
                 for key, code, name, value in (("k", "2823-3", "Potassium", 4.1), ("n", "2951-2", "Sodium", 5.0))])]
    assert run(demo_engine, first).errors == []
    later = fx.write_ndjson(tmp_path / "DiagnosticReport.ndjson", [{
        "resourceType": "DiagnosticReport", "id": f"r{n}", "status": "final", "code": {"text": name},
        "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2026-10-01T09:00:00+01:00",
        "result": [{"reference": f"Observation/{key}"}]} for n, (key, name) in enumerate(
            (("k", "Urea and electrolytes"), ("n", "Sodium check"), ("absent", "A report of nothing here")))])
    report = run(demo_engine, [later])
    assert report.errors == [] and report.imported == Counter({"DiagnosticReport": 3})
    uow, actor = as_patient(demo_engine, our_patient(demo_engine, "p1"))
    assert {(g.panel, r.test_name) for g in my_records.results(uow(), clock, actor) for r in g.results} == {
        ("Urea and electrolytes", "Potassium"), ("Sodium check", "Sodium")}


def test_files_past_the_memory_budget_are_read_again_and_import_the_same(demo_engine, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import gc

    from data import schema
    from data.demo.builder import REFERENCE
    from data.engine import make_engine
    from data.records import fhir_import
    from data.reference import apply, read

    frozen = gc.get_freeze_count()
    gc.unfreeze()  # the test run's own freeze (tests/conftest.py) undone: the import's is what this test sees
    kept = run(demo_engine, fx.samples())
    other = make_engine(f"sqlite:///{tmp_path}/reread.db")
    schema.upgrade(other)
    with Session(other) as session:
        apply(session, read(REFERENCE))
        session.commit()
    monkeypatch.setattr(fhir_import._Kept, "MEMORY_BUDGET", 0)  # nothing kept between the passes
    reread = run(other, fx.samples())
    other.dispose()
    assert (reread.imported, reread.skipped, reread.errors) == (kept.imported, kept.skipped, kept.errors)
    assert gc.get_freeze_count() == 0  # the collector is as it was
    if frozen:
        gc.freeze()


def test_an_appointment_becomes_an_outpatient_visit_of_its_patient(demo_engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    appointment = {"resourceType": "Appointment", "id": "a1", "status": "booked",
                   "serviceType": [{"text": "Cardiology clinic"}], "start": "2026-12-10T09:30:00+00:00",
                   "end": "2026-12-10T09:50:00+00:00",
                   "participant": [{"actor": {"reference": "Practitioner/d1"}, "status": "accepted"},
                                   {"actor": {"reference": "Patient/p1"}, "status": "accepted"},
                                   {"actor": {"reference": "Location/l1", "display": "Royal Free Hospital"},
                                    "status": "accepted"}]}
    nobody = {**appointment, "id": "a2", "participant": [{"actor": {"reference": "Practitioner/d1"},
                                                          "status": "accepted"}]}
    report = run(demo_engine, [fx.write_ndjson(tmp_path / "a.ndjson", [fx.patient("p1"), appointment, nobody])])
    assert report.imported == Counter({"Patient": 1, "Appointment": 1})
    assert [(p.entry, p.reason) for p in report.errors] == [
        ("line 3 (Appointment/a2)", "names no patient among its participants")]
    with Session(demo_engine) as session:
        visit = session.scalars(select(VisitRow).where(VisitRow.patient_id == our_patient(demo_engine, "p1"))).one()
        assert (visit.kind, visit.status, visit.title, visit.place) == \
            ("outpatient", "booked", "Cardiology clinic", "Royal Free Hospital")


def test_partner_and_national_shapes_import_and_a_second_run_changes_nothing(demo_engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 31's FHIR shapes: a result naming its patient by NHS number (UK Core, the national record locator);
    a transaction bundle whose new entries are known only by urn:uuid; a DiagnosticReport that is only a PDF,
    listed with the letters; the same resource as a read and as a search result — and then the whole again,
    importing nothing."""
    import base64

    margaret = demo_patient(demo_engine, "Margaret", "Thompson")
    by_nhs = fx.observation("nat-1", "x", value=139)
    by_nhs["subject"] = {"identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": margaret.nhs_number}}
    read = fx.observation("twice-1", "x", value=138)
    read["subject"] = by_nhs["subject"]
    searched = {**read, "meta": {"versionId": "3", "lastUpdated": "2026-10-02T10:00:00Z",
                                 "tag": [{"code": "SUBSETTED"}]}}
    pdf = {"resourceType": "DiagnosticReport", "id": "ecg-1", "status": "final",
           "code": {"text": "ECG report"}, "subject": by_nhs["subject"], "effectiveDateTime": "2026-10-03T11:00:00Z",
           "presentedForm": [{"contentType": "application/pdf", "title": "12-lead ECG",
                              "data": base64.b64encode(b"%PDF-1.4 ecg").decode()}]}
    patient = fx.patient("ignored", nhs=None, family="UUID", given="Una")
    del patient["id"]
    result = fx.observation("ignored", "ignored", value=137)
    del result["id"]
    result["subject"] = {"reference": "urn:uuid:6f1c2d8e-1111-4a2b-9c3d-000000000001"}
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:6f1c2d8e-1111-4a2b-9c3d-000000000001", "resource": patient,
         "request": {"method": "POST", "url": "Patient"}},
        {"fullUrl": "urn:uuid:6f1c2d8e-2222-4a2b-9c3d-000000000002", "resource": result,
         "request": {"method": "POST", "url": "Observation"}}]}
    (tmp_path / "bundle.json").write_text(json.dumps(bundle))
    files = [fx.write_ndjson(tmp_path / "national.ndjson", [by_nhs, read, searched, pdf]), tmp_path / "bundle.json"]
    first = run(demo_engine, files)
    assert first.errors == [], first.errors
    assert first.imported == Counter({"Observation": 3, "DiagnosticReport": 1, "Patient": 1}), first.imported
    with Session(demo_engine) as session:
        mine = session.scalars(select(TestResultRow.value_number).where(
            TestResultRow.patient_id == margaret.id, TestResultRow.trust_code == "RAL")).all()
        assert sorted(mine) == [138.0, 139.0]
        ecg = session.scalars(select(DocumentRow).where(DocumentRow.patient_id == margaret.id,
                                                        DocumentRow.title == "12-lead ECG")).one()
        assert ecg.content_type == "application/pdf"
        una = session.scalars(select(PatientRow).where(PatientRow.family_name == "UUID")).one()
        assert session.scalars(select(TestResultRow.value_number).where(
            TestResultRow.patient_id == una.id)).all() == [137.0]
    second = run(demo_engine, files)
    assert second.errors == [] and sum(second.imported.values()) == 0, second.imported
    # A resource naming an NHS number the portal does not know is refused, saying so.
    stranger = fx.observation("nat-2", "x")
    stranger["subject"] = {"identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9997000021"}}
    refused = run(demo_engine, [fx.write_ndjson(tmp_path / "stranger.ndjson", [stranger])])
    assert [e.reason for e in refused.errors] == [
        "is about the patient with NHS number 9997000021, whom the portal does not know"], refused.errors
