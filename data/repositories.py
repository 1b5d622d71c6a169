"""Repositories over one SQLAlchemy session; each returns domain objects only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data import convert
from data.models import AppointmentRow, AuditEventRow, PatientAccountRow, PatientRow
from domain.appointments import Appointment
from domain.audit import AuditEvent
from domain.identifiers import NhsNumber
from domain.patients import Patient, PatientAccount


class SqlPatientRepository:
    """Patients' records."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, patient_id: int) -> Patient | None:
        row = self._session.get(PatientRow, patient_id)
        return convert.patient(row) if row else None

    def by_nhs_number(self, nhs_number: NhsNumber) -> Patient | None:
        row = self._session.scalar(select(PatientRow).where(PatientRow.nhs_number == nhs_number.digits))
        return convert.patient(row) if row else None

    def account(self, patient_id: int) -> PatientAccount | None:
        row = self._session.get(PatientAccountRow, patient_id)
        return convert.patient_account(row) if row else None


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
