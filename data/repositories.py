"""Repositories over one SQLAlchemy session; each returns domain objects only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Select, and_, exists, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from data import convert
from data.closures import closed
from data.models import (
    MERGED_ID,
    LIVE_STATUS_SQL,
    AppointmentRow,
    AuditEventRow,
    ClinicianRow,
    ClinicRow,
    DocumentRow,
    HospitalNumberRow,
    LocationRow,
    PatientIdentifierRow,
    PatientRow,
    ReferralRow,
    SiteRow,
    SlotRow,
    StaffMemberRow,
    TestResultRow,
    TrustRow,
    VisitRow,
)
from domain.appointments.model import LIVE_STATUSES, Appointment, AppointmentStatus, AppointmentView, CancelledBy, Referral
from domain.audit import AuditEvent
from domain.events.person import FEED_CHANGES
from domain.errors import Conflict
from domain.hospital import Clinic, Slot, TrustCode
from domain.identifiers import NhsNumber
from domain.identity.patients import LetterPreference, Patient
from domain.records.model import Document, DocumentKind, TestResult
from domain.records.visits import Visit


def flush_new(session: Session, row: object) -> None:
    """Insert now (for the id). A unique rule that refuses it — PostgreSQL says so here, having waited for the
    other transaction — becomes the domain's Conflict, and the transaction is rolled back."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise Conflict(constraint_name(error)) from error


def constraint_name(error: IntegrityError) -> str:
    """The name of the constraint that refused a change, as well as the driver can tell."""
    diag = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None) or str(error.orig).splitlines()[0]


