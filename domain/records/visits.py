"""A patient's hospital history: outpatient visits, admissions and emergency attendances at either trust."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.hospital import TrustCode
from domain.language import N_


class VisitKind(StrEnum):
    """The kinds of hospital contact the portal keeps (FHIR Encounter classes AMB, IMP and EMER)."""

    OUTPATIENT = "outpatient"
    ADMISSION = "admission"
    EMERGENCY = "emergency"

    @property
    def label(self) -> str:
        return _VISIT_LABELS[self]


_VISIT_LABELS = {
    VisitKind.OUTPATIENT: N_("Outpatient visit"),
    VisitKind.ADMISSION: N_("Hospital stay"),
    VisitKind.EMERGENCY: N_("Emergency department"),
}


_STATUS_WORDS = {"finished": N_("Attended"), "fulfilled": N_("Attended"), "arrived": N_("Attended"), "checked-in": N_("Attended"),
                 "in-progress": N_("In progress"), "onleave": N_("In progress"), "planned": N_("Booked"), "booked": N_("Booked"),
                 "pending": N_("Waiting to be booked"), "proposed": N_("Waiting to be booked"), "waitlist": N_("On a waiting list"),
                 "triaged": N_("In progress"), "cancelled": N_("Cancelled"), "noshow": N_("Not attended"), "unknown": N_("Not known")}


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
