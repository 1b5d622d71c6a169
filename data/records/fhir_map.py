"""From a FHIR R4 resource (validated by `fhir.resources`) to what the portal keeps.

Each `to_*` function returns a plain record, or raises `Skip` (a resource the portal does not keep, with the
reason) or `Unusable` (a resource it should keep but cannot, with the reason)."""

from __future__ import annotations

import base64
import functools
import binascii
import hashlib
import json
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from data.records.fhir_read import Entry, reference_key
from domain.clock import LONDON
from domain.errors import InvalidValue
from domain.identifiers import EmailAddress, NhsNumber, Postcode, UkMobile
from domain.records.release import CERTIFICATES, SENSITIVE_CATEGORIES, not_a_result
from domain.records.model import DocumentKind, ReferenceRange, ResultFlag, flag_for, measured
from domain.text import clean_line, clean_text
from domain.records.visits import VisitKind

KEPT = ("Patient", "Encounter", "Appointment", "DocumentReference", "DiagnosticReport", "Observation")
"""The resource types the portal reads; any other is counted as skipped."""

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
STANDALONE_PANEL = "Laboratory test"
"""The panel of a laboratory result that no report groups."""


class Skip(Exception):
    """A resource the portal does not keep; the message says why."""


class Unusable(Exception):
    """A resource the portal should keep but cannot; the message says why."""


@dataclass(frozen=True, slots=True)
class Source:
    """Who a record belongs to, as the file says: 'Patient/<id>' in the source's own ids."""

    resource_type: str
    source_id: str
    content_hash: str
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class PatientRecord:
    source: Source
    identifier: tuple[str, str]
    """(system, value): the source's own identifier, kept as it came."""
    nhs_number: str | None
    given_name: str
    family_name: str
    date_of_birth: date
    date_of_death: date | None
    postcode: str
    mobile: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class VisitRecord:
    source: Source
    kind: VisitKind
    status: str
    started_at: datetime
    ended_at: datetime | None
    title: str
    reason: str | None
    place: str | None


@dataclass(frozen=True, slots=True)
class ResultRecord:
    source: Source
    taken_at: datetime
    panel: str
    test_name: str
    code: str | None
    value_text: str
    value_number: float | None
    unit: str | None
    reference_range: ReferenceRange | None
    flag: ResultFlag
    category: str | None = None
    panel_code: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    source: Source
    kind: DocumentKind
    title: str
    written_at: datetime
    content_type: str
    size_bytes: int
    body: str | None


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """A DiagnosticReport: a panel name for the Observations it points to."""

    source: Source
    panel: str
    taken_at: datetime
    results: tuple[str, ...]
    """'Observation/<id>' of each result."""
    conclusion: str | None = None
    code: str | None = None
    category: str | None = None
    """'imaging' or 'pathology' when the report's category says so (HL7 v2-0074 RAD, PAT, SP, CP…)."""


Record = PatientRecord | VisitRecord | ResultRecord | DocumentRecord | ReportRecord


@dataclass
class Panels:
    """Which report names each Observation: learnt from every file before any Observation is written."""

    by_observation: dict[str, str] = field(default_factory=dict)
    reports: dict[str, ReportRecord] = field(default_factory=dict)
    """The report of each Observation it points to: its code and category decide what the result is."""

    def learn(self, report: ReportRecord) -> None:
        for key in report.results:
            self.by_observation[key] = report.panel
            self.reports[key] = report


