"""Dispatcher rules with a fixed clock and in-memory fakes of the outbox and the sender."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.clock import FixedClock
from domain.messaging.dispatch import dispatch_batch
from domain.messaging.model import SmsMessage, SmsStatus, SmsTemplate
from domain.messaging.sms import SendError, SendFailure, classify_http_status, outside_quiet_hours, retry_delay

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


class FakeQueue:
    def __init__(self, messages: list[SmsMessage]) -> None:
        self.rows = {m.id: m for m in messages}
        self.tokens: dict[str, str] = {}

    def claim(self, now, limit, lease, token):  # type: ignore[no-untyped-def]
        due = [m for m in self.rows.values() if m.status is SmsStatus.QUEUED and m.send_after <= now][:limit]
        for m in due:
            self.rows[m.id] = replace(m, status=SmsStatus.SENDING, attempts=m.attempts + 1)
            self.tokens[m.id] = token
        return [self.rows[m.id] for m in due]

    def _set(self, message_id, token, **changes):  # type: ignore[no-untyped-def]
        assert self.tokens.pop(message_id) == token
        self.rows[message_id] = replace(self.rows[message_id], **changes)
        return True

    def renew(self, message_id, token, now, lease):  # type: ignore[no-untyped-def]
        return self.tokens.get(message_id) == token and self.rows[message_id].status is SmsStatus.SENDING

    def mark_sent(self, message_id, token, now):  # type: ignore[no-untyped-def]
        return self._set(message_id, token, status=SmsStatus.SENT, sent_at=now)

    def mark_retry(self, message_id, token, send_after, error):  # type: ignore[no-untyped-def]
        self._set(message_id, token, status=SmsStatus.QUEUED, send_after=send_after, last_error=error)

    def mark_failed(self, message_id, token, error):  # type: ignore[no-untyped-def]
        self._set(message_id, token, status=SmsStatus.FAILED, last_error=error)

    def mark_withdrawn(self, message_id, token, reason):  # type: ignore[no-untyped-def]
        self._set(message_id, token, status=SmsStatus.WITHDRAWN, last_error=reason)

    def release(self, message_id, token, send_after=None):  # type: ignore[no-untyped-def]
        later = {"send_after": send_after} if send_after else {}
        self._set(message_id, token, status=SmsStatus.QUEUED, attempts=self.rows[message_id].attempts - 1, **later)


class FakeSender:
    def __init__(self, errors: dict[str, SendError] | None = None, already: set[str] | None = None) -> None:
        self.sent: list[str] = []
        self.errors = errors or {}
        self.already = already or set()

    def send(self, message: SmsMessage) -> None:
        if message.id in self.errors:
            raise self.errors[message.id]
        self.sent.append(message.id)

    def was_sent(self, reference: str) -> bool:
        return reference in self.already


def texts(*ids: str, attempts: int = 0) -> list[SmsMessage]:
    return [SmsMessage(id=i, to_number="+447700900001", template=SmsTemplate.REMINDER, body="…",
                       status=SmsStatus.QUEUED, created_at=NOW, send_after=NOW, attempts=attempts) for i in ids]


def test_due_texts_are_sent_and_recorded() -> None:
    queue, sender = FakeQueue(texts("a", "b")), FakeSender()
    report = dispatch_batch(queue, sender, FixedClock(NOW), "t")
    assert sender.sent == ["a", "b"] and report.sent == 2
    assert all(m.status is SmsStatus.SENT for m in queue.rows.values())


def test_a_text_not_yet_due_waits() -> None:
    later = [replace(texts("a")[0], send_after=NOW + timedelta(hours=1))]
    sender = FakeSender()
    dispatch_batch(FakeQueue(later), sender, FixedClock(NOW), "t")
    assert sender.sent == []


def test_a_temporary_failure_is_retried_later_and_a_permanent_one_is_marked() -> None:
    queue = FakeQueue(texts("busy", "bad"))
    sender = FakeSender({"busy": SendError(SendFailure.TEMPORARY, "429"), "bad": SendError(SendFailure.PERMANENT, "400")})
    report = dispatch_batch(queue, sender, FixedClock(NOW), "t")
    assert (report.retried, report.failed) == (1, 1)
    assert queue.rows["busy"].status is SmsStatus.QUEUED and queue.rows["busy"].send_after > NOW
    assert queue.rows["bad"].status is SmsStatus.FAILED and queue.rows["bad"].last_error == "400"


def test_through_an_hour_of_notify_outage_nothing_is_lost_and_nothing_goes_late() -> None:
    """Issue 36, finding 2: with Notify answering 500 throughout, every text was failed after 8 attempts within
    half an hour. Now each is tried for as long as it is useful: a reminder until its appointment, a code until it
    expires (then withdrawn, never sent late); when Notify answers again, every useful one goes."""
    from datetime import timedelta


    tomorrow = NOW + timedelta(days=1)
    queue = FakeQueue([
        SmsMessage(id="reminder", to_number="+447700900001", template=SmsTemplate.REMINDER, body="…",
                   status=SmsStatus.QUEUED, created_at=NOW, send_after=NOW, appointment_starts_at=tomorrow),
        SmsMessage(id="code", to_number="+447700900002", template=SmsTemplate.ONE_TIME_CODE, body="123456",
                   status=SmsStatus.QUEUED, created_at=NOW, send_after=NOW),
        SmsMessage(id="past", to_number="+447700900003", template=SmsTemplate.REMINDER, body="…",
                   status=SmsStatus.QUEUED, created_at=NOW, send_after=NOW,
                   appointment_starts_at=NOW + timedelta(minutes=20))])
    down = FakeSender({i: SendError(SendFailure.TEMPORARY, "500") for i in ("reminder", "code", "past")})
    clock = FixedClock(NOW)
    for _ in range(60):  # an hour, a pass a minute
        dispatch_batch(queue, down, clock, "t")
        clock.advance(60)
    rows = queue.rows
    assert rows["reminder"].status is SmsStatus.QUEUED  # still to go: its appointment is tomorrow
    assert rows["code"].status is SmsStatus.WITHDRAWN and "code had expired" in (rows["code"].last_error or "")
    assert rows["past"].status is SmsStatus.WITHDRAWN and "appointment began" in (rows["past"].last_error or "")
    assert not any(r.status is SmsStatus.FAILED for r in rows.values())
    up = FakeSender()
    clock.advance(3600)  # whatever its back-off, it is due again
    dispatch_batch(queue, up, clock, "t")
    assert up.sent == ["reminder"] and rows["reminder"].status is SmsStatus.SENT


def test_a_text_tried_before_is_not_sent_again_if_the_sender_has_it() -> None:
    queue, sender = FakeQueue(texts("maybe", attempts=1)), FakeSender(already={"maybe"})
    report = dispatch_batch(queue, sender, FixedClock(NOW), "t")
    assert sender.sent == [] and report.recovered == 1 and queue.rows["maybe"].status is SmsStatus.SENT


def test_a_misconfigured_sender_stops_everything_and_marks_nothing() -> None:
    queue = FakeQueue(texts("a", "b", "c"))
    with pytest.raises(SendError):
        dispatch_batch(queue, FakeSender({"a": SendError(SendFailure.CONFIGURATION, "403")}), FixedClock(NOW), "t")
    assert all(m.status is SmsStatus.QUEUED and m.attempts == 0 for m in queue.rows.values())


def test_back_off_grows_with_jitter_and_a_ceiling() -> None:
    delays = [retry_delay(attempt).total_seconds() for attempt in range(1, 12)]
    assert 7.5 <= delays[0] <= 15 and delays[-1] <= 1800
    assert len({retry_delay(3) for _ in range(20)}) > 1  # jittered: dispatchers do not retry in step


@pytest.mark.parametrize("status, kind", [(400, "permanent"), (403, "configuration"), (401, "configuration"),
                                          (429, "temporary"), (500, "temporary"), (503, "temporary")])
def test_http_statuses(status: int, kind: str) -> None:
    assert classify_http_status(status).value == kind


@pytest.mark.parametrize("utc, expected", [
    ((2026, 11, 24, 20, 59), (2026, 11, 24, 20, 59)),  # 8.59pm GMT: goes now
    ((2026, 11, 24, 21, 0), (2026, 11, 25, 8, 0)),  # 9pm: waits for 8am
    ((2026, 11, 25, 3, 0), (2026, 11, 25, 8, 0)),  # 3am: waits for 8am
    ((2026, 7, 1, 6, 30), (2026, 7, 1, 7, 0)),  # 7.30am BST: 8am BST is 7am UTC
])
def test_quiet_hours_are_london_time(utc: tuple[int, ...], expected: tuple[int, ...]) -> None:
    assert outside_quiet_hours(datetime(*utc, tzinfo=UTC)) == datetime(*expected, tzinfo=UTC)


def test_an_overdue_reminder_found_at_night_waits_for_the_morning_but_a_code_does_not() -> None:
    night = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    code = replace(texts("code")[0], template=SmsTemplate.ONE_TIME_CODE, created_at=night, send_after=night)
    queue, sender = FakeQueue([*texts("reminder"), code]), FakeSender()
    report = dispatch_batch(queue, sender, FixedClock(night), "t")
    assert sender.sent == ["code"] and report.deferred == 1
    waiting = queue.rows["reminder"]
    assert waiting.status is SmsStatus.QUEUED and waiting.attempts == 0
    assert waiting.send_after == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_reminder_plans_at_seven_days_and_one_day() -> None:
    from domain.messaging.sms import reminders_due

    appointment = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert reminders_due(appointment, datetime(2026, 11, 20, 9, 0, tzinfo=UTC), (7, 1)) == []
    week = reminders_due(appointment, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), (7, 1))
    assert [(p.offset_days, p.send_after.hour) for p in week] == [(7, 10)]
    day = reminders_due(appointment, datetime(2026, 11, 30, 12, 0, tzinfo=UTC), (7, 1))
    assert [p.offset_days for p in day] == [1]  # the overdue 7-day one adds nothing now
    assert reminders_due(appointment, datetime(2026, 12, 1, 10, 0, tzinfo=UTC), (7, 1)) == []
