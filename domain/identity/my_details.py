"""My Details: the contact details the hospital holds, and paper or paperless letters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.identity.access import STAFF_READS, record_access, require_access, target_patient
from domain.audit import AuditEvent, Outcome
from domain.errors import AccessDenied, InvalidValue, NotFound
from domain.events.person import FEED_CHANGES
from domain.identity.patients import LetterPreference, Patient, PatientAccount
from domain.language import _, ENGLISH, LANGUAGES, PSEUDO
from domain.ports import Clock, UnitOfWork
from domain.identity.session import Actor, StaffSession


@dataclass(frozen=True, slots=True)
class MyDetails:
    """What the My Details page and the banner show."""

    given_name: str
    family_name: str
    nhs_number: str | None
    masked_nhs_number: str | None
    masked_mobile: str | None
    email: str | None
    postcode: str
    letter_preference: LetterPreference
    date_of_birth: date | None = None
    hospital_number: str | None = None
    language: str | None = None
    """The language the patient chose for the kiosk and their texts (None: the trust's default)."""
    date_of_death: date | None = None
    """Shown plainly at the desk (the banner, the record); a patient who has died has no kiosk account."""

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def my_details(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None) -> MyDetails:
    """The signed-in patient's own details (a patient's identity comes from the session), or at the desk those
    of the patient being acted for."""
    patient_id = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, patient_id, "view_details", hidden_as="Your record could not be found.")
        patient = uow.patients.get(patient_id)
        if patient is None:
            raise NotFound(_("Your record could not be found."))
        return details_of(patient, uow.accounts.for_patient(patient_id))


def details_of(patient: Patient, account: PatientAccount | None) -> MyDetails:
    """What the hospital holds, as the pages show it (the mobile masked)."""
    return MyDetails(
        given_name=patient.given_name, family_name=patient.family_name,
        nhs_number=patient.nhs_number.formatted if patient.nhs_number else None,
        masked_nhs_number=patient.nhs_number.masked if patient.nhs_number else None,
        masked_mobile=patient.mobile.masked if patient.mobile else None,
        email=str(account.email) if account else (str(patient.email) if patient.email else None),
        postcode=patient.postcode, letter_preference=patient.letter_preference,
        date_of_birth=patient.date_of_birth, hospital_number=patient.hospital_number, language=patient.language,
        date_of_death=patient.date_of_death,
    )


def change_letter_preference(uow: UnitOfWork, clock: Clock, actor: Actor, preference: LetterPreference,
                             patient_id: int | None = None, *, patient_agreed: bool = False) -> None:
    """Switch between paper and paperless at any time; every change is audited. At the desk only with the
    patient's agreement, which the audit trail records."""
    if isinstance(actor, StaffSession) and not patient_agreed:
        raise InvalidValue(_("Ask the patient first: their letters change only with their agreement."))
    patient_id = target_patient(actor, patient_id)
    with uow:
        patient = _own_record_locked(uow, actor, patient_id)
        uow.patients.set_letter_preference(patient_id, preference)
        _audit_change(uow, clock, actor, "letter_preference", patient_id, f"{patient.letter_preference} -> "
                      f"{preference}" + ("; the patient agreed" if patient_agreed else ""))
        uow.commit()


def change_language(uow: UnitOfWork, clock: Clock, actor: Actor, code: str, patient_id: int | None = None) -> None:
    """The patient's language for the kiosk and their texts, kept on their record; audited like letters."""
    if code not in LANGUAGES or code == PSEUDO:
        raise InvalidValue(_("Choose one of the languages shown."))
    patient_id = target_patient(actor, patient_id)
    with uow:
        patient = _own_record_locked(uow, actor, patient_id)
        if (patient.language or ENGLISH) == code:
            return
        uow.patients.set_language(patient_id, None if code == ENGLISH else code)
        _audit_change(uow, clock, actor, "language", patient_id, f"{patient.language or ENGLISH} -> {code}")
        uow.commit()


def _own_record_locked(uow: UnitOfWork, actor: Actor, patient_id: int) -> Patient:
    """The record a change is made to, locked for it: the patient's own, or the one staff act for."""
    if not record_access(actor, patient_id):
        raise AccessDenied(_("You can only change your own details."))
    uow.patients.lock(patient_id)
    patient = uow.patients.get(patient_id)
    if patient is None:
        raise NotFound(_("Your record could not be found."))
    return patient


def _audit_change(uow: UnitOfWork, clock: Clock, actor: Actor, action: str, patient_id: int, detail: str) -> None:
    kind, actor_id, role = actor.audit_identity
    uow.audit.record(AuditEvent(at=clock.now(), actor_kind=kind, actor_id=actor_id, actor_role=role, action=action,
                                outcome=Outcome.SUCCESS, patient_id=patient_id, detail=detail))


_AGAIN = timedelta(minutes=10)

_LOOKS = {"staff_open": "Opened your record", "open_letter": "Read a letter",
          "reschedule_appointment": "Changed an appointment's date or time",
          "cancel_appointment": "Cancelled an appointment", "letter_preference": "Changed how you get letters",
          "language": "Changed your language",
          "book_appointment": "Booked an appointment",
          "list_appointments": "Looked at your appointments", "view_appointment": "Looked at an appointment",
          "reschedule_options": "Looked for other times for an appointment",
          "list_letters": "Looked at your letters", "list_results": "Looked at your test results",
          "result_history": "Looked at a test's earlier results", "list_visits": "Looked at your hospital visits",
          "view_details": "Looked at your contact details",
          "arrangements_done": "Rebooked transport or an interpreter for an appointment"}
"""The audit actions a patient is shown, in their words."""


def _feed_change(event: AuditEvent) -> RecordLook:
    """A hospital system's change to the patient's details: which details, never their values (a shared screen)."""
    fields = [part.split(":", 1)[0].strip() for part in event.detail.split(";") if ":" in part]
    who = "The Royal Free's records" if event.actor_id.endswith("RAL") else "The hospital's records"
    return RecordLook(event.at, who, f"Changed your {', '.join(fields) or 'details'}", "Sent by the hospital's system")


@dataclass(frozen=True, slots=True)
class RecordLook:
    """One look at the patient's record by hospital staff, as the patient is told of it."""

    at: datetime
    who: str
    what: str
    why: str


def who_looked(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None) -> list[RecordLook]:
    """The last 12 months, newest first: when, "the Appointments team" (a role, not a name), what, and why."""
    patient_id = target_patient(actor, patient_id)
    since = clock.now() - timedelta(days=365)
    with uow:
        require_access(uow, clock, actor, patient_id, "who_looked", hidden_as="Your record could not be found.")
        events = uow.audit.staff_looks(patient_id, since)
    looks: list[RecordLook] = []
    shown: dict[tuple[str, str | None], datetime] = {}
    for event in events:  # newest first
        if event.action in FEED_CHANGES:
            looks.append(_feed_change(event))
            continue
        if event.action not in _LOOKS or event.outcome is not Outcome.SUCCESS:
            continue
        # The same look again within minutes (a page read again on the way back to it) is said once.
        key = (event.action, event.actor_id)
        if key in shown and event.action in STAFF_READS and shown[key] - event.at < _AGAIN:
            continue
        shown[key] = event.at
        who = "A system administrator" if event.actor_role == "system_admin" else "The Appointments team"
        # The reason is given when a record is opened; what is done with it then happens for that reason.
        why = (event.detail or "Not given") if event.action == "staff_open" else "While your record was open"
        looks.append(RecordLook(event.at, who, _LOOKS[event.action], why))
    return looks
