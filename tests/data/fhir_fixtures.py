"""The shared FHIR samples, what they hold (read straight from the JSON, not through the importer), and small
broken inputs built by the tests themselves."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA

FHIR = SHARED_DATA / "fhir"
BUNDLES = FHIR / "synthea-r4-bundles"
BULK = FHIR / "synthea-bulk-ndjson"


def samples() -> list[str]:
    """Both sample folders; the test is skipped, saying why, where ../shared/data is absent."""
    if not (BUNDLES.is_dir() and BULK.is_dir()):
        pytest.skip(f"the shared FHIR samples are not here ({FHIR}): they come with the project's shared data")
    return [str(BUNDLES), str(BULK)]


def resources() -> Iterator[tuple[dict, dict[str, str]]]:
    """Every resource in the samples, with its bundle's full-URL map."""
    for path in sorted(BUNDLES.glob("*.json")):
        bundle = json.loads(path.read_text())
        aliases = {e["fullUrl"]: f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
        for entry in bundle["entry"]:
            yield entry["resource"], aliases
    for path in sorted(BULK.glob("*.ndjson")):
        for line in path.read_text().splitlines():
            yield json.loads(line), {}


def subject_id(resource: dict, aliases: dict[str, str]) -> str:
    reference = resource["subject"]["reference"]
    return aliases.get(reference, reference).split("/")[-1]


@dataclass(frozen=True)
class Expected:
    """What the importer must make visible, by the source's patient id."""

    lab_values: list[tuple[str, str, str]]
    """(patient id, LOINC code, effectiveDateTime) of each laboratory Observation with a value."""
    reports: list[tuple[str, str, set[str]]]
    """(patient id, panel name, codes of its results)."""
    documents: list[tuple[str, str]]
    """(patient id, text) of each text DocumentReference."""


def expected() -> Expected:
    labs, reports, documents = [], [], []
    observations: dict[str, dict] = {}
    for resource, aliases in resources():
        kind = resource["resourceType"]
        if kind == "Observation":
            observations[f"Observation/{resource['id']}"] = resource
            categories = [c["code"] for cat in resource.get("category", []) for c in cat["coding"]]
            if "laboratory" in categories and any(k.startswith("value") for k in resource):
                labs.append((subject_id(resource, aliases), resource["code"]["coding"][0]["code"],
                             resource["effectiveDateTime"]))
        elif kind == "DiagnosticReport":
            keys = [aliases.get(r["reference"], r["reference"]) for r in resource.get("result", [])]
            reports.append((subject_id(resource, aliases), resource["code"].get("text")
                            or resource["code"]["coding"][0]["display"], set(keys)))
        elif kind == "DocumentReference":
            attachment = resource["content"][0]["attachment"]
            if attachment["contentType"].startswith("text/"):
                documents.append((subject_id(resource, aliases), base64.b64decode(attachment["data"]).decode()))
    resolved = [(p, panel, {observations[k]["code"]["coding"][0]["code"] for k in keys}) for p, panel, keys in reports]
    return Expected(labs, resolved, documents)


# --- Small inputs the tests build ---------------------------------------------------------------------------


def patient(id: str, *, nhs: str | None = None, family: str = "Okafor", given: str = "Ada",
            birth: str = "1970-05-01", mrn: str | None = None) -> dict:
    identifiers = [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs}] if nhs else []
    identifiers.append({"type": {"coding": [{"code": "MR"}]}, "system": "https://royalfree.example/mrn",
                        "value": mrn or f"MRN-{id}"})
    return {"resourceType": "Patient", "id": id, "identifier": identifiers,
            "name": [{"use": "official", "family": family, "given": [given]}], "birthDate": birth,
            "address": [{"postalCode": "nw3 2qg"}],
            "telecom": [{"system": "phone", "use": "mobile", "value": "07700 900 123"}]}


def observation(id: str, patient_id: str, *, value: object = 141, code: str = "2951-2", name: str = "Sodium",
                when: str = "2026-10-01T09:00:00+01:00", low: float | None = 133, high: float | None = 146,
                category: str = "laboratory", unit: str = "mmol/L") -> dict:
    resource: dict = {"resourceType": "Observation", "id": id, "status": "final",
                      "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                                "code": category}]}],
                      "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": name}]},
                      "subject": {"reference": f"Patient/{patient_id}"}, "effectiveDateTime": when}
    if value is not None:
        resource["valueQuantity"] = {"value": value, "unit": unit}
    if low is not None or high is not None:
        resource["referenceRange"] = [{**({"low": {"value": low}} if low is not None else {}),
                                       **({"high": {"value": high}} if high is not None else {})}]
    return resource


def document(id: str, patient_id: str, text: str, *, content_type: str = "text/plain", loinc: str = "18842-5",
             title: str = "Discharge summary", when: str = "2026-09-30T16:00:00+01:00") -> dict:
    return {"resourceType": "DocumentReference", "id": id, "status": "current",
            "type": {"coding": [{"system": "http://loinc.org", "code": loinc, "display": title}]},
            "subject": {"reference": f"Patient/{patient_id}"}, "date": when,
            "content": [{"attachment": {"contentType": content_type,
                                        "data": base64.b64encode(text.encode()).decode()}}]}


def write_ndjson(path: Path, lines: list[object]) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path
