"""The audit trail: who did what to which patient's record, when, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.text import clean_line


class Outcome(StrEnum):
    """How an audited action ended."""

    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One entry; `detail` holds the real reason where the screen had to say less."""

    at: datetime
    actor_kind: str
    actor_id: str
    action: str
    outcome: Outcome
    patient_id: int | None = None
    actor_role: str | None = None
    detail: str = ""
    id: int | None = None
    terminal: str | None = None
    """Which kiosk or desk; the audit log fills it in from the terminal it writes for."""

    def __post_init__(self) -> None:
        # A detail may quote what a person typed or a file held: kept as data, never a terminal control.
        object.__setattr__(self, "detail", clean_line(self.detail))


def command_line_read(at: datetime, user: str, action: str, detail: str) -> AuditEvent:
    """Something read at the command line (the support inbox, the text outbox): who ran it, as the system says."""
    return AuditEvent(at=at, actor_kind="system", actor_id=f"command line ({user})"[:40], action=action,
                      outcome=Outcome.SUCCESS, detail=detail)
