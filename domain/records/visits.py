"""A patient's hospital history: outpatient visits, admissions and emergency attendances at either trust."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.hospital import TrustCode


class VisitKind(StrEnum):
    """The kinds of hospital contact the portal keeps (FHIR Encounter classes AMB, IMP and EMER)."""

    OUTPATIENT = "outpatient"
    ADMISSION = "admission"
    EMERGENCY = "emergency"

    @property
    def label(self) -> str:
        return _VISIT_LABELS[self]


_VISIT_LABELS = {
    VisitKind.OUTPATIENT: "Outpatient visit",
    VisitKind.ADMISSION: "Hospital stay",
    VisitKind.EMERGENCY: "Emergency department",
}


_STATUS_WORDS = {"finished": "Attended", "fulfilled": "Attended", "arrived": "Attended", "checked-in": "Attended",
                 "in-progress": "In progress", "onleave": "In progress", "planned": "Booked", "booked": "Booked",
                 "pending": "Waiting to be booked", "proposed": "Waiting to be booked", "waitlist": "On a waiting list",
                 "triaged": "In progress", "cancelled": "Cancelled", "noshow": "Not attended", "unknown": "Not known"}


@dataclass(frozen=True, slots=True)
class Visit:
    """One contact with a hospital, as the trust's own system recorded it."""

    id: int
    patient_id: int
    trust: TrustCode
    kind: VisitKind
    status: str
    """The source's status word (finished, cancelled, booked, noshow …)."""
    started_at: datetime
    title: str
    ended_at: datetime | None = None
    reason: str | None = None
    place: str | None = None

    @property
    def status_words(self) -> str:
        """The source's status as a patient would say it."""
        return _STATUS_WORDS.get(self.status, self.status.replace("-", " ").capitalize())
