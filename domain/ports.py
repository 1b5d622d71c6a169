"""Ports: what the rules need from the outside world, as Protocols that data/ (or a test fake) fills."""

from __future__ import annotations

from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # names for the annotations only: a port loads none of the rules it names
    from domain.appointments.model import Appointment, AppointmentView, CancelledBy, Referral
    from domain.audit import AuditEvent
    from domain.identity.challenges import Challenge, Invitation
    from domain.identity.codes import CodePurpose, OneTimeCode
    from domain.hospital import Clinic, Slot, Trust, TrustCode
    from domain.identifiers import NhsNumber
    from domain.limits import LimitRules
    from domain.messaging.model import SmsMessage
    from domain.identity.patients import LetterPreference, Patient, PatientAccount
    from domain.records.visits import Visit
    from domain.records.model import Document, DocumentKind, TestResult
    from domain.speech import Voice
    from domain.staff.accounts import StaffMember
    from domain.records.post import PostRoomRepository
    from domain.staff.supervision import SupervisionRepository
    from domain.support.reports import ProblemReport, Reply, ReportStatus


class Clock(Protocol):
    """Where time comes from: injected, so rules and tests never call datetime.now() themselves."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, for timeouts; never goes backwards."""
        ...


class PatientRepository(Protocol):
    """Patients' records."""

    def get(self, patient_id: int) -> Patient | None: ...

    def by_nhs_number(self, nhs_number: NhsNumber) -> Patient | None: ...

    def by_hospital_number(self, hospital_number: str) -> list[tuple[TrustCode, Patient]]:
        """Each trust that issued this hospital number, with its patient: a number is unique only within its
        trust, so the same digits may be two people at two trusts (or one person known to both)."""
        ...

    def born_on(self, day: date) -> list[Patient]:
        """Everyone born on `day` (a few at hospital size: the index on date of birth finds them)."""
        ...

    def lock(self, patient_id: int) -> None:
        """Hold this patient's row until commit, so two terminals acting for one patient take turns."""
        ...

    def set_letter_preference(self, patient_id: int, preference: LetterPreference) -> None: ...

    def set_language(self, patient_id: int, language: str | None) -> None: ...


class AccountRepository(Protocol):
    """Patients' portal accounts."""

    def for_patient(self, patient_id: int) -> PatientAccount | None: ...

    def by_email(self, email: str) -> PatientAccount | None: ...

    def add(self, account: PatientAccount) -> None: ...

    def save(self, account: PatientAccount) -> None: ...


class InvitationRepository(Protocol):
    """SMS invitations to register."""

    def by_hash(self, code_hash: str) -> Invitation | None: ...

    def mark_used(self, invitation_id: int, when: datetime) -> None: ...

    def add(self, invitation: Invitation) -> int: ...

    def latest_for(self, patient_id: int) -> datetime | None:
        """When the patient was last sent an invitation, if ever."""
        ...


class CodeRepository(Protocol):
    """One-time codes (hashed)."""

    def recent(self, patient_id: int, purpose: CodePurpose, since: datetime) -> list[OneTimeCode]: ...

    def current(self, challenge_id: str) -> OneTimeCode | None:
        """The live code of one sign-in or registration attempt."""
        ...

    def add(self, code: OneTimeCode) -> None:
        """Store a new code; every older live code of the same attempt is superseded."""
        ...

    def save(self, code: OneTimeCode) -> None: ...


class ChallengeRepository(Protocol):
    """Registrations and sign-ins waiting for their one-time code."""

    def get(self, challenge_id: str) -> Challenge | None: ...

    def add(self, challenge: Challenge) -> None: ...

    def save(self, challenge: Challenge) -> None: ...


class TrustRepository(Protocol):
    """The trusts and their Appointments teams' contact details."""

    def get(self, code: TrustCode) -> Trust: ...


class Outbox(Protocol):
    """Text messages waiting to be sent; written in the same transaction as what caused them."""

    def add(self, message: SmsMessage) -> None: ...

    def withdraw_reminders(self, appointment_id: int) -> int:
        """Reminders of this appointment not yet sent are withdrawn; returns how many."""
        ...


