"""The supervisor's tools over the database: the audit trail searched, the outbox listed and a failed text
queued again (domain/staff/supervision.py decides who may)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from data import convert
from data.messaging.outbox import to_message
from data.models import AuditEventRow, PatientRow, SmsMessageRow
from domain.audit import AuditEvent
from domain.messaging.model import SmsMessage, SmsStatus
from domain.staff.supervision import LOOKS_AT_THE_AUDIT, AuditQuery


class SqlSupervisionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def audit(self, query: AuditQuery, limit: int | None) -> tuple[list[AuditEvent], int]:
        which = _matching(select(AuditEventRow), query)
        total = self._session.scalar(_matching(select(func.count()).select_from(AuditEventRow), query)) or 0
        ordered = which.order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc())
        if limit is not None:
            ordered = ordered.limit(limit)
        return [convert.audit_event(row) for row in self._session.scalars(ordered)], total

    def audit_entry(self, entry_id: int) -> AuditEvent | None:
        row = self._session.get(AuditEventRow, entry_id)
        return convert.audit_event(row) if row else None

    def patient_labels(self, patient_ids: set[int]) -> dict[int, str]:
        rows = self._session.execute(select(PatientRow.id, PatientRow.given_name, PatientRow.family_name,
                                            PatientRow.hospital_number).where(PatientRow.id.in_(sorted(patient_ids))))
        return {pid: f"{given} {family} ({number})" for pid, given, family, number in rows}

    def texts(self, status: SmsStatus | None, patient_id: int | None, limit: int) -> list[SmsMessage]:
        which = select(SmsMessageRow)
        if status is not None:
            which = which.where(SmsMessageRow.status == status.value)
        if patient_id is not None:
            which = which.where(SmsMessageRow.patient_id == patient_id)
        rows = self._session.scalars(which.order_by(SmsMessageRow.created_at.desc(), SmsMessageRow.id).limit(limit))
        return [to_message(row) for row in rows]

    def text_counts(self) -> dict[SmsStatus, int]:
        counts = {status: n for status, n in self._session.execute(
            select(SmsMessageRow.status, func.count()).group_by(SmsMessageRow.status))}
        return {status: counts.get(status.value, 0) for status in SmsStatus}

    def text(self, message_id: str) -> SmsMessage | None:
        row = self._session.get(SmsMessageRow, message_id, populate_existing=True)
        return to_message(row) if row else None

    def requeue_text(self, message_id: str, at: datetime) -> bool:
        # Only while it is still failed: a second supervisor pressing at the same moment changes nothing.
        changed = self._session.execute(update(SmsMessageRow).where(
            SmsMessageRow.id == message_id, SmsMessageRow.status == SmsStatus.FAILED.value).values(
            status=SmsStatus.QUEUED.value, send_after=at, lease_token=None, lease_until=None)
            .execution_options(synchronize_session=False))
        return bool(changed.rowcount)  # type: ignore[attr-defined]


    def send_failed_again(self, at: datetime) -> tuple[int, int]:
        from data.messaging.outbox import send_failed_again

        return send_failed_again(self._session, at)

    def settle_held(self, ids: tuple[str, ...] | None, release: bool, at: datetime) -> int:
        from data.backup import settle_held

        return settle_held(self._session, ids, release=release, now=at)


def _matching(statement: Select, query: AuditQuery) -> Select:  # type: ignore[type-arg]
    if query.patient_id is not None:
        statement = statement.where(AuditEventRow.patient_id == query.patient_id)
    if query.staff:
        statement = statement.where(AuditEventRow.actor_kind == "staff", AuditEventRow.actor_id == query.staff)
    if query.action:
        statement = statement.where(AuditEventRow.action.contains(query.action, autoescape=True))
    start, end = query.window()
    if start is not None:
        statement = statement.where(AuditEventRow.at >= start)
    if end is not None:
        statement = statement.where(AuditEventRow.at < end)
    if not query.include_audit_looks:
        prefix = LOOKS_AT_THE_AUDIT.replace("_", "\\_")
        statement = statement.where(AuditEventRow.action.not_like(f"{prefix}%", escape="\\"))
    return statement
