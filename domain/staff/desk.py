"""The Appointments team's desk: find a patient, open their record with a reason — every look audited."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.appointments.model import AppointmentView
from domain.audit import AuditEvent, Outcome
from domain.errors import AccessDenied, InvalidValue, NotFound
from domain.identifiers import NhsNumber
from domain.identity.my_details import MyDetails, details_of
from domain.identity.patients import Patient
from domain.ports import Clock, UnitOfWork
from domain.identity.session import StaffSession
from domain.typed import parse_date_of_birth

MAX_RESULTS = 50

HOW_TO_SEARCH = ("Search by NHS number, hospital number, or surname and date of birth "
                 "(for example: 943 476 5919, or Thompson 6 8 1958).")


class OpenReason(StrEnum):
    """Why a member of staff opens a record: chosen (or typed), kept in the audit trail, shown to the patient."""

    AT_DESK = "patient at the desk"
    ON_PHONE = "patient on the phone"
    POST = "letter or post"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class PatientMatch:
    """Enough to pick the right person, nothing more."""

    patient_id: int
    full_name: str
    date_of_birth: date | None
    postcode: str
    nhs_number: str | None
    hospital_number: str
    masked_mobile: str | None
    date_of_death: date | None = None
    """Said plainly in the results; opening then asks first."""


@dataclass(frozen=True, slots=True)
class OpenRecord:
    """A patient opened at the desk: who they are, and their appointments."""

    patient: Patient
    reason: str
    appointments: list[AppointmentView]
    details: MyDetails
    """What the pages' banner and My Details show."""


def find_patients(uow: UnitOfWork, clock: Clock, session: StaffSession, query: str, today: date) -> list[PatientMatch]:
    """One box: an NHS number (any spacing), a hospital number, or a surname (its start, any case, accents
    ignored) with a date of birth in any form the kiosk takes. At most 50, by name."""
    _acts_for_patients(session)
    kind, found = _search(uow, query, today)
    with uow:
        uow.audit.record(_audit(clock, session, "staff_search", Outcome.SUCCESS, None, f"by {kind}: {len(found)} found"))
        uow.commit()
    ordered = sorted(found, key=lambda f: (fold(f[0].family_name), fold(f[0].given_name),
                                           f[0].date_of_birth or date.min))
    return [_match(p, number) for p, number in ordered[:MAX_RESULTS]]


def open_patient(uow: UnitOfWork, clock: Clock, session: StaffSession, patient_id: int, reason: str) -> OpenRecord:
    """Open a record for a reason, which the audit trail keeps (and the patient will see)."""
    _acts_for_patients(session)
    why = " ".join((reason or "").split())[:200]
    if not why:
        raise InvalidValue("Say why you are opening this record.")
    with uow:
        patient = uow.patients.get(patient_id)
        if patient is None:
            raise NotFound("There is no such patient.")
        uow.audit.record(_audit(clock, session, "staff_open", Outcome.SUCCESS, patient_id, why))
        # The page shows the appointments and details: one audit row, the opening, covers that look.
        record = OpenRecord(patient, why, uow.appointments.views_for_patient(patient_id),
                            details_of(patient, uow.accounts.for_patient(patient_id)))
        uow.commit()
    return record


def fold(text: str) -> str:
    """A name as a search compares it: no accents, no case, no spaces, apostrophes or hyphens (O'Neill = oneill)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return re.sub(r"[\W_]+", "", "".join(c for c in decomposed if not unicodedata.combining(c)).casefold())


def _search(uow: UnitOfWork, query: str, today: date) -> tuple[str, list[tuple[Patient, str]]]:
    """(what was searched by, each patient found with the hospital number to show beside them: the one searched
    for, with its trust, where the search was by hospital number — the same number may be each trust's)."""
    text = " ".join((query or "").split())
    if not text:
        raise InvalidValue(HOW_TO_SEARCH)
    with uow:
        compact = text.replace(" ", "")
        if re.fullmatch(r"\d{10}", compact):
            try:
                number = NhsNumber.parse(compact)
            except InvalidValue:
                raise InvalidValue(f"{text} is not a valid NHS number (its check digit is wrong). "
                                   f"{HOW_TO_SEARCH}") from None
            found = uow.patients.by_nhs_number(number)
            return "NHS number", [(found, _own_number(uow, found))] if found else []
        if re.fullmatch(r"[A-Za-z]{3}\d{7}", compact) or re.fullmatch(r"[A-Za-z]{0,4}\d{4,9}", text):
            # A hospital number: the portal's own (RWG1000001) or a PAS's (843124, RF0012345)
            value = compact.upper()
            return "hospital number", [(patient, f"{value} ({uow.trusts.get(trust).short_name})")
                                       for trust, patient in uow.patients.by_hospital_number(value)]
        surname, born = _surname_and_birth(text, today)
        prefix = fold(surname)
        return "surname and date of birth", [(p, _own_number(uow, p)) for p in uow.patients.born_on(born)
                                             if fold(p.family_name).startswith(prefix)]


def _own_number(uow: UnitOfWork, patient: Patient) -> str:
    """The patient's own trust's number, naming the trust."""
    return f"{patient.hospital_number} ({uow.trusts.get(patient.trust).short_name})"


def _surname_and_birth(text: str, today: date) -> tuple[str, date]:
    words = text.split(" ")
    for split in range(1, len(words)):
        name, when = " ".join(words[:split]), " ".join(words[split:])
        if re.search(r"\d", name):
            break
        try:
            return name, parse_date_of_birth(when, today)
        except InvalidValue:
            continue
    raise InvalidValue(HOW_TO_SEARCH)


def _match(p: Patient, number: str) -> PatientMatch:
    return PatientMatch(p.id, p.full_name, p.date_of_birth, p.postcode,
                        p.nhs_number.formatted if p.nhs_number else None, number,
                        p.mobile.masked if p.mobile else None, p.date_of_death)


def _acts_for_patients(session: StaffSession) -> None:
    if not session.role.acts_for_patients:
        raise AccessDenied("A system administrator does not act for patients: sign in as a member of the "
                           "Appointments team.")


def _audit(clock: Clock, session: StaffSession, action: str, outcome: Outcome, patient_id: int | None,
           detail: str) -> AuditEvent:
    kind, actor_id, role = session.audit_identity
    return AuditEvent(at=clock.now(), actor_kind=kind, actor_id=actor_id, actor_role=role, action=action,
                      outcome=outcome, patient_id=patient_id, detail=detail)