class AppointmentRepository(Protocol):
    """Appointments and admissions, and the slots they are booked into."""

    def get(self, appointment_id: int) -> Appointment | None: ...

    def for_patient(self, patient_id: int) -> list[Appointment]: ...

    def views_for_patient(self, patient_id: int) -> list[AppointmentView]:
        """Every appointment of the patient with its clinic, clinician, place and trust, soonest first."""
        ...

    def view(self, appointment_id: int) -> AppointmentView | None: ...

    def lock(self, appointment_id: int) -> Appointment | None:
        """The appointment as committed now, held until commit so two terminals changing it take turns."""
        ...

    def slot(self, slot_id: int) -> Slot | None: ...

    def slot_is_free(self, slot_id: int) -> bool:
        """No live booking holds the slot."""
        ...

    def free_slots_in_clinic(self, clinic_id: int, after: datetime, before: datetime) -> list[Slot]:
        """Free times of every clinician at every location of the clinic, with their names, in order."""
        ...

    def clinics(self) -> list[Clinic]:
        """Every clinic of both trusts, by trust and name."""
        ...

    def stamp_staff(self, appointment_id: int, username: str, reason: str, arrangements: str | None) -> None:
        """Who at the desk booked, moved or cancelled it, why, and what that left to do by hand."""
        ...

    def add_to_do(self, appointment_id: int, words: str) -> None:
        """Something left to do by hand for this booking, beside any still open (shown until marked done)."""
        ...

    def arrangements_done(self, appointment_id: int, at: datetime, username: str) -> None: ...

    def free_slots(self, clinician_id: int, location_id: int, after: datetime, before: datetime) -> list[Slot]:
        """Slots of this clinician at this location starting in (after, before) that no live booking holds."""
        ...

    def closed_reason(self, slot_id: int) -> str | None:
        """Why the clinic is closed on that slot's day (a bank holiday, the trust's closure), or None."""
        ...

    def add(self, appointment: Appointment) -> Appointment:
        """Store a new booking (its id is ignored) and return it with the id it was given."""
        ...

    def mark_rescheduled(self, appointment_id: int, successor_id: int) -> None: ...

    def mark_cancelled(self, appointment_id: int, by: CancelledBy, at: datetime, reason: str | None,
                       reference: str) -> None: ...


class ReferralRepository(Protocol):
    """Referrals into clinics."""

    def get(self, referral_id: int) -> Referral | None: ...

    def discharge(self, referral_id: int, at: datetime) -> None: ...

    def open_for(self, patient_id: int, clinic_id: int) -> Referral | None:
        """The patient's open referral into the clinic (the latest), if any."""
        ...

    def add(self, referral: Referral) -> Referral: ...


class DocumentRepository(Protocol):
    """Letters and other documents."""

    def get(self, document_id: int) -> Document | None: ...

    def for_patient(self, patient_id: int, kind: DocumentKind | None = None, trust: TrustCode | None = None,
                    limit: int | None = None) -> list[Document]:
        """The patient's letters and documents (of one kind, from one trust), newest first, without their text."""
        ...

    def count(self, patient_id: int, kind: DocumentKind | None = None, trust: TrustCode | None = None) -> int: ...

    def for_appointment(self, appointment_id: int) -> list[Document]:
        """The letters about one appointment, newest first."""
        ...

    def add(self, document: Document) -> int:
        """Store a new document (its id is ignored); returns its id."""
        ...

    def mark_read(self, document_id: int, at: datetime) -> None: ...


class ResultRepository(Protocol):
    def page(self, patient_id: int, before: tuple[datetime, int] | None, limit: int) -> list[TestResult]:
        """At most `limit` results, newest first, from before (taken_at, id) `before` if given."""
        ...

    def get(self, result_id: int) -> TestResult | None: ...

    def same_test(self, patient_id: int, code: str | None, test_name: str, unit: str | None) -> list[TestResult]:
        """The patient's results of one test (by code, or by name without one) in one unit, oldest first."""
        ...

    """Test results."""

    def for_patient(self, patient_id: int) -> list[TestResult]:
        """The patient's results, newest first."""
        ...


