"""Row → domain object converters, called inside the session so no ORM object leaves data/."""

from __future__ import annotations

from data.models import (
    AppointmentRow,
    AuditEventRow,
    DocumentRow,
    PatientAccountRow,
    PatientRow,
    ReferralRow,
    SlotRow,
    TestResultRow,
    VisitRow,
)
from domain.appointments.model import Appointment, AppointmentKind, AppointmentStatus, CancelledBy, Referral, ReferralStatus
from domain.audit import AuditEvent, Outcome
from domain.hospital import Slot, TrustCode
from domain.identifiers import EmailAddress, NhsNumber, UkMobile
from domain.identity.patients import LetterPreference, Patient, PatientAccount
from domain.records.model import Document, DocumentKind, PostStatus, ReferenceRange, ResultFlag, TestResult
from domain.records.visits import Visit, VisitKind


def patient(row: PatientRow) -> Patient:
    """Stored values were validated on the way in, so they are wrapped without parsing again."""
    return Patient(
        id=row.id,
        nhs_number=NhsNumber(row.nhs_number) if row.nhs_number else None,
        hospital_number=row.hospital_number,
        trust=TrustCode(row.trust_code),
        given_name=row.given_name,
        family_name=row.family_name,
        date_of_birth=row.date_of_birth,
        date_of_death=row.date_of_death,
        postcode=row.postcode,
        mobile=UkMobile(row.mobile) if row.mobile else None,
        email=EmailAddress(row.email) if row.email else None,
        letter_preference=LetterPreference(row.letter_preference),
        language=row.language,
    )


def patient_account(row: PatientAccountRow) -> PatientAccount:
    return PatientAccount(
        patient_id=row.patient_id,
        email=EmailAddress(row.email),
        password_hash=row.password_hash,
        registered_at=row.registered_at,
        failed_sign_ins=row.failed_sign_ins,
        locked_until=row.locked_until,
    )


def appointment(row: AppointmentRow) -> Appointment:
    return Appointment(
        id=row.id,
        reference=row.reference,
        patient_id=row.patient_id,
        trust=TrustCode(row.trust_code),
        clinic_id=row.clinic_id,
        clinician_id=row.clinician_id,
        location_id=row.location_id,
        slot_id=row.slot_id,
        referral_id=row.referral_id,
        kind=AppointmentKind(row.kind),
        status=AppointmentStatus(row.status),
        starts_at=row.starts_at,
        duration_minutes=row.duration_minutes,
        booked_at=row.booked_at,
        transport_booked=row.transport_booked,
        interpreter_language=row.interpreter_language,
        times_rescheduled=row.times_rescheduled,
        reschedule_limit=row.reschedule_limit,
        rescheduled_from_id=row.rescheduled_from_id,
        rescheduled_to_id=row.rescheduled_to_id,
        cancelled_by=CancelledBy(row.cancelled_by) if row.cancelled_by else None,
        cancelled_at=row.cancelled_at,
        cancellation_reason=row.cancellation_reason,
        cancellation_reference=row.cancellation_reference,
        staff_by=row.staff_by,
        staff_reason=row.staff_reason,
        arrangements=row.arrangements,
        arrangements_done_at=row.arrangements_done_at,
        arrangements_done_by=row.arrangements_done_by,
        online_changes=row.online_changes,
    )


def appointment_row(a: Appointment) -> AppointmentRow:
    """A new booking's row (the database gives it its id)."""
    return AppointmentRow(
        reference=a.reference, patient_id=a.patient_id, trust_code=a.trust.value, clinic_id=a.clinic_id,
        clinician_id=a.clinician_id, location_id=a.location_id, slot_id=a.slot_id, referral_id=a.referral_id,
        kind=a.kind.value, status=a.status.value, starts_at=a.starts_at, duration_minutes=a.duration_minutes,
        booked_at=a.booked_at, transport_booked=a.transport_booked, interpreter_language=a.interpreter_language,
        times_rescheduled=a.times_rescheduled, reschedule_limit=a.reschedule_limit,
        rescheduled_from_id=a.rescheduled_from_id, rescheduled_to_id=a.rescheduled_to_id,
        cancelled_by=a.cancelled_by.value if a.cancelled_by else None, cancelled_at=a.cancelled_at,
        cancellation_reason=a.cancellation_reason, cancellation_reference=a.cancellation_reference,
        staff_by=a.staff_by, staff_reason=a.staff_reason, arrangements=a.arrangements,
        online_changes=a.online_changes,
        arrangements_done_at=a.arrangements_done_at, arrangements_done_by=a.arrangements_done_by,
    )


