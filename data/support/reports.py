"""SupportRepository on SQLAlchemy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.models import ProblemReplyRow, ProblemReportRow, StaffMemberRow
from domain.support.reports import Captured, ProblemReport, Reply, ReportStatus


class SqlSupportRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, report: ProblemReport) -> None:
        c = report.captured
        self._session.add(ProblemReportRow(
            reference=report.reference, created_at=report.created_at, updated_at=report.created_at,
            tried=report.tried, happened=report.happened, screen=c.screen[:80], terminal_size=c.terminal_size[:20],
            version=c.version[:40], place=c.place[:10], error_reference=(c.error_reference or None),
            terminal=report.terminal[:80], reply_to=report.reply_to, patient_id=report.patient_id,
            status=report.status.value))
        self._session.flush()

    def get(self, reference: str) -> ProblemReport | None:
        row = self._session.scalars(select(ProblemReportRow).where(ProblemReportRow.reference == reference)).first()
        return self._report(row) if row is not None else None

    def lock(self, reference: str) -> ProblemReport | None:
        row = self._session.scalars(select(ProblemReportRow).where(ProblemReportRow.reference == reference)
                                    .with_for_update()).first()
        return self._report(row) if row is not None else None

    def list(self, status: ReportStatus | None) -> list[ProblemReport]:
        query = select(ProblemReportRow).order_by(ProblemReportRow.id).limit(500)
        if status is not None:
            query = query.where(ProblemReportRow.status == status.value)
        return [self._report(row) for row in self._session.scalars(query)]

    def add_reply(self, report_id: int, reply: Reply) -> None:
        self._session.add(ProblemReplyRow(report_id=report_id, at=reply.at, staff_username=reply.by,
                                          body=reply.body))
        self._session.flush()

    def set_status(self, report_id: int, status: ReportStatus, at: datetime, seen: bool | None) -> None:
        values: dict[str, object] = {"status": status.value, "updated_at": at}
        if seen is True:
            values["reply_seen_at"] = at
        elif seen is False:
            values["reply_seen_at"] = None
        self._session.execute(update(ProblemReportRow).where(ProblemReportRow.id == report_id).values(**values))

    def unread_for_patient(self, patient_id: int) -> ProblemReport | None:
        row = self._session.scalars(select(ProblemReportRow).where(
            ProblemReportRow.patient_id == patient_id, ProblemReportRow.status == ReportStatus.ANSWERED.value,
            ProblemReportRow.reply_seen_at.is_(None)).order_by(ProblemReportRow.id.desc())).first()
        return self._report(row) if row is not None else None

    def _report(self, row: ProblemReportRow) -> ProblemReport:
        replies = self._session.execute(
            select(ProblemReplyRow, StaffMemberRow.display_name)
            .outerjoin(StaffMemberRow, StaffMemberRow.username == ProblemReplyRow.staff_username)
            .where(ProblemReplyRow.report_id == row.id).order_by(ProblemReplyRow.at, ProblemReplyRow.id)).all()
        return ProblemReport(
            row.id, row.reference, row.created_at, row.tried, row.happened,
            Captured(row.screen, row.terminal_size, row.version, row.place, row.error_reference), row.reply_to,
            row.patient_id, ReportStatus(row.status), row.terminal,
            tuple(Reply(r.at, name or r.staff_username, r.body) for r, name in replies), row.reply_seen_at)