class VisitRepository(Protocol):
    """Hospital visits from the trusts' own records."""

    def for_patient(self, patient_id: int, limit: int | None = None) -> list[Visit]:
        """The patient's visits, newest first (the newest `limit`)."""
        ...


class LimitStore(Protocol):
    """The counted events of every limit, shared by all terminals, and the rules that judge them."""

    rules: LimitRules
    """The numbers in force (from settings)."""
    terminal: str
    """Which kiosk or desk this is: limits per terminal count under it."""

    def subject(self, kind: str, value: str) -> str:
        """A keyed hash of what is counted (an address, a mobile, an NHS number): the same on every terminal,
        and nothing a stolen copy of the table could be read back to."""
        ...

    def hold(self, *subjects: str) -> None:
        """Take turns with other terminals counting the same subjects, until commit."""
        ...

    def times(self, event: str, subject: str, since: datetime | None = None) -> list[datetime]: ...

    def add(self, event: str, subject: str, at: datetime) -> None: ...

    def clear(self, event: str, subject: str) -> int:
        """Forget the events (a success, or staff reopening): returns how many there were."""
        ...


class StaffRepository(Protocol):
    """Staff accounts."""

    def by_username(self, username: str) -> StaffMember | None: ...

    def add(self, member: StaffMember) -> int: ...

    def save(self, member: StaffMember) -> None: ...

    def all(self) -> list[StaffMember]:
        """Every account, by username."""
        ...


class AuditLog(Protocol):
    """Append-only audit trail."""

    def record(self, event: AuditEvent) -> None: ...

    def staff_looks(self, patient_id: int, since: datetime) -> list[AuditEvent]:
        """What staff did with this patient's record since `since`, and what the hospital's systems changed of
        their details (domain.events.person.FEED_CHANGES), newest first."""
        ...


class SupportRepository(Protocol):
    """Problem reports and their replies (domain/support/reports.py)."""

    def add(self, report: ProblemReport) -> None: ...

    def get(self, reference: str) -> ProblemReport | None: ...

    def lock(self, reference: str) -> ProblemReport | None:
        """Hold the report until commit: two staff replying take turns."""
        ...

    def list(self, status: ReportStatus | None) -> list[ProblemReport]: ...

    def add_reply(self, report_id: int, reply: Reply) -> None: ...

    def set_status(self, report_id: int, status: ReportStatus, at: datetime, seen: bool | None) -> None:
        """`seen`: True marks the reply read, False unread (a new reply), None leaves it."""
        ...

    def unread_for_patient(self, patient_id: int) -> ProblemReport | None: ...


class UnitOfWork(Protocol):
    """One transaction per use case: `with uow: ...; uow.commit()`; leaving without commit rolls back."""

    patients: PatientRepository
    accounts: AccountRepository
    invitations: InvitationRepository
    codes: CodeRepository
    challenges: ChallengeRepository
    trusts: TrustRepository
    outbox: Outbox
    appointments: AppointmentRepository
    referrals: ReferralRepository
    documents: DocumentRepository
    results: ResultRepository
    visits: VisitRepository
    audit: AuditLog
    limits: LimitStore
    staff: StaffRepository
    support: SupportRepository
    supervision: SupervisionRepository
    post_room: PostRoomRepository

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make it all permanent; raises domain.errors.Conflict when a unique rule refuses it."""
        ...

    def rollback(self) -> None: ...


class PasswordHasher(Protocol):
    """Hashes and checks passwords (argon2id in data/)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


class Speaker(Protocol):
    """The kiosk's voice: the platform's speech stack (data/speech.py), or a record of what was said (tests)."""

    def say(self, words: str, voice: Voice, *, interrupt: bool = True) -> None:
        """Say these words in this voice, cutting off anything still being said (or, not `interrupt`, after
        it). Never blocks the screen."""
        ...

    def stop(self) -> None:
        """Say nothing more (the Stop key, the end of a session)."""
        ...
