"""The post room over the database: letters waiting for paper, batches printed and posted
(domain/records/post.py has the rules)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from data.models import AppointmentRow, DocumentRow, PatientRow, PostBatchRow
from domain.errors import Refused
from domain.identity.patients import LetterPreference
from domain.records.model import DocumentKind, PostStatus
from domain.records.post import Batch, PostItem

_APPOINTMENT_LETTERS = (DocumentKind.APPOINTMENT_CONFIRMATION.value, DocumentKind.ADMISSION_CONFIRMATION.value)


class SqlPostRoomRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def waiting(self) -> list[PostItem]:
        return self._items(DocumentRow.post_status == PostStatus.QUEUED.value)

    def items(self, batch_id: int) -> list[PostItem]:
        return self._items(DocumentRow.post_batch_id == batch_id)

    def _items(self, which) -> list[PostItem]:  # type: ignore[no-untyped-def]
        rows = self._session.execute(
            select(DocumentRow, PatientRow, AppointmentRow.starts_at)
            .join(PatientRow, PatientRow.id == DocumentRow.patient_id)
            .outerjoin(AppointmentRow, AppointmentRow.id == DocumentRow.appointment_id)
            .where(which).order_by(DocumentRow.written_at, DocumentRow.id))
        return [PostItem(d.id, p.id, f"{p.given_name} {p.family_name}",
                         tuple(line for line in (p.address_lines or "").split("\n") if line.strip()), p.postcode or "",
                         d.trust_code, d.title, d.written_at, d.body_markdown or "", p.date_of_death, d.appointment_id,
                         starts) for d, p, starts in rows]

    def unopened_appointment_letters(self, arrived_before: datetime, appointments_after: datetime) -> list[int]:
        return list(self._session.scalars(
            select(DocumentRow.id).join(PatientRow, PatientRow.id == DocumentRow.patient_id)
            .join(AppointmentRow, AppointmentRow.id == DocumentRow.appointment_id)
            .where(PatientRow.letter_preference == LetterPreference.PAPERLESS.value, PatientRow.date_of_death.is_(None),
                   DocumentRow.kind.in_(_APPOINTMENT_LETTERS), DocumentRow.read_at.is_(None),
                   DocumentRow.post_status.is_(None), DocumentRow.written_at < arrived_before,
                   AppointmentRow.starts_at > appointments_after, AppointmentRow.status == "booked")
            .order_by(DocumentRow.id)))

    def queue(self, document_ids: list[int], note: str) -> int:
        done = self._session.execute(
            update(DocumentRow).where(DocumentRow.id.in_(document_ids), DocumentRow.post_status.is_(None))
            .values(post_status=PostStatus.QUEUED.value,
                    body_markdown=func.coalesce(DocumentRow.body_markdown, "") + note)
            .execution_options(synchronize_session=False))
        return int(done.rowcount)  # type: ignore[attr-defined]

    def new_batch(self, printed_at: datetime, printed_by: str, document_ids: list[int], file_name: str) -> Batch:
        row = PostBatchRow(printed_at=printed_at, printed_by=printed_by, letters=len(document_ids),
                           file_name=file_name[:300])
        self._session.add(row)
        self._session.flush()
        # Only letters still queued: two terminals printing at once never put one letter in two batches.
        done = self._session.execute(
            update(DocumentRow).where(DocumentRow.id.in_(document_ids),
                                      DocumentRow.post_status == PostStatus.QUEUED.value)
            .values(post_status=PostStatus.PRINTED.value, post_batch_id=row.id)
            .execution_options(synchronize_session=False))
        if done.rowcount != len(document_ids):  # type: ignore[attr-defined]
            raise Refused("Some of these letters were printed at another desk meanwhile: look again.")
        return _batch(row)

    def batches(self, limit: int) -> list[Batch]:
        rows = self._session.scalars(select(PostBatchRow).order_by(PostBatchRow.id.desc()).limit(limit))
        return [_batch(row) for row in rows]

    def mark_posted(self, batch_id: int, at: datetime, by: str) -> Batch | None:
        row = self._session.get(PostBatchRow, batch_id, with_for_update=True)
        if row is None or row.posted_at is not None:
            return None
        row.posted_at, row.posted_by = at, by
        self._session.execute(update(DocumentRow).where(DocumentRow.post_batch_id == batch_id)
                              .values(post_status=PostStatus.POSTED.value)
                              .execution_options(synchronize_session=False))
        self._session.flush()
        return _batch(row)


def _batch(row: PostBatchRow) -> Batch:
    return Batch(row.id, row.printed_at, row.printed_by, row.letters, row.file_name, row.posted_at, row.posted_by)
