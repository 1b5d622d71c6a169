"""What screens ask of the portal. The composition root supplies it; screens never see a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from domain.appointments.model import AppointmentView
from domain.hospital import Slot
from domain.identifiers import EmailAddress, NhsNumber, Postcode
from domain.appointments.changes import AppointmentPage, Cancelled, Rescheduled
from domain.identity.my_details import MyDetails, RecordLook
from domain.identity.patients import LetterPreference
from domain.records.model import Document, TestResult
from domain.identity.registration import Registered
from domain.identity.session import PatientSession
from screens.common.help import HelpServices
from screens.common.services import RecordServices
from domain.support.reports import ProblemReport
from domain.typed import HospitalNumber
from domain.records.reading import VISITS_SHOWN, VisitList


@dataclass(frozen=True, slots=True)
class Ticket:
    """A registration or sign-in waiting for its code: an opaque id, and where the code went (masked)."""

    id: str
    masked_mobile: str


class KioskSupport(HelpServices, Protocol):
    """The help centre, and a signed-in patient's replies."""

    def unread_reply(self, session: PatientSession) -> ProblemReport | None: ...

    def mark_seen(self, session: PatientSession, reference: str) -> None: ...


class PortalServices(Protocol):
    """Use cases, bound to the database and clock. Every method may block: call it from a thread worker."""

    @property
    def support(self) -> KioskSupport:
        """The help centre and problem reports."""
        ...

    def now(self) -> datetime:
        """The current instant (UTC), from the portal's clock."""
        ...

    def today(self) -> date:
        """Today in the hospital's time zone (for dates of birth typed on screen)."""
        ...

    def register_with_invitation(self, code: str, date_of_birth: date) -> Ticket: ...

    def register_with_details(self, identifier: NhsNumber | HospitalNumber, date_of_birth: date,
                              postcode: Postcode) -> Ticket: ...

    def resend_registration_code(self, ticket: str) -> Ticket: ...

    def verify_registration(self, ticket: str, code: str) -> None: ...

    def complete_registration(self, ticket: str, email: EmailAddress, password: str,
                              preference: LetterPreference) -> Registered: ...

    def sign_in(self, email: EmailAddress, password: str) -> Ticket: ...

    def resend_sign_in_code(self, ticket: str) -> Ticket: ...

    def finish_sign_in(self, ticket: str, code: str) -> PatientSession: ...

    def begin_unlock(self, email: EmailAddress) -> Ticket:
        """A code to the mobile of the account with this address, if there is one: the same answer either way
        (a ticket whose codes are never right, where there is none)."""
        ...

    def finish_unlock(self, ticket: str, code: str) -> None:
        """The right code opens signing in with the address again; raises Refused otherwise."""
        ...

    def my_details(self, session: PatientSession) -> MyDetails: ...

    def who_looked(self, session: PatientSession) -> list[RecordLook]:
        """Hospital staff's looks at the patient's record, last 12 months, newest first."""
        ...

    def change_letter_preference(self, session: PatientSession, preference: LetterPreference) -> None: ...

    def change_language(self, session: PatientSession, code: str) -> None:
        """The patient's language, kept on their record for their texts and their next visit."""
        ...

    def appointments(self, session: PatientSession) -> list[AppointmentView]: ...

    def appointment(self, session: PatientSession, appointment_id: int) -> AppointmentPage: ...

    def reschedule_options(self, session: PatientSession, appointment_id: int) -> list[Slot]: ...

    def reschedule(self, session: PatientSession, appointment_id: int, slot_id: int) -> Rescheduled:
        """Raises domain.appointments.changes.SlotTaken, with the nearest free times, when the slot went first."""
        ...

    def cancel(self, session: PatientSession, appointment_id: int, reason: str | None,
               by_hospital: bool = False) -> Cancelled: ...

    def open_letter(self, session: PatientSession, document_id: int) -> Document: ...

    def visits(self, session: PatientSession, limit: int = VISITS_SHOWN) -> VisitList: ...

    def result_history(self, session: PatientSession, result_id: int) -> list[TestResult]: ...

    def for_patient(self, session: PatientSession) -> RecordServices:
        """The signed-in patient's record, for the pages they open (the same pages the desk shows)."""
        ...
