"""The post room: paper copies of letters, printed in batches and posted.

A letter is queued for posting when the patient reads letters on paper (their confirmation letters), or — so
that no one misses an appointment because they never signed in — when a paperless patient's appointment letter
is still unopened `fallback_hours` after it arrived and before the appointment; such a letter then says that it
was sent by post too. Printing takes every queued letter that has an address into one batch (one PDF), and a
letter in a printed batch is never printed in another; a batch is then marked posted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from domain.audit import AuditEvent, Outcome
from domain.clock import LONDON
from domain.errors import Refused
from domain.formatting import nhs_date
from domain.hospital import TrustCode
from domain.identity.session import StaffSession
from domain.ports import Clock, UnitOfWork
from domain.staff.supervision import Tool, require
from domain.text import clean_line

FALLBACK_HOURS = 48
"""The trust's default: an appointment letter unopened this long after it arrived goes by post too."""

ADDRESS_LINES = 5
"""Lines of address above the postcode that a DL window shows (with the name and the postcode: seven)."""


def posted_too(on: date) -> str:
    """What a letter says once it has also gone by post."""
    return (f"\n\n---\n\nWe also sent this letter to you by post on {nhs_date(on)}, because it had not been opened "
            "online.")


@dataclass(frozen=True, slots=True)
class PostItem:
    """A letter waiting for the post room, with what goes in the envelope's window."""

    document_id: int
    patient_id: int
    name: str
    address_lines: tuple[str, ...]
    postcode: str
    trust_code: str
    title: str
    written_at: datetime
    body: str

    @property
    def problem(self) -> str | None:
        """Why it cannot be printed yet (a person must add the address), or None."""
        if not self.address_lines or not self.postcode.strip():
            return "no postal address on the record: add it at the PAS, then print again"
        return None

    @property
    def address_block(self) -> list[str]:
        """Name, address lines, postcode — as the envelope's window shows them."""
        return [self.name, *self.address_lines[:ADDRESS_LINES], self.postcode.upper()]


@dataclass(frozen=True, slots=True)
class Batch:
    id: int
    printed_at: datetime
    printed_by: str
    letters: int
    file_name: str
    posted_at: datetime | None = None
    posted_by: str | None = None


@dataclass(frozen=True, slots=True)
class PostRoom:
    waiting: list[PostItem]
    """Queued letters, oldest first; those with a problem stay until it is mended."""
    batches: list[Batch]
    """The newest batches, printed and posted."""
    fallback_queued: int = 0
    """Unopened appointment letters queued for posting on this look."""


class PostRoomRepository(Protocol):
    def waiting(self) -> list[PostItem]: ...

    def unopened_appointment_letters(self, arrived_before: datetime, appointments_after: datetime) -> list[int]:
        """Paperless patients' appointment letters, unread, not queued, arrived before the first time, whose
        appointment starts after the second."""
        ...

    def queue(self, document_ids: list[int], note: str) -> int:
        """Queue for posting (only those still not queued), the note added to each; how many were queued."""
        ...

    def new_batch(self, printed_at: datetime, printed_by: str, document_ids: list[int], file_name: str) -> Batch:
        """The letters (still queued) into a new batch, marked printed. Raises Refused if any is no longer
        queued: another terminal printed it meanwhile."""
        ...

    def items(self, batch_id: int) -> list[PostItem]: ...

    def batches(self, limit: int) -> list[Batch]: ...

    def mark_posted(self, batch_id: int, at: datetime, by: str) -> Batch | None:
        """None if there is no such printed, unposted batch."""
        ...


class LetterPrinter(Protocol):
    """Renders a batch's letters as one PDF (data/records/letters_pdf.py)."""

    def render(self, items: list[PostItem], trust_names: dict[str, str], printed_on: date) -> bytes: ...


def queue_unopened(uow: UnitOfWork, clock: Clock, hours: int = FALLBACK_HOURS) -> int:
    """Queue the appointment letters of paperless patients that are still unopened `hours` after they arrived,
    for appointments yet to come; each says it was sent by post too."""
    now = clock.now()
    with uow:
        ids = uow.post_room.unopened_appointment_letters(now - timedelta(hours=hours), now)
        queued = uow.post_room.queue(ids, posted_too(now.astimezone(LONDON).date())) if ids else 0
        if queued:
            uow.audit.record(AuditEvent(at=now, actor_kind="system", actor_id="post room", action="letters_queued",
                                        outcome=Outcome.SUCCESS, detail=f"{queued} unopened for {hours} hours"))
        uow.commit()
    return queued


def post_room(uow: UnitOfWork, clock: Clock, session: StaffSession | None, hours: int = FALLBACK_HOURS) -> PostRoom:
    """What waits (after queueing the unopened), and the latest batches. `session` None: the command line."""
    if session is not None:
        require(session, Tool.POST_ROOM)
    fallback = queue_unopened(uow, clock, hours)
    with uow:
        room = PostRoom(uow.post_room.waiting(), uow.post_room.batches(20), fallback)
        uow.audit.record(_audit(clock.now(), session, "post_room_viewed", f"{len(room.waiting)} letters waiting"))
        uow.commit()
        return room


def print_batch(uow: UnitOfWork, clock: Clock, session: StaffSession | None, printer: LetterPrinter,
                save: SaveFile, hours: int = FALLBACK_HOURS) -> tuple[Batch, list[PostItem]] | None:
    """Every waiting letter that has an address, in one batch and one PDF (saved by `save` before the batch
    is committed, so a batch always has its file); None when there is nothing new to print."""
    if session is not None:
        require(session, Tool.POST_ROOM)
    by = session.username if session is not None else "command line"
    queue_unopened(uow, clock, hours)
    now = clock.now()
    with uow:
        ready = [item for item in uow.post_room.waiting() if item.problem is None]
        if not ready:
            return None
        names = {code: uow.trusts.get(TrustCode(code)).name for code in {item.trust_code for item in ready}}
        pdf = printer.render(ready, names, now.astimezone(LONDON).date())
        file_name = save(f"letters-{now.strftime('%Y%m%dT%H%M%SZ')}.pdf", pdf)
        batch = uow.post_room.new_batch(now, by, [item.document_id for item in ready], file_name)
        uow.audit.record(_audit(now, session, "letters_printed", f"batch {batch.id}: {len(ready)} letters, "
                                                                  f"{file_name}"))
        uow.commit()
    return batch, ready


def mark_posted(uow: UnitOfWork, clock: Clock, session: StaffSession | None, batch_id: int) -> Batch:
    if session is not None:
        require(session, Tool.POST_ROOM)
    by = session.username if session is not None else "command line"
    now = clock.now()
    with uow:
        batch = uow.post_room.mark_posted(batch_id, now, by)
        if batch is None:
            raise Refused(f"Batch {batch_id} is not a printed batch waiting to be posted.")
        uow.audit.record(_audit(now, session, "letters_posted", f"batch {batch_id}: {batch.letters} letters"))
        uow.commit()
    return batch


class SaveFile(Protocol):
    def __call__(self, name: str, content: bytes) -> str:
        """Write the file; its full name, for the record."""
        ...


def _audit(now: datetime, session: StaffSession | None, action: str, detail: str) -> AuditEvent:
    if session is None:
        return AuditEvent(at=now, actor_kind="system", actor_id="command line", action=action,
                          outcome=Outcome.SUCCESS, detail=clean_line(detail))
    kind, actor_id, role = session.audit_identity
    return AuditEvent(at=now, actor_kind=kind, actor_id=actor_id, actor_role=role, action=action,
                      outcome=Outcome.SUCCESS, detail=clean_line(detail))
