"""Records a patient must not meet at a public kiosk, imported as a new user would: a domestic-abuse
questionnaire grouped by a report, a death certificate, an HIV test, an imaging result still waiting, and an
ordinary blood test. The patient sees the blood test and "a result is waiting"; staff see everything held
back, marked with the reason, and that look is audited."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import AuditEventRow
from data.records.fhir_import import import_fhir
from data.uow import SqlUnitOfWork, session_factory
from domain.hospital import TrustCode
from domain.identity.session import PatientSession, StaffRole, StaffSession
from domain.records import reading
from domain.records.release import ReleasePolicy
from tests.conftest import FIXED_NOW
from tests.data import fhir_fixtures as fx
from tests.data.test_fhir_import import our_patient

RF = TrustCode.ROYAL_FREE


def report(id: str, patient_id: str, code: str, name: str, results: list[str], category: str | None = None) -> dict:
    resource: dict = {"resourceType": "DiagnosticReport", "id": id, "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": name}]},
                      "subject": {"reference": f"Patient/{patient_id}"}, "effectiveDateTime": "2026-11-20T10:00:00Z",
                      "result": [{"reference": f"Observation/{r}"} for r in results]}
    if category:
        resource["category"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                             "code": category}]}]
    return resource


def bundle(path: Path) -> Path:
    entries = [
        fx.patient("p1", nhs="9990000999", family="Hartley", given="June"),
        # A HARK questionnaire: its answers are surveys, its score sent as a laboratory value by a careless feed.
        fx.observation("hark-1", "p1", code="76500-8", name="Humiliated", value=1, low=None, high=None,
                       category="survey", unit="{score}"),
        fx.observation("hark-score", "p1", code="76504-0", name="Total score [HARK]", value=3, low=None, high=None,
                       unit="{score}"),
        report("hark", "p1", "76499-3", "Humiliation, Afraid, Rape, and Kick questionnaire [HARK]",
               ["hark-1", "hark-score"]),
        # A death certificate.
        fx.observation("cod", "p1", code="69453-9", name="Cause of Death", value=None, low=None, high=None,
                       category="laboratory") | {"valueCodeableConcept": {"text": "Stroke"}},
        report("certificate", "p1", "69409-1", "U.S. standard certificate of death - 2003 revision", ["cod"]),
        # An HIV test, an X-ray taken two days ago, and a sodium.
        fx.observation("hiv", "p1", code="75622-1", name="HIV 1+2 Ab+Ag", value=None, low=None, high=None)
        | {"valueCodeableConcept": {"text": "Not detected"}},
        fx.observation("xray", "p1", code="24627-2", name="Chest X-ray", value=None, low=None, high=None,
                       when="2026-11-22T10:00:00Z", category="imaging") | {"valueString": "No abnormality seen"},
        fx.observation("na", "p1"),
    ]
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"fullUrl": f"urn:uuid:{e['id']}", "resource": e} for e in entries]}))
    return path


def test_the_kiosk_meets_only_what_it_may(demo_engine, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = import_fhir(demo_engine, [str(bundle(tmp_path / "b.json"))], RF, now=lambda: FIXED_NOW)
    assert done.errors == []
    assert done.reasons["Observation: questionnaires are not test results"] == 1
    assert done.reasons["DiagnosticReport: a death certificate is not a test result"] == 1
    patient_id = our_patient(demo_engine, "p1")
    factory = session_factory(demo_engine)
    policy = ReleasePolicy()

    mine = reading.results(SqlUnitOfWork(factory), clock, PatientSession(patient_id, FIXED_NOW), policy=policy)
    seen = {r.test_name for g in mine for r in g.results}
    assert seen == {"Sodium"}, seen
    assert sum(g.waiting for g in mine) == 1  # the X-ray: waiting, its words never shown
    assert all(not g.notes for g in mine)
    assert not any("HARK" in g.panel or "certificate" in g.panel for g in mine)

    clerk = StaffSession(1, "clerk.demo", StaffRole.APPOINTMENTS_CLERK, FIXED_NOW)
    desk = reading.results(SqlUnitOfWork(factory), clock, clerk, patient_id, policy)
    notes = {r.test_name: g.notes.get(r.id) for g in desk for r in g.results}
    assert notes["Sodium"] is None
    assert "domestic-abuse" in notes["Total score [HARK]"] and "sexual-health" in notes["HIV 1+2 Ab+Ag"]
    assert "Waiting for the care team" in notes["Chest X-ray"]
    assert "Cause of Death" not in notes  # a certificate is not a result, at the desk either
    with Session(demo_engine) as session:
        [detail] = session.scalars(select(AuditEventRow.detail).where(AuditEventRow.action == "view_held_results"))
    assert detail.startswith("2 withheld from the kiosk, 1 waiting")

    # History: a patient cannot reach a held-back result through a test's history either.
    hark = next(r for g in desk for r in g.results if r.test_name == "Total score [HARK]")
    assert reading.history(SqlUnitOfWork(factory), clock, PatientSession(patient_id, FIXED_NOW), hark.id,
                           policy=policy) == []
