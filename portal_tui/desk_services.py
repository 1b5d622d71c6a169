"""The desk's use cases bound to the database, the clock, the password hasher and the staff second factor."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from domain.appointments import booking
from domain.appointments import changes
from domain.appointments.booking import Booked, BookingKind, ClinicChoice
from domain.appointments.changes import AppointmentPage, Cancelled, Rescheduled
from domain.appointments.model import AppointmentView
from domain.appointments.rules import OnlinePolicy
from domain.clock import LONDON
from domain.hospital import Slot, TrustCode
from domain.identity import my_details as details_rules
from domain.identity.my_details import MyDetails, RecordLook
from domain.identity.patients import LetterPreference
from domain.identity.session import StaffSession
from domain.ports import Clock
from domain.records import reading
from domain.records.model import Document, DocumentKind, TestResult
from domain.records.reading import LETTERS_PAGE, LetterList, ResultsPage
from domain.staff import accounts as staff
from domain.staff import desk
from domain.staff import supervision
from domain.staff.supervision import TextView
from domain.staff.desk import OpenRecord, PatientMatch
from domain.text import clean_line
from portal_tui.settings import Settings

if TYPE_CHECKING:
    from portal_tui.bootstrap import Database


class DeskServices:
    """One per desk app; the database side loads on first use."""

    def __init__(self, settings: Settings, clock: Clock, database: Database | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._database = database
        """Built on first use; the desk service hands every desk it serves its one database."""
        self._parts: dict[str, Any] = {}
        self._at_sign_in: dict[int, staff.StaffMember] = {}
        """Each member of staff's account as it was when they signed in here: what session_check compares with."""
        self._support: Any = None
        self._supervision: Any = None
        self.policy = OnlinePolicy(cutoff=timedelta(hours=settings.change_cutoff_hours),
                                   reschedule_limit=settings.reschedule_limit,
                                   horizon=timedelta(weeks=settings.booking_horizon_weeks),
                                   post_working_days=settings.post_working_days)
        """The trust's online rules: the desk's own go past them, as the domain's staff rules say."""
        self.release = settings.release_policy()
        """What the kiosk shows of results: the desk sees all, the held-back ones marked."""

    def for_terminal(self, terminal: str) -> DeskServices:
        """The same database, staff secrets and rules for another desk: the desk service serves many, each
        named in the audit trail by its own terminal."""
        other = DeskServices(replace(self.settings, terminal_id=terminal), self.clock, self._the_database())
        other._lock, other._parts = self._lock, self._parts  # the hasher and the sealed-secret box, made once
        return other

    def today(self) -> date:
        return self.clock.now().astimezone(LONDON).date()

    def sign_in(self, username: str, password: str, code: str) -> StaffSession:
        hasher, factor, box, dummy = self._staff_parts()
        session = staff.sign_in(self._uow(), self.clock, hasher, factor, box, username, password, code, dummy)
        account = self.staff_account(session.username)
        if account is not None:
            self._at_sign_in[session.staff_id] = account
        return session

    def session_check(self, session: StaffSession) -> str:
        at_sign_in = self._at_sign_in.get(session.staff_id)
        if at_sign_in is None:
            return ""  # signed in elsewhere (the desk service keeps its own and checks every call)
        return staff.session_problem(self.staff_account(session.username), session, at_sign_in)

    def unlock(self, session: StaffSession, password: str) -> None:
        hasher, _, _, _ = self._staff_parts()
        staff.unlock(self._uow(), self.clock, hasher, session, password)

    def find_patients(self, session: StaffSession, query: str) -> list[PatientMatch]:
        return desk.find_patients(self._uow(), self.clock, session, query, self.today())

    def sign_out(self, session: StaffSession, why: str = "signed out") -> None:
        """The session lives in the desk (the desk service forgets its own): its end is audited."""
        self.record_session(session, "staff_sign_out", clean_line(why)[:200])

    def cover(self, session: StaffSession) -> None:
        """The desk in this process covers itself; its cover is audited."""
        self.record_session(session, "staff_desk_covered", "covered")

    def staff_account(self, username: str) -> staff.StaffMember | None:
        """A member of staff's account as it is now (the desk service checks a session against it each call)."""
        with self._uow(read_only=True) as uow:
            return uow.staff.by_username(username)

    def record_session(self, session: StaffSession, action: str, detail: str) -> None:
        """A staff session's end or cover, in the audit trail with this desk's terminal."""
        with self._uow() as uow:
            uow.audit.record(staff.session_audit(self.clock, session, action, detail))
            uow.commit()

    def open_patient(self, session: StaffSession, patient_id: int, reason: str) -> OpenRecord:
        return desk.open_patient(self._uow(), self.clock, session, patient_id, reason)

    def acting_for(self, session: StaffSession, patient_id: int) -> DeskRecord:
        """One patient's record, for the pages the member of staff opens while acting for them."""
        return DeskRecord(self, session, patient_id)

    def _uow(self, *, read_only: bool = False):  # type: ignore[no-untyped-def]
        return self._the_database().unit_of_work(read_only=read_only, terminal=self.settings.terminal)

    def _the_database(self) -> Database:
        with self._lock:
            if self._database is None:
                from portal_tui.bootstrap import Database

                self._database = Database(self.settings, interactive=True)
        return self._database

    @property
    def support(self):  # type: ignore[no-untyped-def]
        """The help centre and the support inbox."""
        with self._lock:
            if self._support is None:
                from portal_tui.support import SupportServices

                self._support = SupportServices(self.settings, self.clock, self._uow, "desk")
        return self._support

    @property
    def supervision(self):  # type: ignore[no-untyped-def]
        """The supervisor's tools: audit trail, texts, staff accounts."""
        with self._lock:
            if self._supervision is None:
                from portal_tui.supervision import SupervisionServices

                self._supervision = SupervisionServices(self.settings, self.clock, self._uow, self._staff_parts)
        return self._supervision

    def _staff_parts(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if not self._parts:
                from data.identity.passwords import Argon2Hasher
                from data.staff.accounts import FernetBox, TotpFactor

                hasher = Argon2Hasher()
                self._parts.update({"hasher": hasher, "factor": TotpFactor(),
                                    "box": FernetBox(self.settings.require_staff_secret_key()),
                                    "dummy": hasher.hash("no member of staff has this password")})
        p = self._parts
        return p["hasher"], p["factor"], p["box"], p["dummy"]


class DeskRecord:
    """A patient's record at the desk (screens/common/services.py): the kiosk's use cases with a StaffSession,
    and what only staff do. Each read is audited by the domain."""

    def __init__(self, services: DeskServices, session: StaffSession, patient_id: int) -> None:
        self._s = services
        self._session = session
        self.patient_id = patient_id

    def _uow(self):  # type: ignore[no-untyped-def]
        return self._s._uow()

    def now(self) -> datetime:
        return self._s.clock.now()

    def appointments(self) -> list[AppointmentView]:
        return changes.appointment_list(self._uow(), self._s.clock, self._session, self.patient_id)

    def visits(self, limit: int = reading.VISITS_SHOWN) -> reading.VisitList:
        return reading.visits(self._uow(), self._s.clock, self._session, self.patient_id, limit)

    def appointment(self, appointment_id: int) -> AppointmentPage:
        return changes.appointment_page(self._uow(), self._s.clock, self._session, appointment_id, self._s.policy)

    def reschedule_options(self, appointment_id: int) -> list[Slot]:
        return changes.reschedule_options(self._uow(), self._s.clock, self._session, appointment_id, self._s.policy)

    def reschedule(self, appointment_id: int, slot_id: int, reason: str | None = None) -> Rescheduled:
        return changes.reschedule(self._uow(), self._s.clock, self._session, appointment_id, slot_id,
                                  self._s.policy, reason)

    def cancel(self, appointment_id: int, reason: str | None, by_hospital: bool = False) -> Cancelled:
        return changes.cancel(self._uow(), self._s.clock, self._session, appointment_id, reason, self._s.policy,
                              by_hospital)

    def open_letter(self, document_id: int) -> Document:
        return changes.open_letter(self._uow(), self._s.clock, self._session, document_id)

    def letter_list(self, kind: DocumentKind | None = None, trust: TrustCode | None = None,
                    limit: int = LETTERS_PAGE) -> LetterList:
        return reading.letter_list(self._uow(), self._s.clock, self._session, kind=kind, trust=trust,
                                   patient_id=self.patient_id, limit=limit)

    def results_page(self, before: tuple[datetime, int] | None = None) -> ResultsPage:
        return reading.results_page(self._uow(), self._s.clock, self._session, self.patient_id, self._s.release,
                                    before)

    def result_history(self, result_id: int) -> list[TestResult]:
        return reading.history(self._uow(), self._s.clock, self._session, result_id, self.patient_id,
                               self._s.release)

    def my_details(self) -> MyDetails:
        return details_rules.my_details(self._uow(), self._s.clock, self._session, self.patient_id)

    def who_looked(self) -> list[RecordLook]:
        return details_rules.who_looked(self._uow(), self._s.clock, self._session, self.patient_id)

    def change_letter_preference(self, preference: LetterPreference, *, patient_agreed: bool = False) -> None:
        details_rules.change_letter_preference(self._uow(), self._s.clock, self._session, preference,
                                               self.patient_id, patient_agreed=patient_agreed)

    def change_language(self, code: str) -> None:
        details_rules.change_language(self._uow(), self._s.clock, self._session, code, self.patient_id)

    def booking_clinics(self) -> list[ClinicChoice]:
        return booking.booking_clinics(self._uow(), self._s.clock, self._session, self.patient_id)

    def booking_slots(self, clinic_id: int) -> list[Slot]:
        return booking.booking_slots(self._uow(), self._s.clock, self._session, self.patient_id, clinic_id,
                                     self._s.policy)

    def book(self, slot_id: int, kind: BookingKind, reason: str, ubrn: str | None = None) -> Booked:
        return booking.book(self._uow(), self._s.clock, self._session, self.patient_id, slot_id, kind, reason,
                            self._s.policy, self._s.settings.portal_url, ubrn)

    def arrangements_done(self, appointment_id: int) -> None:
        booking.arrangements_done(self._uow(), self._s.clock, self._session, appointment_id)

    def texts(self) -> list[TextView]:
        return supervision.patient_texts(self._uow(), self._s.clock, self._session, self.patient_id)