class SqlPatientRepository:
    """Patients' records."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, patient_id: int) -> Patient | None:
        row = self._session.get(PatientRow, patient_id, populate_existing=True)
        return convert.patient(row) if row else None

    def by_nhs_number(self, nhs_number: NhsNumber) -> Patient | None:
        row = self._session.scalar(select(PatientRow).where(PatientRow.nhs_number == nhs_number.digits))
        return convert.patient(row) if row else None

    def by_hospital_number(self, hospital_number: str) -> list[tuple[TrustCode, Patient]]:
        rows = self._session.execute(
            select(HospitalNumberRow.trust_code, PatientRow).join(
                PatientRow, PatientRow.id == HospitalNumberRow.patient_id)
            .where(HospitalNumberRow.value == hospital_number).order_by(HospitalNumberRow.trust_code))
        return [(TrustCode(trust), convert.patient(row)) for trust, row in rows]

    def born_on(self, day: date) -> list[Patient]:
        rows = self._session.scalars(select(PatientRow).where(PatientRow.date_of_birth == day).limit(1000))
        return [convert.patient(row) for row in rows]

    def lock(self, patient_id: int) -> None:
        # PostgreSQL: a row lock until commit. SQLite: the transaction already holds the write lock.
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(select(PatientRow.id).where(PatientRow.id == patient_id).with_for_update())

    def set_letter_preference(self, patient_id: int, preference: LetterPreference) -> None:
        self._session.execute(update(PatientRow).where(PatientRow.id == patient_id)
                              .values(letter_preference=preference.value))

    def set_language(self, patient_id: int, language: str | None) -> None:
        self._session.execute(update(PatientRow).where(PatientRow.id == patient_id).values(language=language))


assert LIVE_STATUS_SQL == "status IN ({})".format(", ".join(f"'{s.value}'" for s in AppointmentStatus
                                                            if s in LIVE_STATUSES))


class SqlAppointmentRepository:
    """Appointments and admissions, and the slots they are booked into."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, appointment_id: int) -> Appointment | None:
        row = self._session.get(AppointmentRow, appointment_id, populate_existing=True)
        return convert.appointment(row) if row else None

    def for_patient(self, patient_id: int) -> list[Appointment]:
        rows = self._session.scalars(
            select(AppointmentRow).where(AppointmentRow.patient_id == patient_id).order_by(AppointmentRow.starts_at)
        )
        return [convert.appointment(row) for row in rows]

    def views_for_patient(self, patient_id: int) -> list[AppointmentView]:
        # One query: the patient's index gives the rows in order, the names come by primary key.
        query = _views().where(AppointmentRow.patient_id == patient_id).order_by(AppointmentRow.starts_at,
                                                                                 AppointmentRow.id)
        return [_view(*row) for row in self._session.execute(query)]

    def view(self, appointment_id: int) -> AppointmentView | None:
        row = self._session.execute(_views().where(AppointmentRow.id == appointment_id)).first()
        return _view(*row) if row else None

    def lock(self, appointment_id: int) -> Appointment | None:
        # PostgreSQL: the row is held until commit and read as committed now. SQLite: the write lock is held already.
        query = select(AppointmentRow).where(AppointmentRow.id == appointment_id).execution_options(
            populate_existing=True)
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._session.scalar(query)
        return convert.appointment(row) if row else None

    def slot(self, slot_id: int) -> Slot | None:
        row = self._session.get(SlotRow, slot_id)
        return convert.slot(row) if row else None

    def slot_is_free(self, slot_id: int) -> bool:
        return not self._session.scalar(select(_holds(slot_id)))

    def free_slots(self, clinician_id: int, location_id: int, after: datetime, before: datetime) -> list[Slot]:
        # The slot index gives the clinician's times at the location in order; the live-slot index answers
        # "is it taken?" for each. None on a closed day (made before the closure was known).
        rows = self._session.execute(
            select(SlotRow, LocationRow.site_id, ClinicRow.trust_code)
            .join(LocationRow, LocationRow.id == SlotRow.location_id).join(ClinicRow, ClinicRow.id == SlotRow.clinic_id)
            .where(SlotRow.clinician_id == clinician_id, SlotRow.location_id == location_id,
                   SlotRow.starts_at > after, SlotRow.starts_at < before, ~_holds(SlotRow.id))
            .order_by(SlotRow.starts_at))
        rule = closed(self._session)
        return [convert.slot(row) for row, site_id, trust in rows
                if rule.why_at(row.starts_at, trust, site_id, row.clinic_id, row.clinician_id) is None]

    def free_slots_in_clinic(self, clinic_id: int, after: datetime, before: datetime) -> list[Slot]:
        rows = self._session.execute(
            select(SlotRow, ClinicianRow.title, ClinicianRow.given_name, ClinicianRow.family_name, ClinicianRow.role,
                   LocationRow.name, SiteRow.name, SiteRow.id, SiteRow.trust_code)
            .join(ClinicianRow, ClinicianRow.id == SlotRow.clinician_id)
            .join(LocationRow, LocationRow.id == SlotRow.location_id)
            .join(SiteRow, SiteRow.id == LocationRow.site_id)
            .where(SlotRow.clinic_id == clinic_id, SlotRow.starts_at > after, SlotRow.starts_at < before,
                   ~_holds(SlotRow.id))
            .order_by(SlotRow.starts_at, ClinicianRow.family_name))
        rule = closed(self._session)
        return [replace(convert.slot(row), clinician=f"{title} {given} {family}, {role}", place=f"{where}, {site}")
                for row, title, given, family, role, where, site, site_id, trust in rows
                if rule.why_at(row.starts_at, trust, site_id, row.clinic_id, row.clinician_id) is None]

    def closed_reason(self, slot_id: int) -> str | None:
        found = self._session.execute(
            select(SlotRow, LocationRow.site_id, ClinicRow.trust_code)
            .join(LocationRow, LocationRow.id == SlotRow.location_id).join(ClinicRow, ClinicRow.id == SlotRow.clinic_id)
            .where(SlotRow.id == slot_id)).first()
        if found is None:
            return None
        row, site_id, trust = found
        return closed(self._session).why_at(row.starts_at, trust, site_id, row.clinic_id, row.clinician_id)

    def clinics(self) -> list[Clinic]:
        rows = self._session.scalars(select(ClinicRow).order_by(ClinicRow.trust_code, ClinicRow.name))
        return [Clinic(row.id, row.code, row.name, row.specialty, TrustCode(row.trust_code), row.site_id,
                       row.name_safe_in_sms, row.outpatient) for row in rows]

    def stamp_staff(self, appointment_id: int, username: str, reason: str, arrangements: str | None) -> None:
        self._session.execute(update(AppointmentRow).where(AppointmentRow.id == appointment_id).values(
            staff_by=username, staff_reason=reason, arrangements=arrangements, arrangements_done_at=None,
            arrangements_done_by=None))

    def add_to_do(self, appointment_id: int, words: str) -> None:
        row = self._session.get(AppointmentRow, appointment_id)
        assert row is not None
        self._session.flush()
        self._session.refresh(row)
        pending = row.arrangements if row.arrangements and row.arrangements_done_at is None else None
        if pending and words in pending:
            return
        row.arrangements = "; ".join(part for part in (pending, words) if part)[:200]
        row.arrangements_done_at = row.arrangements_done_by = None
        self._session.flush()

    def arrangements_done(self, appointment_id: int, at: datetime, username: str) -> None:
        self._session.execute(update(AppointmentRow).where(AppointmentRow.id == appointment_id).values(
            arrangements_done_at=at, arrangements_done_by=username))

    def add(self, appointment: Appointment) -> Appointment:
        row = convert.appointment_row(appointment)
        flush_new(self._session, row)
        return convert.appointment(row)

    def mark_rescheduled(self, appointment_id: int, successor_id: int) -> None:
        self._session.execute(update(AppointmentRow).where(AppointmentRow.id == appointment_id).values(
            status=AppointmentStatus.RESCHEDULED.value, rescheduled_to_id=successor_id))

    def mark_cancelled(self, appointment_id: int, by: CancelledBy, at: datetime, reason: str | None,
                       reference: str) -> None:
        status = AppointmentStatus.CANCELLED_BY_HOSPITAL if by is CancelledBy.HOSPITAL else \
            AppointmentStatus.CANCELLED_BY_PATIENT
        self._session.execute(update(AppointmentRow).where(AppointmentRow.id == appointment_id).values(
            status=status.value, cancelled_by=by.value, cancelled_at=at, cancellation_reason=reason,
            cancellation_reference=reference))


