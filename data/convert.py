"""Row → domain object converters, called inside the session so no ORM object leaves data/."""

from __future__ import annotations

from data.models import AppointmentRow, AuditEventRow, PatientAccountRow, PatientRow
from domain.appointments import Appointment, AppointmentKind, AppointmentStatus, CancelledBy
from domain.audit import AuditEvent, Outcome
from domain.hospital import TrustCode
from domain.identifiers import EmailAddress, NhsNumber, UkMobile
from domain.patients import LetterPreference, Patient, PatientAccount


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
        cancelled_by=CancelledBy(row.cancelled_by) if row.cancelled_by else None,
        cancelled_at=row.cancelled_at,
        cancellation_reason=row.cancellation_reason,
    )


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