def slot(row: SlotRow) -> Slot:
    return Slot(id=row.id, clinic_id=row.clinic_id, clinician_id=row.clinician_id, location_id=row.location_id,
                starts_at=row.starts_at, duration_minutes=row.duration_minutes)


def referral(row: ReferralRow) -> Referral:
    return Referral(id=row.id, patient_id=row.patient_id, clinic_id=row.clinic_id, status=ReferralStatus(row.status),
                    referred_on=row.referred_on, booked_via_ers=row.booked_via_ers, ubrn=row.ubrn,
                    discharged_at=row.discharged_at)


def document(row: DocumentRow, *, with_body: bool = True) -> Document:
    return Document(id=row.id, patient_id=row.patient_id, trust=TrustCode(row.trust_code), kind=DocumentKind(row.kind),
                    title=row.title, written_at=row.written_at, content_type=row.content_type,
                    size_bytes=row.size_bytes, body_markdown=row.body_markdown if with_body else None,
                    appointment_id=row.appointment_id, read_at=row.read_at,
                    post_status=PostStatus(row.post_status) if row.post_status else None)


def document_listing(id: int, patient_id: int, trust: str, kind: str, title: str, written_at, content_type: str,  # type: ignore[no-untyped-def]
                     size_bytes: int, appointment_id: int | None, read_at, post_status: str | None) -> Document:
    return Document(id=id, patient_id=patient_id, trust=TrustCode(trust), kind=DocumentKind(kind), title=title,
                    written_at=written_at, content_type=content_type, size_bytes=size_bytes, body_markdown=None,
                    appointment_id=appointment_id, read_at=read_at,
                    post_status=PostStatus(post_status) if post_status else None)


def test_result(row: TestResultRow) -> TestResult:
    has_range = row.range_low is not None or row.range_high is not None or row.range_text is not None
    return TestResult(id=row.id, patient_id=row.patient_id, trust=TrustCode(row.trust_code), taken_at=row.taken_at,
                      panel=row.panel, test_name=row.test_name, value_text=row.value_text, unit=row.unit,
                      reference_range=ReferenceRange(row.range_low, row.range_high, row.range_text) if has_range
                      else None, flag=ResultFlag(row.flag), value_number=row.value_number, code=row.code,
                      category=row.category, panel_code=row.panel_code, released_at=row.released_at)


def document_row(d: Document) -> DocumentRow:
    return DocumentRow(patient_id=d.patient_id, trust_code=d.trust.value, kind=d.kind.value, title=d.title,
                       written_at=d.written_at, content_type=d.content_type, size_bytes=d.size_bytes,
                       body_markdown=d.body_markdown, appointment_id=d.appointment_id, read_at=d.read_at,
                       post_status=d.post_status.value if d.post_status else None)


def audit_event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        at=row.at,
        actor_kind=row.actor_kind,
        actor_id=row.actor_id,
        actor_role=row.actor_role,
        patient_id=row.patient_id,
        action=row.action,
        outcome=Outcome(row.outcome),
        detail=row.detail,
        terminal=row.terminal,
    )


def audit_row(event: AuditEvent) -> AuditEventRow:
    return AuditEventRow(
        at=event.at,
        actor_kind=event.actor_kind,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        patient_id=event.patient_id,
        action=event.action,
        outcome=event.outcome.value,
        detail=event.detail,
    )


def visit(row: VisitRow) -> Visit:
    return Visit(id=row.id, patient_id=row.patient_id, trust=TrustCode(row.trust_code), kind=VisitKind(row.kind),
                 status=row.status, started_at=row.started_at, title=row.title, ended_at=row.ended_at,
                 reason=row.reason, place=row.place)