def _holds(slot_id):  # type: ignore[no-untyped-def]
    """EXISTS a live booking in the slot. The statuses are written out as the partial unique index's own WHERE
    clause: SQLite uses a partial index only when it can see the query implies it, which bound values hide."""
    return exists().where(AppointmentRow.slot_id == slot_id, text(f"appointment.{LIVE_STATUS_SQL}"))


_FROM = aliased(AppointmentRow)
_TO = aliased(AppointmentRow)


def _views() -> Select:  # type: ignore[type-arg]
    return (
        select(AppointmentRow, ClinicRow.name, ClinicRow.name_safe_in_sms, ClinicianRow.title, ClinicianRow.given_name,
               ClinicianRow.family_name, ClinicianRow.role, LocationRow.name, SiteRow.name, SiteRow.address,
               SiteRow.postcode, TrustRow.name, _FROM.reference, _TO.reference, StaffMemberRow.display_name)
        .join(ClinicRow, ClinicRow.id == AppointmentRow.clinic_id)
        .join(TrustRow, TrustRow.code == AppointmentRow.trust_code)
        .outerjoin(ClinicianRow, ClinicianRow.id == AppointmentRow.clinician_id)
        .outerjoin(LocationRow, LocationRow.id == AppointmentRow.location_id)
        .outerjoin(SiteRow, SiteRow.id == LocationRow.site_id)
        .outerjoin(_FROM, _FROM.id == AppointmentRow.rescheduled_from_id)
        .outerjoin(_TO, _TO.id == AppointmentRow.rescheduled_to_id)
        .outerjoin(StaffMemberRow, StaffMemberRow.username == AppointmentRow.staff_by)
    )


