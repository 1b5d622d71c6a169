"""Rules for sending texts: which failures to retry and how soon, quiet hours, and when reminders are due."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.clock import LONDON

if TYPE_CHECKING:
    from domain.messaging.model import SmsMessage

QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)


class SendFailure(StrEnum):
    """How a sender's refusal is to be taken."""

    TEMPORARY = "temporary"  # rate limit, server error, network: try again later
    PERMANENT = "permanent"  # this message can never be sent (a bad number, say): mark it failed
    CONFIGURATION = "configuration"  # the sender is wrongly set up (a bad key): stop, send nothing


class SendError(Exception):
    """A sender could not send; `kind` says whether to retry, give up on the message, or stop altogether."""

    def __init__(self, kind: SendFailure, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def classify_http_status(status: int) -> SendFailure:
    """Notify's answers: 400 bad request is the message's fault; 401 and 403 are ours; 429 and 5xx pass."""
    if status in (401, 403):
        return SendFailure.CONFIGURATION
    if status == 429 or status >= 500:
        return SendFailure.TEMPORARY
    if 400 <= status < 500:
        return SendFailure.PERMANENT
    return SendFailure.TEMPORARY


def retry_delay(attempt: int, rng: random.Random | None = None) -> timedelta:
    """Exponential back-off with full jitter: up to 15 s, 30 s, 1 min … capped at 30 minutes."""
    ceiling = min(15 * 2 ** max(0, attempt - 1), 30 * 60)
    return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


def outside_quiet_hours(moment: datetime) -> datetime:
    """The same instant if it falls between 08:00 and 21:00 in London, else 08:00 the next morning."""
    local = moment.astimezone(LONDON)
    if local.time() >= QUIET_FROM:
        morning = local.date() + timedelta(days=1)
    elif local.time() < QUIET_UNTIL:
        morning = local.date()
    else:
        return moment
    return datetime.combine(morning, QUIET_UNTIL, tzinfo=LONDON).astimezone(moment.tzinfo)


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    """One reminder to queue: which offset, and when it may go."""

    offset_days: int
    send_after: datetime
    due: datetime
    """When it was meant to go (before any wait for the morning, or for a late run)."""


def reminders_due(starts_at: datetime, now: datetime, offsets: tuple[int, ...],
                  lookahead: timedelta = timedelta(days=1)) -> list[ReminderPlan]:
    """The reminders a run at `now` should queue: due within the lookahead, still ahead of the appointment,
    and only the nearest one when several are already overdue (no patient gets two texts at once)."""
    plans: list[ReminderPlan] = []
    for offset in sorted(offsets):  # nearest to the appointment first
        # The same London time of day, `offset` days before (across a clock change too: a day is a calendar
        # day, not 24 hours), kept in the appointment's own zone.
        due = (starts_at.astimezone(LONDON) - timedelta(days=offset)).astimezone(starts_at.tzinfo)
        if due > now + lookahead:
            continue
        send_after = outside_quiet_hours(max(due, now))
        if send_after >= starts_at:
            continue
        if plans and plans[0].send_after <= now and send_after <= now:
            continue  # an overdue, longer-range reminder adds nothing to the nearer one
        plans.append(ReminderPlan(offset, send_after, due))
    return plans


def useful_until(message: SmsMessage) -> datetime:
    """Until when a text is worth sending; after it, it is withdrawn, never sent late. A reminder or a booking's
    confirmation until its appointment; a code until it expires; an invitation while it can be used; any other
    text for two days."""
    from domain.identity.codes import CODE_LIFETIME
    from domain.identity.invitations import INVITATION_LIFETIME
    from domain.messaging.model import SmsTemplate

    if message.template is SmsTemplate.ONE_TIME_CODE:
        return message.created_at + CODE_LIFETIME
    if message.template is SmsTemplate.REGISTRATION_INVITATION:
        return message.created_at + INVITATION_LIFETIME
    if message.appointment_starts_at is not None and message.template in (
            SmsTemplate.REMINDER, SmsTemplate.BOOKING_CONFIRMATION, SmsTemplate.RESCHEDULE_CONFIRMATION,
            SmsTemplate.CANCELLATION_CONFIRMATION):
        return message.appointment_starts_at
    return message.created_at + timedelta(days=2)


def stale_words(message: SmsMessage) -> str:
    """Why a text was withdrawn unsent, for the outbox's record."""
    from domain.messaging.model import SmsTemplate

    if message.template is SmsTemplate.ONE_TIME_CODE:
        return "withdrawn unsent: the code had expired before the gateway took it"
    if message.appointment_starts_at is not None:
        return "withdrawn unsent: its appointment began before the gateway took it"
    return "withdrawn unsent: no longer useful after the gateway was unavailable"

