"""The SMS outbox in the database: claims under a lease, results recorded under the same lease."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.orm import Session

from data.messaging.sealing import opened
from data.models import AppointmentRow, SmsMessageRow
from domain.messaging.wording import redacted
from domain.messaging.model import SmsMessage, SmsStatus, SmsTemplate


def to_message(row: SmsMessageRow, appointment_starts_at: datetime | None = None) -> SmsMessage:
    return SmsMessage(id=row.id, to_number=row.to_number, template=SmsTemplate(row.template), body=opened(row.body),
                      status=SmsStatus(row.status), created_at=row.created_at, send_after=row.send_after,
                      patient_id=row.patient_id, appointment_id=row.appointment_id, dedupe_key=row.dedupe_key,
                      attempts=row.attempts, last_error=row.last_error, sent_at=row.sent_at,
                      language=row.language, appointment_starts_at=appointment_starts_at)


class SqlOutboxQueue:
    """The OutboxQueue port over SQLAlchemy; every call is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine

    def claim(self, now: datetime, limit: int, lease: timedelta, token: str) -> list[SmsMessage]:
        due = or_(and_(SmsMessageRow.status == SmsStatus.QUEUED.value, SmsMessageRow.send_after <= now),
                  and_(SmsMessageRow.status == SmsStatus.SENDING.value, SmsMessageRow.lease_until < now))
        with Session(self._engine) as session, session.begin():
            # PostgreSQL: rows another dispatcher holds are skipped. SQLite: BEGIN IMMEDIATE already
            # made this transaction the only writer, so no one else can claim the same rows.
            ids = session.scalars(select(SmsMessageRow.id).where(due).order_by(SmsMessageRow.send_after)
                                  .limit(limit).with_for_update(skip_locked=True)).all()
            if not ids:
                return []
            session.execute(update(SmsMessageRow).where(SmsMessageRow.id.in_(ids)).values(
                status=SmsStatus.SENDING.value, lease_token=token, lease_until=now + lease,
                attempts=SmsMessageRow.attempts + 1))
            rows = session.execute(select(SmsMessageRow, AppointmentRow.starts_at)
                                   .outerjoin(AppointmentRow, AppointmentRow.id == SmsMessageRow.appointment_id)
                                   .where(SmsMessageRow.id.in_(ids)).order_by(SmsMessageRow.send_after)).all()
            return [to_message(row, starts) for row, starts in rows]

    def renew(self, message_id: str, token: str, now: datetime, lease: timedelta) -> bool:
        with Session(self._engine) as session, session.begin():
            result = session.execute(update(SmsMessageRow).where(
                SmsMessageRow.id == message_id, SmsMessageRow.lease_token == token,
                SmsMessageRow.status == SmsStatus.SENDING.value, SmsMessageRow.lease_until > now)
                .values(lease_until=now + lease))
            return result.rowcount == 1

    def mark_sent(self, message_id: str, token: str, now: datetime) -> bool:
        finished = self._finish(message_id, token, status=SmsStatus.SENT.value, sent_at=now, last_error=None)
        if finished:
            self._redact_code(message_id)
        return finished

    def _redact_code(self, message_id: str) -> None:
        """A code's digits stay in the outbox only until the gateway has them (or has failed for good): kept,
        they would make the code's salted hash pointless for anyone who can read the database or its backups."""
        with Session(self._engine) as session, session.begin():
            row = session.get(SmsMessageRow, message_id)
            if row is not None and row.template in (SmsTemplate.ONE_TIME_CODE.value,
                                                    SmsTemplate.REGISTRATION_INVITATION.value):
                row.body = redacted(opened(row.body))

    def mark_retry(self, message_id: str, token: str, send_after: datetime, error: str) -> None:
        self._finish(message_id, token, status=SmsStatus.QUEUED.value, send_after=send_after, last_error=error[:500])

    def mark_failed(self, message_id: str, token: str, error: str) -> None:
        if self._finish(message_id, token, status=SmsStatus.FAILED.value, last_error=error[:500]):
            self._redact_code(message_id)  # a code never sent is never sent again: its digits have no use left

    def mark_withdrawn(self, message_id: str, token: str, reason: str) -> None:
        if self._finish(message_id, token, status=SmsStatus.WITHDRAWN.value, last_error=reason[:500]):
            self._redact_code(message_id)  # a code never to be sent: its digits have no use left

    def release(self, message_id: str, token: str, send_after: datetime | None = None) -> None:
        later = {"send_after": send_after} if send_after else {}
        self._finish(message_id, token, status=SmsStatus.QUEUED.value, attempts=SmsMessageRow.attempts - 1, **later)

    def _finish(self, message_id: str, token: str, **values: object) -> bool:
        """Only while the lease is still ours: a dispatcher that lost it records nothing."""
        with Session(self._engine) as session, session.begin():
            result = session.execute(update(SmsMessageRow).where(
                SmsMessageRow.id == message_id, SmsMessageRow.lease_token == token,
                SmsMessageRow.status == SmsStatus.SENDING.value).values(lease_token=None, lease_until=None, **values))
            return result.rowcount == 1


def send_again(engine: Engine, now: datetime, since: datetime | None = None) -> tuple[int, int]:
    """Every failed text (written since `since`) that is still worth sending queued again, as if new: (queued,
    left). A code's or an invitation's digits are gone once it failed (never kept), and a text past its use
    (its appointment begun) is left as it is."""
    with Session(engine) as session, session.begin():
        return send_failed_again(session, now, since)


def send_failed_again(session: Session, now: datetime, since: datetime | None = None) -> tuple[int, int]:
    """`send_again` inside the caller's transaction (the desk's bulk "Send again")."""
    from domain.messaging.sms import useful_until

    query = select(SmsMessageRow, AppointmentRow.starts_at).outerjoin(
        AppointmentRow, AppointmentRow.id == SmsMessageRow.appointment_id).where(
        SmsMessageRow.status == SmsStatus.FAILED.value)
    if since is not None:
        query = query.where(SmsMessageRow.created_at >= since)
    queued = left = 0
    for row, starts in session.execute(query).all():
        if row.template in (SmsTemplate.ONE_TIME_CODE.value, SmsTemplate.REGISTRATION_INVITATION.value) or \
                useful_until(to_message(row, starts)) <= now:
            left += 1
            continue
        row.status, row.attempts, row.send_after = SmsStatus.QUEUED.value, 0, now
        row.lease_token = row.lease_until = None
        queued += 1
    return queued, left


def message_counts(engine: Engine) -> list[tuple[str, int, datetime]]:
    """(status, how many, when the oldest was written) of every text in the outbox."""
    from sqlalchemy import func

    with Session(engine) as session:
        return [(status, n, oldest) for status, n, oldest in session.execute(
            select(SmsMessageRow.status, func.count(), func.min(SmsMessageRow.created_at))
            .group_by(SmsMessageRow.status).order_by(SmsMessageRow.status))]


def list_messages(engine: Engine, status: SmsStatus | None = None, limit: int = 200) -> list[SmsMessage]:
    """Newest first, for `portal-tui sms list`."""
    query = select(SmsMessageRow).order_by(SmsMessageRow.created_at.desc()).limit(limit)
    if status is not None:
        query = query.where(SmsMessageRow.status == status.value)
    with Session(engine) as session:
        return [to_message(row) for row in session.scalars(query)]
