"""Ports: what the rules need from the outside world, as Protocols that data/ (or a test fake) fills."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol

from domain.appointments import Appointment
from domain.audit import AuditEvent
from domain.identifiers import NhsNumber
from domain.patients import Patient


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


class AppointmentRepository(Protocol):
    """Appointments and admissions."""

    def get(self, appointment_id: int) -> Appointment | None: ...

    def for_patient(self, patient_id: int) -> list[Appointment]: ...


class AuditLog(Protocol):
    """Append-only audit trail."""

    def record(self, event: AuditEvent) -> None: ...


class UnitOfWork(Protocol):
    """One transaction per use case: `with uow: ...; uow.commit()`; leaving without commit rolls back."""

    patients: PatientRepository
    appointments: AppointmentRepository
    audit: AuditLog

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class PasswordHasher(Protocol):
    """Hashes and checks passwords (argon2id in data/)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...
