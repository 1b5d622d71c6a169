"""Text messages waiting in the outbox, and what became of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SmsTemplate(StrEnum):
    """Every kind of text the portal sends."""

    REMINDER = "reminder"
    RESCHEDULE_CONFIRMATION = "reschedule_confirmation"
    CANCELLATION_CONFIRMATION = "cancellation_confirmation"
    BOOKING_CONFIRMATION = "booking_confirmation"
    REGISTRATION_INVITATION = "registration_invitation"
    ONE_TIME_CODE = "one_time_code"
    PROBLEM_REPLY = "problem_reply"


class SmsStatus(StrEnum):
    """Where a message stands in the outbox."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    HELD = "held"
    """Queued or in hand when a backup was taken, and that backup restored: the live database may have sent it,
    so it waits for a person to release it (send) or withdraw it — never sent again on its own."""


@dataclass(frozen=True, slots=True)
class SmsMessage:
    """One text in the outbox; its id is the `reference` the sender is given (no personal data in it)."""

    id: str
    to_number: str
    template: SmsTemplate
    body: str
    status: SmsStatus
    created_at: datetime
    send_after: datetime
    patient_id: int | None = None
    appointment_id: int | None = None
    dedupe_key: str | None = None
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    language: str = "en"
    """The language of the body (domain/language.py's code), so that it goes to that language's template."""
    appointment_starts_at: datetime | None = None
    """When the appointment it is about starts, where it is about one (how long the text stays useful)."""
