"""Repositories over one SQLAlchemy session; each returns domain objects only."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data import convert
from data.models import AppointmentRow, AuditEventRow, PatientRow
from domain.appointments import Appointment
from domain.audit import AuditEvent
from domain.identifiers import NhsNumber
from domain.patients import LetterPreference, Patient


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

    def by_hospital_number(self, hospital_number: str) -> Patient | None:
        row = self._session.scalar(select(PatientRow).where(PatientRow.hospital_number == hospital_number))
        return convert.patient(row) if row else None

    def lock(self, patient_id: int) -> None:
        # PostgreSQL: a row lock until commit. SQLite: the transaction already holds the write lock.
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(select(PatientRow.id).where(PatientRow.id == patient_id).with_for_update())

    def set_letter_preference(self, patient_id: int, preference: LetterPreference) -> None:
        self._session.execute(update(PatientRow).where(PatientRow.id == patient_id)
                              .values(letter_preference=preference.value))


class SqlAppointmentRepository:
    """Appointments and admissions."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, appointment_id: int) -> Appointment | None:
        row = self._session.get(AppointmentRow, appointment_id)
        return convert.appointment(row) if row else None

    def for_patient(self, patient_id: int) -> list[Appointment]:
        rows = self._session.scalars(
            select(AppointmentRow).where(AppointmentRow.patient_id == patient_id).order_by(AppointmentRow.starts_at)
        )
        return [convert.appointment(row) for row in rows]


class SqlAuditLog:
    """Append-only audit trail."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, event: AuditEvent) -> None:
        self._session.add(convert.audit_row(event))

    def for_patient(self, patient_id: int) -> list[AuditEvent]:
        rows = self._session.scalars(
            select(AuditEventRow).where(AuditEventRow.patient_id == patient_id).order_by(AuditEventRow.id)
        )
        return [convert.audit_event(row) for row in rows]
