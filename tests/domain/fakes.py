"""In-memory fakes of the ports, for fast use-case tests with no database."""

from __future__ import annotations

from domain.appointments.model import Appointment
from domain.audit import AuditEvent
from domain.identifiers import NhsNumber
from domain.identity.patients import Patient


class FakePatients:
    def __init__(self, patients: list[Patient]) -> None:
        self.rows = {patient.id: patient for patient in patients}

    def get(self, patient_id: int) -> Patient | None:
        return self.rows.get(patient_id)

    def by_nhs_number(self, nhs_number: NhsNumber) -> Patient | None:
        return next((p for p in self.rows.values() if p.nhs_number == nhs_number), None)


class FakeAppointments:
    def __init__(self, appointments: list[Appointment]) -> None:
        self.rows = {appointment.id: appointment for appointment in appointments}

    def get(self, appointment_id: int) -> Appointment | None:
        return self.rows.get(appointment_id)

    def for_patient(self, patient_id: int) -> list[Appointment]:
        return [a for a in self.rows.values() if a.patient_id == patient_id]


class FakeAudit:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        self.pending: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> None:
        self.pending.append(event)


class FakeUnitOfWork:
    """Keeps audit entries only when committed, as the real one does."""

    def __init__(self, patients: list[Patient], appointments: list[Appointment] | None = None) -> None:
        self.patients = FakePatients(patients)
        self.appointments = FakeAppointments(appointments or [])
        self.audit = FakeAudit()
        self.commits = 0

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()

    def commit(self) -> None:
        self.audit.events.extend(self.audit.pending)
        self.audit.pending.clear()
        self.commits += 1

    def rollback(self) -> None:
        self.audit.pending.clear()
