"""Sending the outbox: claim a batch under a lease, ask before re-sending anything that may have gone, record.

A message is claimed (status 'sending', attempts + 1, a lease with our token) before it is sent, and marked
sent only under that token. A dispatcher killed at any moment leaves its messages to come back when the lease
runs out; the next one, seeing an earlier attempt, asks the sender whether that reference was already
accepted before sending again. So nothing is lost, and nothing the sender accepted is sent twice.

Batches are small, and each text's lease is renewed — for the whole lease again — just before it is sent: a
dispatcher whose lease ran out meanwhile (a slow gateway, a long batch) finds the text is no longer its own and
leaves it to whoever took it. (A batch of a hundred sent past its lease was sent by two dispatchers at once.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from domain.messaging.model import SmsMessage, SmsTemplate
from domain.ports import Clock
from domain.messaging.sms import (SendError, SendFailure, outside_quiet_hours, retry_delay, stale_words,
                                  useful_until)


class SmsSender(Protocol):
    """GOV.UK Notify in production; a file for demo and development."""

    def send(self, message: SmsMessage) -> None:
        """Hand the text over, with `message.id` as its reference; raise SendError if refused."""
        ...

    def was_sent(self, reference: str) -> bool:
        """Whether the sender already holds a message with this reference."""
        ...


class OutboxQueue(Protocol):
    """The outbox, as the dispatcher sees it. Every method is its own short transaction."""

    def claim(self, now: datetime, limit: int, lease: timedelta, token: str) -> list[SmsMessage]: ...

    def renew(self, message_id: str, token: str, now: datetime, lease: timedelta) -> bool:
        """Hold the claim for `lease` from now, only while it is still ours and unexpired; False: it is not."""
        ...

    def mark_sent(self, message_id: str, token: str, now: datetime) -> bool: ...

    def mark_retry(self, message_id: str, token: str, send_after: datetime, error: str) -> None: ...

    def mark_failed(self, message_id: str, token: str, error: str) -> None: ...

    def mark_withdrawn(self, message_id: str, token: str, reason: str) -> None:
        """No longer worth sending (its appointment began, its code expired): withdrawn, never sent late."""
        ...

    def release(self, message_id: str, token: str, send_after: datetime | None = None) -> None:
        """Give a claimed message back untried (sender misconfigured, or quiet hours), optionally for later."""
        ...


@dataclass
class DispatchReport:
    """What one pass did."""

    sent: int = 0
    recovered: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    lost: int = 0
    """Claimed, but the lease ran out before its turn: another dispatcher has it now."""
    withdrawn: int = 0
    """No longer worth sending: withdrawn, never sent late."""
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.recovered + self.retried + self.failed + self.deferred + self.lost + self.withdrawn


BATCH = 10
"""Texts claimed at a time: few enough that the batch is sent well inside its lease."""


def dispatch_batch(queue: OutboxQueue, sender: SmsSender, clock: Clock, token: str, *, limit: int = BATCH,
                   lease: timedelta = timedelta(minutes=2)) -> DispatchReport:
    """One batch. A configuration failure (bad API key) gives the batch back and raises: nothing is marked."""
    report = DispatchReport()
    claimed = queue.claim(clock.now(), limit, lease, token)
    for index, message in enumerate(claimed):
        if not queue.renew(message.id, token, clock.now(), lease):
            report.lost += 1  # its lease ran out before its turn: another dispatcher's now
            continue
        try:
            _send_one(queue, sender, clock, token, message, report)
        except SendError as error:
            for untouched in claimed[index:]:
                queue.release(untouched.id, token)
            raise error
    return report


def _send_one(queue: OutboxQueue, sender: SmsSender, clock: Clock, token: str, message: SmsMessage,
              report: DispatchReport) -> None:
    now = clock.now()
    if now >= useful_until(message) and not (message.attempts > 1 and sender.was_sent(message.id)):
        queue.mark_withdrawn(message.id, token, stale_words(message))
        report.withdrawn += 1
        return
    if message.template is SmsTemplate.REMINDER and outside_quiet_hours(now) != now:
        queue.release(message.id, token, outside_quiet_hours(now))  # no reminders between 9pm and 8am
        report.deferred += 1
        return
    try:
        if message.attempts > 1 and sender.was_sent(message.id):
            queue.mark_sent(message.id, token, clock.now())
            report.recovered += 1
            return
        sender.send(message)
    except SendError as error:
        if error.kind is SendFailure.CONFIGURATION:
            raise
        later = clock.now() + retry_delay(message.attempts)
        if error.kind is SendFailure.PERMANENT:
            queue.mark_failed(message.id, token, error.reason)
            report.failed += 1
        elif later >= useful_until(message):  # tried while it was worth sending; never sent late
            queue.mark_withdrawn(message.id, token, f"{stale_words(message)} ({error.reason})")
            report.withdrawn += 1
        else:  # a temporary failure (Notify down): tried again for as long as the text is useful
            queue.mark_retry(message.id, token, later, error.reason)
            report.retried += 1
        report.errors.append(f"{message.id}: {error.reason}")
        return
    queue.mark_sent(message.id, token, clock.now())
    report.sent += 1