def _view(row: AppointmentRow, clinic: str, safe: bool, title: str | None, given: str | None, family: str | None,
          role: str | None, location: str | None, site: str | None, address: str | None, postcode: str | None,
          trust: str, came_from: str | None, went_to: str | None, staff_name: str | None) -> AppointmentView:
    clinician = f"{title} {given} {family}, {role}" if given else None
    return AppointmentView(convert.appointment(row), clinic, safe, clinician, location, site,
                           f"{address}, {postcode}" if address else None, trust, went_to, came_from, staff_name)


class SqlReferralRepository:
    """Referrals into clinics."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, referral_id: int) -> Referral | None:
        row = self._session.get(ReferralRow, referral_id, populate_existing=True)
        return convert.referral(row) if row else None

    def open_for(self, patient_id: int, clinic_id: int) -> Referral | None:
        row = self._session.scalar(select(ReferralRow).where(
            ReferralRow.patient_id == patient_id, ReferralRow.clinic_id == clinic_id,
            ReferralRow.status == "open").order_by(ReferralRow.referred_on.desc()).limit(1))
        return convert.referral(row) if row else None

    def add(self, referral: Referral) -> Referral:
        row = ReferralRow(patient_id=referral.patient_id, clinic_id=referral.clinic_id, status=referral.status.value,
                          referred_on=referral.referred_on, booked_via_ers=referral.booked_via_ers, ubrn=referral.ubrn)
        flush_new(self._session, row)
        return convert.referral(row)

    def discharge(self, referral_id: int, at: datetime) -> None:
        self._session.execute(update(ReferralRow).where(ReferralRow.id == referral_id).values(
            status="discharged", discharged_at=at))


class SqlDocumentRepository:
    """Letters and other documents."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, document_id: int) -> Document | None:
        row = self._session.get(DocumentRow, document_id, populate_existing=True)
        return convert.document(row) if row else None

    def for_patient(self, patient_id: int, kind: DocumentKind | None = None, trust: TrustCode | None = None,
                    limit: int | None = None) -> list[Document]:
        # Everything but the text: a list needs none of it, and bodies can be long.
        query = (select(DocumentRow.id, DocumentRow.patient_id, DocumentRow.trust_code, DocumentRow.kind,
                        DocumentRow.title, DocumentRow.written_at, DocumentRow.content_type, DocumentRow.size_bytes,
                        DocumentRow.appointment_id, DocumentRow.read_at, DocumentRow.post_status)
                 .where(*self._which(patient_id, kind, trust))
                 .order_by(DocumentRow.written_at.desc(), DocumentRow.id.desc()))
        rows = self._session.execute(query if limit is None else query.limit(limit))
        return [convert.document_listing(*row) for row in rows]

    def count(self, patient_id: int, kind: DocumentKind | None = None, trust: TrustCode | None = None) -> int:
        return self._session.scalar(select(func.count()).select_from(DocumentRow)
                                    .where(*self._which(patient_id, kind, trust))) or 0

    @staticmethod
    def _which(patient_id: int, kind: DocumentKind | None, trust: TrustCode | None) -> list:  # type: ignore[type-arg]
        return [DocumentRow.patient_id == patient_id,
                *([DocumentRow.kind == kind.value] if kind is not None else []),
                *([DocumentRow.trust_code == trust.value] if trust is not None else [])]

    def for_appointment(self, appointment_id: int) -> list[Document]:
        rows = self._session.scalars(select(DocumentRow).where(DocumentRow.appointment_id == appointment_id)
                                     .order_by(DocumentRow.written_at.desc(), DocumentRow.id.desc()))
        return [convert.document(row, with_body=False) for row in rows]

    def add(self, document: Document) -> int:
        row = convert.document_row(document)
        flush_new(self._session, row)
        return row.id

    def mark_read(self, document_id: int, at: datetime) -> None:
        self._session.execute(update(DocumentRow).where(DocumentRow.id == document_id, DocumentRow.read_at.is_(None))
                              .values(read_at=at))


