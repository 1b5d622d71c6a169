"""What a patient's pages ask of the portal: one patient's record, for whoever is acting — the patient at the
kiosk, or a member of staff at the desk — bound by the composition root, so that the pages are the same."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from domain.records.reading import LETTERS_PAGE, VISITS_SHOWN

if TYPE_CHECKING:  # names for the annotations only: nothing more is loaded before the kiosk's first paint
    from domain.appointments.booking import Booked, BookingKind, ClinicChoice
    from domain.appointments.changes import AppointmentPage, Cancelled, Rescheduled
    from domain.appointments.model import AppointmentView
    from domain.hospital import Slot, TrustCode
    from domain.identity.my_details import MyDetails, RecordLook
    from domain.identity.patients import LetterPreference
    from domain.records.model import Document, DocumentKind, TestResult
    from domain.records.reading import LetterList, ResultsPage, VisitList
    from domain.staff.supervision import TextView


class RecordServices(Protocol):
    """Use cases on one patient's record. Every method may block: call it from a thread worker."""

    def now(self) -> datetime:
        """The current instant (UTC), from the portal's clock."""
        ...

    def appointments(self) -> list[AppointmentView]: ...

    def visits(self, limit: int = VISITS_SHOWN) -> VisitList: ...

    def appointment(self, appointment_id: int) -> AppointmentPage: ...

    def reschedule_options(self, appointment_id: int) -> list[Slot]: ...

    def reschedule(self, appointment_id: int, slot_id: int, reason: str | None = None) -> Rescheduled:
        """Raises domain.appointments.changes.SlotTaken, with the nearest free times, when the slot went first."""
        ...

    def cancel(self, appointment_id: int, reason: str | None, by_hospital: bool = False) -> Cancelled:
        """`by_hospital`: at the desk, the hospital cancelled (the referral stays open; a to-do to rebook)."""
        ...

    def open_letter(self, document_id: int) -> Document: ...

    def letter_list(self, kind: DocumentKind | None = None, trust: TrustCode | None = None,
                    limit: int = LETTERS_PAGE) -> LetterList:
        """The newest letters, and how many there are."""
        ...

    def results_page(self, before: tuple[datetime, int] | None = None) -> ResultsPage:
        """A page of results, newest first; `before` is the last page's `earlier`."""
        ...

    def result_history(self, result_id: int) -> list[TestResult]: ...

    def my_details(self) -> MyDetails: ...

    def who_looked(self) -> list[RecordLook]:
        """Hospital staff's looks at the patient's record, last 12 months, newest first."""
        ...

    def change_letter_preference(self, preference: LetterPreference, *, patient_agreed: bool = False) -> None: ...

    def change_language(self, code: str) -> None: ...


class DeskRecordServices(RecordServices, Protocol):
    """At the desk, also what only staff do."""

    def booking_clinics(self) -> list[ClinicChoice]: ...

    def booking_slots(self, clinic_id: int) -> list[Slot]: ...

    def book(self, slot_id: int, kind: BookingKind, reason: str, ubrn: str | None = None) -> Booked:
        """Raises domain.appointments.changes.SlotTaken, with the nearest free times, when the slot went first."""
        ...

    def arrangements_done(self, appointment_id: int) -> None: ...

    def texts(self) -> list[TextView]:
        """The texts sent to the patient, newest first (codes blanked); the read is audited."""
        ...
