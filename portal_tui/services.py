"""The use cases bound to a database, a clock and a password hasher: what screens call (see screens/kiosk/services.py).

The database side is loaded on first use, so the kiosk paints its welcome screen before SQLAlchemy is imported."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from datetime import timedelta

from domain.appointments import changes as my_appointments
from domain.records import reading as my_records
from domain.identity import my_details as details_rules
from domain.identity import registration
from domain.identity import sign_in
from domain.identity import verification
from domain.appointments.rules import OnlinePolicy
from domain.appointments.model import AppointmentView
from domain.clock import LONDON
from domain.hospital import Slot
from domain.identifiers import EmailAddress, NhsNumber, Postcode
from domain.messaging.model import SmsMessage
from domain.appointments.changes import AppointmentPage, Cancelled, Rescheduled
from domain.identity.my_details import MyDetails, RecordLook
from domain.identity.patients import LetterPreference
from domain.ports import Clock
from domain.hospital import TrustCode
from domain.records.reading import LETTERS_PAGE, VISITS_SHOWN, LetterList, ResultsPage, VisitList
from domain.records.model import Document, DocumentKind, TestResult
from domain.identity.registration import Registered
from domain.identity.session import PatientSession
from domain.typed import HospitalNumber
from domain.identity.verification import CodeSent
from portal_tui.settings import Settings
from screens.kiosk.services import Ticket

if TYPE_CHECKING:
    from portal_tui.bootstrap import Database


class PortalServices:
    """One per app. `on_sms` sees each text queued (the demo phone); screens only ever get a masked mobile."""

    def __init__(self, settings: Settings, clock: Clock, on_sms: Callable[[SmsMessage], None] | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.on_sms = on_sms
        self._lock = threading.Lock()
        self._database: Database | None = None
        self._hasher: Any = None
        self._dummy_hash = ""
        self._support: Any = None
        self.policy = OnlinePolicy(cutoff=timedelta(hours=settings.change_cutoff_hours),
                                   reschedule_limit=settings.reschedule_limit,
                                   horizon=timedelta(weeks=settings.booking_horizon_weeks),
                                   post_working_days=settings.post_working_days)
        """The trust's rules for changing appointments online, from settings."""
        self.release = settings.release_policy()
        """What the kiosk shows of test results."""

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().astimezone(LONDON).date()

    # --- registration -------------------------------------------------------------------------------

    def register_with_invitation(self, code: str, date_of_birth: date) -> Ticket:
        return self._sent(registration.start_with_invitation(self._uow(), self.clock, code, date_of_birth))

    def register_with_details(self, identifier: NhsNumber | HospitalNumber, date_of_birth: date,
                              postcode: Postcode) -> Ticket:
        return self._sent(registration.start_with_details(self._uow(), self.clock, identifier, date_of_birth, postcode))

    def resend_registration_code(self, ticket: str) -> Ticket:
        return self._sent(verification.resend(self._uow(), self.clock, ticket))

    def verify_registration(self, ticket: str, code: str) -> None:
        registration.verify_mobile(self._uow(), self.clock, ticket, code)

    def complete_registration(self, ticket: str, email: EmailAddress, password: str,
                              preference: LetterPreference) -> Registered:
        return registration.complete(self._uow(), self.clock, self._password_hasher(), ticket, email, password,
                                     preference)

    # --- sign in --------------------------------------------------------------------------------------

    def sign_in(self, email: EmailAddress, password: str) -> Ticket:
        hasher = self._password_hasher()
        return self._sent(sign_in.begin(self._uow(), self.clock, hasher, email, password, self._dummy_hash))

    def resend_sign_in_code(self, ticket: str) -> Ticket:
        return self._sent(verification.resend(self._uow(), self.clock, ticket))

    def finish_sign_in(self, ticket: str, code: str) -> PatientSession:
        return sign_in.finish(self._uow(), self.clock, ticket, code)

    def begin_unlock(self, email: EmailAddress) -> Ticket:
        sent = sign_in.begin_unlock(self._uow(), self.clock, email)
        if sent is None:  # no account, or no code may go now: a ticket like any other, that nothing opens
            return Ticket(secrets.token_urlsafe(24), "")
        return self._sent(sent)

    def finish_unlock(self, ticket: str, code: str) -> None:
        sign_in.finish_unlock(self._uow(), self.clock, ticket, code)

    # --- my details -----------------------------------------------------------------------------------

    def my_details(self, session: PatientSession) -> MyDetails:
        return details_rules.my_details(self._uow(read_only=True), self.clock, session)

    def who_looked(self, session: PatientSession) -> list[RecordLook]:
        return details_rules.who_looked(self._uow(read_only=True), self.clock, session)

    def change_letter_preference(self, session: PatientSession, preference: LetterPreference) -> None:
        details_rules.change_letter_preference(self._uow(), self.clock, session, preference)

    def change_language(self, session: PatientSession, code: str) -> None:
        details_rules.change_language(self._uow(), self.clock, session, code)

    # --- appointments ---------------------------------------------------------------------------------

    def appointments(self, session: PatientSession) -> list[AppointmentView]:
        return my_appointments.appointment_list(self._uow(read_only=True), self.clock, session)

    def appointment(self, session: PatientSession, appointment_id: int) -> AppointmentPage:
        return my_appointments.appointment_page(self._uow(read_only=True), self.clock, session, appointment_id,
                                                self.policy)

    def reschedule_options(self, session: PatientSession, appointment_id: int) -> list[Slot]:
        return my_appointments.reschedule_options(self._uow(read_only=True), self.clock, session, appointment_id,
                                                  self.policy)

    def reschedule(self, session: PatientSession, appointment_id: int, slot_id: int) -> Rescheduled:
        done = my_appointments.reschedule(self._uow(), self.clock, session, appointment_id, slot_id, self.policy)
        self._texted(done.sms)
        return done

    def cancel(self, session: PatientSession, appointment_id: int, reason: str | None,
               by_hospital: bool = False) -> Cancelled:
        done = my_appointments.cancel(self._uow(), self.clock, session, appointment_id, reason, self.policy,
                                      by_hospital)
        self._texted(done.sms)
        return done

    def open_letter(self, session: PatientSession, document_id: int) -> Document:
        return my_appointments.open_letter(self._uow(), self.clock, session, document_id)

    # --- letters and results ----------------------------------------------------------------------------

    def letter_list(self, session: PatientSession, kind: DocumentKind | None = None,
                    trust: TrustCode | None = None, limit: int = LETTERS_PAGE) -> LetterList:
        return my_records.letter_list(self._uow(read_only=True), self.clock, session, kind=kind, trust=trust,
                                      limit=limit)

    def results_page(self, session: PatientSession, before: tuple[datetime, int] | None = None) -> ResultsPage:
        return my_records.results_page(self._uow(read_only=True), self.clock, session, policy=self.release,
                                       before=before)

    def visits(self, session: PatientSession, limit: int = VISITS_SHOWN) -> VisitList:
        return my_records.visits(self._uow(read_only=True), self.clock, session, limit=limit)

    def result_history(self, session: PatientSession, result_id: int) -> list[TestResult]:
        return my_records.history(self._uow(read_only=True), self.clock, session, result_id, policy=self.release)

    # --- the kiosk's staff exit -----------------------------------------------------------------------------

    def staff_pin(self, typed: str) -> tuple[bool, str]:
        """Check the staff PIN against the database-held lock-out; audited, try by try."""
        from domain.identity.staff_exit import check_staff_pin

        return check_staff_pin(self._uow(), self.clock, self.pin_matches, typed)

    def pin_matches(self, typed: str) -> bool:
        """The typed PIN against the setting: its argon2 hash (or, in demo mode, the digits)."""
        import hmac

        pin = self.settings.require_kiosk_pin()
        if pin.startswith("$argon2"):
            return self._password_hasher().verify(pin, typed)
        return hmac.compare_digest(typed.encode(), pin.encode())

    def session_ended(self, session: PatientSession, reason: str) -> None:
        """Sign-out, idle, the 15-minute limit or a fault: the audit trail has how each session ended."""
        from domain.audit import AuditEvent, Outcome

        with self._uow() as uow:
            uow.audit.record(AuditEvent(at=self.clock.now(), actor_kind="patient", actor_id=str(session.patient_id),
                                        action="session_end", outcome=Outcome.SUCCESS,
                                        patient_id=session.patient_id, detail=reason))
            uow.commit()

    # --- wiring ---------------------------------------------------------------------------------------

    def for_patient(self, session: PatientSession) -> PatientRecord:
        """The signed-in patient's record, for the pages they open."""
        return PatientRecord(self, session)

    def _sent(self, sent: CodeSent) -> Ticket:
        self._texted(sent.sms)
        return Ticket(sent.ticket, sent.masked_mobile)

    def _texted(self, sms: SmsMessage | None) -> None:
        if sms is not None and self.on_sms is not None:
            self.on_sms(sms)

    @property
    def support(self):  # type: ignore[no-untyped-def]
        """The help centre and problem reports."""
        with self._lock:
            if self._support is None:
                from portal_tui.support import SupportServices

                self._support = SupportServices(self.settings, self.clock, self._uow, "kiosk")
        return self._support

    def _uow(self, *, read_only: bool = False):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._database is None:
                from portal_tui.bootstrap import Database

                self._database = Database(self.settings, interactive=True)
        return self._database.unit_of_work(read_only=read_only)

    def _password_hasher(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._hasher is None:
                from data.identity.passwords import Argon2Hasher

                self._hasher = Argon2Hasher()
                # Unknown emails are checked against this, so they cost the same time as a wrong password.
                self._dummy_hash = self._hasher.hash("no account has this password")
        return self._hasher


class PatientRecord:
    """A signed-in patient's own record (screens/common/services.py): the kiosk's use cases with the session."""

    def __init__(self, services: PortalServices, session: PatientSession) -> None:
        self._services = services
        self._session = session

    def now(self) -> datetime:
        return self._services.now()

    def appointments(self) -> list[AppointmentView]:
        return self._services.appointments(self._session)

    def visits(self, limit: int = VISITS_SHOWN) -> VisitList:
        return self._services.visits(self._session, limit)

    def appointment(self, appointment_id: int) -> AppointmentPage:
        return self._services.appointment(self._session, appointment_id)

    def reschedule_options(self, appointment_id: int) -> list[Slot]:
        return self._services.reschedule_options(self._session, appointment_id)

    def reschedule(self, appointment_id: int, slot_id: int, reason: str | None = None) -> Rescheduled:
        return self._services.reschedule(self._session, appointment_id, slot_id)

    def cancel(self, appointment_id: int, reason: str | None, by_hospital: bool = False) -> Cancelled:
        return self._services.cancel(self._session, appointment_id, reason, by_hospital)

    def open_letter(self, document_id: int) -> Document:
        return self._services.open_letter(self._session, document_id)

    def letter_list(self, kind: DocumentKind | None = None, trust: TrustCode | None = None,
                    limit: int = LETTERS_PAGE) -> LetterList:
        return self._services.letter_list(self._session, kind, trust, limit)

    def results_page(self, before: tuple[datetime, int] | None = None) -> ResultsPage:
        return self._services.results_page(self._session, before)

    def result_history(self, result_id: int) -> list[TestResult]:
        return self._services.result_history(self._session, result_id)

    def my_details(self) -> MyDetails:
        return self._services.my_details(self._session)

    def who_looked(self) -> list[RecordLook]:
        return self._services.who_looked(self._session)

    def change_letter_preference(self, preference: LetterPreference, *, patient_agreed: bool = False) -> None:
        self._services.change_letter_preference(self._session, preference)

    def change_language(self, code: str) -> None:
        self._services.change_language(self._session, code)