class SqlResultRepository:
    """Test results."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def for_patient(self, patient_id: int) -> list[TestResult]:
        rows = self._session.scalars(select(TestResultRow).where(TestResultRow.patient_id == patient_id)
                                     .order_by(TestResultRow.taken_at.desc(), TestResultRow.id))
        return [convert.test_result(row) for row in rows]

    def page(self, patient_id: int, before: tuple[datetime, int] | None, limit: int) -> list[TestResult]:
        query = select(TestResultRow).where(TestResultRow.patient_id == patient_id)
        if before is not None:
            at, result_id = before
            query = query.where(or_(TestResultRow.taken_at < at,
                                    and_(TestResultRow.taken_at == at, TestResultRow.id < result_id)))
        rows = self._session.scalars(query.order_by(TestResultRow.taken_at.desc(), TestResultRow.id.desc())
                                     .limit(limit))
        return [convert.test_result(row) for row in rows]

    def get(self, result_id: int) -> TestResult | None:
        row = self._session.get(TestResultRow, result_id)
        return convert.test_result(row) if row else None

    def same_test(self, patient_id: int, code: str | None, test_name: str, unit: str | None) -> list[TestResult]:
        same = TestResultRow.code == code if code else TestResultRow.test_name == test_name
        rows = self._session.scalars(select(TestResultRow).where(
            TestResultRow.patient_id == patient_id, same,
            TestResultRow.unit.is_(None) if unit is None else TestResultRow.unit == unit)
            .order_by(TestResultRow.taken_at))
        return [convert.test_result(row) for row in rows]


class SqlVisitRepository:
    """Hospital visits (imported from the trusts' systems)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def for_patient(self, patient_id: int, limit: int | None = None) -> list[Visit]:
        query = (select(VisitRow).where(VisitRow.patient_id == patient_id)
                 .order_by(VisitRow.started_at.desc(), VisitRow.id))
        rows = self._session.scalars(query if limit is None else query.limit(limit))
        return [convert.visit(row) for row in rows]

    def count(self, patient_id: int) -> int:
        return self._session.scalar(select(func.count()).select_from(VisitRow)
                                    .where(VisitRow.patient_id == patient_id)) or 0


class SqlAuditLog:
    """Append-only audit trail."""

    def __init__(self, session: Session, terminal: str | None = None) -> None:
        self._session = session
        self._terminal = terminal

    def record(self, event: AuditEvent) -> None:
        row = convert.audit_row(event)
        row.terminal = event.terminal or self._terminal  # which kiosk or desk: never just "anonymous"
        self._session.add(row)

    def staff_looks(self, patient_id: int, since: datetime) -> list[AuditEvent]:
        by_staff_or_feed = or_(AuditEventRow.actor_kind == "staff", AuditEventRow.action.in_(FEED_CHANGES))
        rows = self._session.scalars(select(AuditEventRow).where(
            AuditEventRow.patient_id.in_(self._ids_of(patient_id)), by_staff_or_feed, AuditEventRow.at >= since)
            .order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc()).limit(500))
        return [convert.audit_event(row) for row in rows]

    def for_patient(self, patient_id: int) -> list[AuditEvent]:
        rows = self._session.scalars(
            select(AuditEventRow).where(AuditEventRow.patient_id.in_(self._ids_of(patient_id))).order_by(AuditEventRow.id)
        )
        return [convert.audit_event(row) for row in rows]

    def _ids_of(self, patient_id: int) -> list[int]:
        """The patient's id and those of the records merged into theirs (their audit entries stay under them)."""
        merged = self._session.scalars(select(PatientIdentifierRow.value).where(
            PatientIdentifierRow.patient_id == patient_id, PatientIdentifierRow.system == MERGED_ID))
        return [patient_id, *(int(value) for value in merged if value.isdigit())]
