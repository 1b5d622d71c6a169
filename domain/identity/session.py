"""Who is acting: a signed-in patient, or a member of staff with a role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class StaffRole(StrEnum):
    """What a member of staff may do."""

    APPOINTMENTS_CLERK = "appointments_clerk"
    APPOINTMENTS_SUPERVISOR = "appointments_supervisor"
    SYSTEM_ADMIN = "system_admin"

    @property
    def acts_for_patients(self) -> bool:
        """The Appointments team acts for patients; a system administrator looks after the system only."""
        return self in {StaffRole.APPOINTMENTS_CLERK, StaffRole.APPOINTMENTS_SUPERVISOR}


@dataclass(frozen=True, slots=True)
class PatientSession:
    """A patient signed in at a kiosk; their identity comes from here, never from a field on screen."""

    patient_id: int
    started_at: datetime

    @property
    def audit_identity(self) -> tuple[str, str, str | None]:
        """(kind, id, role) as the audit trail records the actor."""
        return ("patient", str(self.patient_id), None)


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A member of staff signed in at a desk or over SSH."""

    staff_id: int
    username: str
    role: StaffRole
    started_at: datetime

    @property
    def audit_identity(self) -> tuple[str, str, str | None]:
        """(kind, id, role) as the audit trail records the actor."""
        return ("staff", self.username, self.role.value)


Actor = PatientSession | StaffSession
