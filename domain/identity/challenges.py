"""Registration invitations, and the challenges a patient passes on the way to an account or a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.identity.codes import CodePurpose

CHALLENGE_LIFETIME = timedelta(minutes=30)
"""How long a patient has to finish registering or signing in once their record has matched."""


class RegistrationRoute(StrEnum):
    """How the patient's record was found."""

    INVITATION = "invitation"
    DETAILS = "details"


@dataclass(frozen=True, slots=True)
class Invitation:
    """An SMS invitation to register; the code identifies the record, only its hash is kept."""

    id: int
    patient_id: int
    code_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Challenge:
    """A record matched (or a password accepted), waiting for the one-time code; its id is the screen's ticket."""

    id: str
    patient_id: int
    purpose: CodePurpose
    created_at: datetime
    expires_at: datetime
    route: RegistrationRoute | None = None
    invitation_id: int | None = None
    verified_at: datetime | None = None
    completed_at: datetime | None = None

    def open_at(self, now: datetime) -> bool:
        """Still usable: not finished and not past its lifetime."""
        return self.completed_at is None and now < self.expires_at