def validate(entry: Entry) -> Any:
    """The resource as a `fhir.resources` R4B model; `Unusable` with the first reason when it is not valid."""
    model = _model(entry.resource_type)
    try:
        return model.model_validate(entry.raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or entry.resource_type
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise Unusable(f"is not valid FHIR: {where}: {first['msg']}{more}") from None
    except (TypeError, ValueError) as error:
        raise Unusable(f"is not valid FHIR: {error}") from None


@functools.lru_cache(maxsize=None)
def _model(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    try:
        return get_fhir_model_class(resource_type)
    except (KeyError, ValueError):
        raise Unusable(f"'{resource_type}' is not a FHIR R4 resource type") from None


@functools.lru_cache(maxsize=None)
def _known_type(resource_type: str) -> None:
    """Unusable unless FHIR R4 has this type: asked of the type table, without loading the type's model (a
    type the portal does not keep is skipped, and loading its model would cost more than the whole skip)."""
    from fhir.resources.R4B import fhirtypes

    if not hasattr(fhirtypes, f"{resource_type}Type"):
        raise Unusable(f"'{resource_type}' is not a FHIR R4 resource type")


def content_hash(raw: dict[str, object]) -> str:
    """The same resource always hashes the same, however its keys were ordered and whichever way it was fetched:
    `meta` (version, last updated, a search's tags) and the narrative `text` are the server's, not the record's,
    so a read and a search result of one resource are one content (a second run of both changes nothing)."""
    kept = {key: value for key, value in raw.items() if key not in ("meta", "text")}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def to_record(entry: Entry, panels: Panels) -> Record:
    """Map one entry; `Skip` or `Unusable` say why not."""
    kind = entry.resource_type
    if kind not in KEPT:
        _known_type(kind)  # an unknown type is an error, not a skip
        raise Skip(f"{kind} is not a kind of record the portal shows")
    if entry.source_id is None:
        raise Unusable("has no id, so a second import could not recognise it")
    if len(entry.source_id) > 100:
        raise Unusable("has an id longer than 100 characters")
    resource = validate(entry)
    if getattr(resource, "status", None) == "entered-in-error":
        raise Skip(f"{kind} marked entered-in-error")
    mapper = {"Patient": _patient, "Encounter": _encounter, "Appointment": _appointment,
              "DocumentReference": _document, "DiagnosticReport": _report, "Observation": _observation}[kind]
    try:
        return cleaned(mapper(entry, resource, panels))
    except (Skip, Unusable):
        raise
    except Exception as error:  # valid FHIR shaped in a way no mapping here foresaw: reported, never a crash
        raise Unusable(f"could not be mapped ({type(error).__name__}: {error})") from error


_MULTI_LINE = {"body"}
"""Fields kept with their line breaks; every other text field is one line."""


def cleaned(record: Any) -> Any:
    """A record with no terminal control left in any of its words: the other trust's text is data, not commands."""
    changes: dict[str, Any] = {}
    for item in fields(record):
        value = getattr(record, item.name)
        if isinstance(value, str):
            kept = clean_text(value) if item.name in _MULTI_LINE else clean_line(value)
        elif isinstance(value, ReferenceRange) and value.text:
            kept = replace(value, text=clean_line(value.text))
        else:
            continue
        if kept != value:
            changes[item.name] = kept
    return replace(record, **changes) if changes else record


NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
"""The NHS number's identifier system (UK Core; the national record locator names patients by it)."""
BY_NHS_NUMBER = "nhs-number:"
"""A subject named by NHS number rather than by a reference: the key is this and the ten digits."""


def _source(entry: Entry, subject: Any = None) -> Source:
    key = None
    if subject is not None:
        key = reference_key(subject.reference, entry.aliases, "Patient")
        identifier = subject.identifier
        if (key is None or not key.startswith("Patient/")) and identifier is not None and \
                identifier.system == NHS_NUMBER_SYSTEM and identifier.value:
            digits = "".join(identifier.value.split())
            if not (len(digits) == 10 and digits.isdigit()):
                raise Unusable(f"names its patient by an NHS number that is not ten digits ({digits[:20]!r})")
            key = BY_NHS_NUMBER + digits
        elif key is None or not key.startswith("Patient/"):
            raise Unusable("is not about a patient this file or an earlier import names")
    assert entry.source_id is not None
    return Source(entry.resource_type, entry.source_id, content_hash(entry.raw), key)


def _need_subject(entry: Entry, resource: Any) -> Source:
    if resource.subject is None:
        raise Unusable("names no patient (no subject)")
    return _source(entry, resource.subject)


# --- Patient ------------------------------------------------------------------------------------------------


def _patient(entry: Entry, p: Any, _panels: Panels) -> PatientRecord:
    nhs = None
    own: tuple[str, str] | None = None
    for identifier in p.identifier or []:
        if identifier.system == NHS_NUMBER_SYSTEM and identifier.value:
            try:
                nhs = NhsNumber.parse(identifier.value).digits
            except InvalidValue:
                raise Unusable(f"has an NHS number that is not valid ({identifier.value})") from None
        elif identifier.system and identifier.value and len(identifier.system) <= 200 and len(identifier.value) <= 100:
            is_mrn = any(c.code == "MR" for c in (identifier.type.coding or [])) if identifier.type else False
            if own is None or is_mrn:
                own = (identifier.system, identifier.value)
    if own is None:
        own = (f"urn:portal:fhir:{entry.resource_type}", entry.source_id or "")
    name = _official_name(p)
    if name is None:
        raise Unusable("has no name")
    given, family = name
    if not isinstance(p.birthDate, date):
        raise Unusable("has no full date of birth")
    death = None
    deceased = getattr(p, "deceasedDateTime", None)
    if isinstance(deceased, datetime):
        death = deceased.date()  # the date the source says, in its own offset: never moved to London's
    elif isinstance(deceased, date):
        death = deceased
    return PatientRecord(
        source=_source(entry), identifier=own, nhs_number=nhs, given_name=given[:100], family_name=family[:100],
        date_of_birth=p.birthDate, date_of_death=death, postcode=_postcode(p), mobile=_mobile(p), email=_email(p))


def _official_name(p: Any) -> tuple[str, str] | None:
    names = [n for n in p.name or [] if (n.given or n.family or n.text)]
    if not names:
        return None
    name = next((n for n in names if n.use == "official"), names[0])
    given = " ".join(name.given or [])
    family = name.family or ""
    if not given and not family and name.text:
        parts = name.text.rsplit(" ", 1)
        given, family = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    return given, family


def _postcode(p: Any) -> str:
    for address in p.address or []:
        if address.postalCode:
            try:
                return str(Postcode.parse(address.postalCode))
            except InvalidValue:
                return address.postalCode.strip()[:8]  # another country's: kept as it came
    return ""


def _mobile(p: Any) -> str | None:
    for point in p.telecom or []:
        if point.system in ("phone", "sms") and point.value and point.use in (None, "mobile"):
            try:
                return UkMobile.parse(point.value, allow_drama=True).e164
            except InvalidValue:
                continue
    return None


def _email(p: Any) -> str | None:
    for point in p.telecom or []:
        if point.system == "email" and point.value:
            try:
                return str(EmailAddress.parse(point.value))
            except InvalidValue:
                continue
    return None


# --- Encounter and Appointment: the hospital history ---------------------------------------------------------

_VISIT_CLASSES = {"AMB": VisitKind.OUTPATIENT, "IMP": VisitKind.ADMISSION, "ACUTE": VisitKind.ADMISSION,
                  "NONAC": VisitKind.ADMISSION, "EMER": VisitKind.EMERGENCY}


def _encounter(entry: Entry, e: Any, _panels: Panels) -> VisitRecord:
    code = e.class_fhir.code if e.class_fhir else None
    if code not in _VISIT_CLASSES:
        what = (e.class_fhir.display if e.class_fhir and e.class_fhir.display else None) or code or "none"
        raise Skip(f"Encounter of class {what} is not an outpatient visit, admission or emergency attendance")
    source = _need_subject(entry, e)
    if e.period is None or e.period.start is None:
        raise Unusable("has no start time (period.start)")
    title = _concept_words(e.type[0]) if e.type else None
    place = None
    if e.serviceProvider is not None and e.serviceProvider.display:
        place = e.serviceProvider.display
    elif e.location and e.location[0].location.display:
        place = e.location[0].location.display
    reason = _concept_words(e.reasonCode[0]) if e.reasonCode else None
    return VisitRecord(source, _VISIT_CLASSES[code], e.status[:20], _instant(e.period.start),
                       _instant(e.period.end) if e.period.end else None,
                       _clip(title or _VISIT_CLASSES[code].label, 200), _clip(reason, 200), _clip(place, 200))


def _appointment(entry: Entry, a: Any, _panels: Panels) -> VisitRecord:
    patient = next((p.actor for p in a.participant or [] if p.actor is not None and _names_patient(entry, p.actor)),
                   None)
    if patient is None:
        raise Unusable("names no patient among its participants")
    source = _source(entry, patient)
    if a.start is None:
        raise Skip(f"Appointment with no date yet (status {a.status})")
    title = None
    for concept in [*(a.serviceType or []), a.appointmentType]:
        if concept is not None and _concept_words(concept):
            title = _concept_words(concept)
            break
    title = title or a.description or "Outpatient appointment"
    place = next((p.actor.display for p in a.participant or []
                  if p.actor is not None and p.actor.display and "Location" in (p.actor.reference or "")), None)
    return VisitRecord(source, VisitKind.OUTPATIENT, a.status[:20], _instant(a.start),
                       _instant(a.end) if a.end else None, _clip(title, 200) or "Outpatient appointment",
                       _clip(a.description if a.description != title else None, 200), _clip(place, 200))


def _names_patient(entry: Entry, actor: Any) -> bool:
    """A participant that is the patient: a bundle full URL standing for one, or a 'Patient/…' reference (an
    unresolved urn:uuid could be anyone, so it is not taken for the patient)."""
    reference = actor.reference or ""
    if reference in entry.aliases:
        return entry.aliases[reference].startswith("Patient/")
    if reference.startswith("urn:uuid:"):
        return False
    return (reference_key(reference, entry.aliases, "Patient") or "").startswith("Patient/")


# --- Documents ----------------------------------------------------------------------------------------------

_DOCUMENT_KINDS = {"18842-5": DocumentKind.DISCHARGE_SUMMARY, "11488-4": DocumentKind.CLINIC_OUTCOME,
                   "34117-2": DocumentKind.CLINICAL_NOTE}


def _document(entry: Entry, d: Any, _panels: Panels) -> DocumentRecord:
    source = _need_subject(entry, d)
    codings = d.type.coding or [] if d.type else []
    kind = next((_DOCUMENT_KINDS[c.code] for c in codings if c.code in _DOCUMENT_KINDS), DocumentKind.CLINICAL_NOTE)
    title = (d.type.text if d.type and d.type.text else None) or next((c.display for c in codings if c.display), None)
    title = title or d.description or kind.label
    when = d.date or (d.context.period.start if d.context and d.context.period and d.context.period.start else None)
    if when is None:
        raise Unusable("has no date")
    if not d.content:
        raise Unusable("has no content")
    content_type, size, body = _attachment(d.content[0].attachment, "an attachment")
    if content_type.startswith("text/") and body is None:
        raise Skip("DocumentReference whose text is not in the file (only a link to it)")
    return DocumentRecord(source, kind, _clip(title, 200) or kind.label, _instant(when), content_type, size, body)


def _presented(entry: Entry, source: Source, r: Any, panel: str, when: Any) -> DocumentRecord:
    """A DiagnosticReport whose only content is an attached document, as a file from outside like a letter."""
    attachment = r.presentedForm[0]
    content_type, size, body = _attachment(attachment, "a presentedForm")
    return DocumentRecord(source, DocumentKind.CLINICAL_NOTE, _clip(attachment.title or panel, 200) or "Test report",
                          _instant(when), content_type, size, body)


def _attachment(attachment: Any, what: str) -> tuple[str, int, str | None]:
    """(content type, size in bytes, the text where it is text in the file) of an Attachment; Unusable where its
    data is not base64 or its text not in its charset."""
    content_type = (attachment.contentType or "application/octet-stream")[:80]
    raw = attachment.data
    if isinstance(raw, str):
        try:
            raw = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise Unusable(f"has {what} whose data is not base64") from None
    body = None
    if content_type.startswith("text/") and raw is not None:
        try:
            body = raw.decode(_charset(content_type))
        except (UnicodeDecodeError, LookupError):
            raise Unusable(f"has text that is not {_charset(content_type)}") from None
    return content_type, len(raw) if raw is not None else (attachment.size or 0), body


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"')
    return "utf-8"


# --- Results ------------------------------------------------------------------------------------------------


def _report(entry: Entry, r: Any, _panels: Panels) -> ReportRecord:
    source = _need_subject(entry, r)
    when = r.effectiveDateTime or (r.effectivePeriod.start if r.effectivePeriod else None) or r.issued
    if when is None:
        raise Unusable("has no date")
    panel = _concept_words(r.code) or "Test results"
    keys = []
    for result in r.result or []:
        key = reference_key(result.reference, entry.aliases, "Observation")
        if key is not None and key.startswith("Observation/"):
            keys.append(key)
    code = next((c.code for c in r.code.coding or [] if c.code), None)
    kinds = {c.code for concept in r.category or [] for c in concept.coding or [] if c.code}
    category = next((_REPORT_CATEGORIES[k] for k in kinds if k in _REPORT_CATEGORIES), None)
    if not keys and not r.conclusion:
        if r.presentedForm and category is None:  # a report that is a document (a PDF ECG report): with the letters
            return _presented(entry, source, r, panel, when)
        if r.presentedForm:  # imaging, pathology, genetics: their release rules are results', not letters'
            raise Skip(f"DiagnosticReport of {category} whose only content is a document: not listed with the "
                       "letters, where the results' release rules would not hold it")
        raise Skip("DiagnosticReport with neither results nor a conclusion")
    if code in CERTIFICATES:
        raise Skip(f"DiagnosticReport: {CERTIFICATES[code]}")
    return ReportRecord(source, _clip(panel, 120) or "Test results", _instant(when), tuple(keys),
                        _clip(r.conclusion, 200), _clip(code, 40), category)


_REPORT_CATEGORIES = {"RAD": "imaging", "RX": "imaging", "CT": "imaging", "NMR": "imaging", "NMS": "imaging",
                      "RUS": "imaging", "VUS": "imaging", "OUS": "imaging", "CUS": "imaging", "imaging": "imaging",
                      "PAT": "pathology", "SP": "pathology", "CP": "pathology", "OSL": "pathology",
                      "GE": "genetics"}
"""A report's category (HL7 v2-0074 diagnostic service sections) as the release policy names it."""


def _observation(entry: Entry, o: Any, panels: Panels) -> ResultRecord:
    key = f"Observation/{entry.source_id}"
    categories = [c.code for concept in o.category or [] for c in concept.coding or [] if c.code]
    panel = panels.by_observation.get(key)
    report = panels.reports.get(key)
    code = next((c.code for c in o.code.coding or [] if c.code), None)
    # A report grouping questionnaires does not make them results: the policy asks what each one is.
    why_not = not_a_result(categories, code, report.code if report else None)
    if why_not is not None:
        raise Skip(f"Observation: {why_not}")
    if panel is None and not {"laboratory", "imaging"} & set(categories):
        first = categories[0] if categories else None
        raise Skip(f"Observation: {first or 'uncategorised'} observations are not test results")
    if o.status in ("cancelled", "registered"):
        raise Skip(f"Observation with status {o.status} (no result yet)")
    value_text, number, unit = _value(o)
    if value_text is None:
        raise Skip("Observation: a laboratory observation without a value")
    source = _need_subject(entry, o)
    when = o.effectiveDateTime or (o.effectivePeriod.start if o.effectivePeriod else None) \
        or o.effectiveInstant or o.issued
    if when is None:
        raise Unusable("has no date (effective or issued)")
    reference_range = _range(o)
    interpretation = next((c.code for concept in o.interpretation or [] for c in concept.coding or [] if c.code), None)
    category = (report.category if report and report.category else None) or next(
        (c for c in categories if c in ("laboratory", "imaging") or c in SENSITIVE_CATEGORIES), None)
    return ResultRecord(source, _instant(when), panel or STANDALONE_PANEL,
                        _clip(_concept_words(o.code), 120) or "Test", _clip(code, 40), _clip(value_text, 200) or "",
                        number, _clip(unit, 40), reference_range, flag_for(number, reference_range, interpretation),
                        _clip(category, 40), _clip(report.code, 40) if report else None)


def _value(o: Any) -> tuple[str | None, float | None, str | None]:
    if o.valueQuantity is not None and o.valueQuantity.value is not None:
        q = o.valueQuantity
        number = float(q.value)
        return f"{q.comparator or ''}{measured(number)}", number, q.unit or q.code
    if o.valueCodeableConcept is not None:
        return _concept_words(o.valueCodeableConcept), None, None
    if o.valueString:
        return o.valueString, None, None
    if o.valueBoolean is not None:
        return ("Yes" if o.valueBoolean else "No"), None, None
    if o.valueInteger is not None:
        return str(o.valueInteger), float(o.valueInteger), None
    if o.valueRange is not None and (o.valueRange.low or o.valueRange.high):
        low = measured(float(o.valueRange.low.value)) if o.valueRange.low and o.valueRange.low.value is not None else ""
        high = measured(float(o.valueRange.high.value)) if o.valueRange.high and o.valueRange.high.value is not None else ""
        return f"{low} to {high}".strip(), None, None
    if o.valueRatio is not None and o.valueRatio.numerator and o.valueRatio.denominator:
        n, d = o.valueRatio.numerator.value, o.valueRatio.denominator.value
        if n is not None and d is not None:
            return f"{measured(float(n))}:{measured(float(d))}", None, None
    if o.valueDateTime is not None:
        return str(o.valueDateTime), None, None
    if o.valueTime is not None:
        return str(o.valueTime), None, None
    return None, None, None


def _range(o: Any) -> ReferenceRange | None:
    if not o.referenceRange:
        return None
    first = o.referenceRange[0]
    low = _decimal(first.low.value) if first.low is not None else None
    high = _decimal(first.high.value) if first.high is not None else None
    if low is None and high is None and not first.text:
        return None
    return ReferenceRange(low, high, _clip(first.text, 120))


def _decimal(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# --- Shared -------------------------------------------------------------------------------------------------


def _concept_words(concept: Any) -> str | None:
    if concept is None:
        return None
    if concept.text:
        return concept.text
    return next((c.display for c in concept.coding or [] if c.display), None) or \
        next((c.code for c in concept.coding or [] if c.code), None)


def _clip(text: str | None, length: int) -> str | None:
    if text is None:
        return None
    text = text.replace("\u200b", "").strip()
    return text if len(text) <= length else text[: length - 1] + "…"


def _instant(value: datetime | date | str) -> datetime:
    """A FHIR date or dateTime as a UTC instant: a day alone (or a month, or a year) is its first London midnight."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=LONDON).astimezone(UTC)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), LONDON).astimezone(UTC)
    parts = [int(p) for p in str(value).split("-")[:3] if p.isdigit()]
    if not parts:
        raise Unusable(f"has a date that cannot be read ({value})")
    year, month, day = (parts + [1, 1])[:3]
    return datetime.combine(date(year, month, day), time(0), LONDON).astimezone(UTC)
