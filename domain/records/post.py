"""The post room: paper copies of letters, printed in batches and posted.

A letter is queued for posting when the patient reads letters on paper (their confirmation letters), or — so
that no one misses an appointment because they never signed in — when a paperless patient's appointment letter
is still unopened `fallback_hours` after it arrived and before the appointment; such a letter then says that it
was sent by post too. Printing takes every queued letter that has an address into one batch (one PDF), and a
letter in a printed batch is never printed in another; a batch is then marked posted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
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


def arrives(posted: date, working_days: int) -> date:
    """The day a letter posted (or printed) on `posted` arrives: `working_days` later, counting no weekend and no
    bank holiday (second class takes three)."""
    from domain.closures import bank_holiday

    day, left = posted, working_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and not bank_holiday(day):
            left -= 1
    return day


def can_arrive(now: datetime, appointment_starts_at: datetime, working_days: int) -> bool:
    """Whether a letter posted now reaches the patient before the day of the appointment."""
    return arrives(now.astimezone(LONDON).date(), working_days) < appointment_starts_at.astimezone(LONDON).date()


TOO_LATE_TO_POST = "Phone the patient: the letter cannot arrive by post before the appointment"
"""The to-do a paper letter that cannot arrive leaves on its appointment, instead of a letter that would not."""


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
    died: date | None = None
    """The patient's date of death: nothing is posted to them."""
    appointment_id: int | None = None
    appointment_starts_at: datetime | None = None
    """The appointment the letter is about, where it is about one."""
    too_late: bool = False
    """Posted now, it would arrive after its appointment (decided when the room is looked at: `in_time`)."""

    @property
    def problem(self) -> str | None:
        """Why it is not printed (a person must mend the record; the patient has died; posted now it would arrive
        after its appointment, which the desk phones about instead), or None."""
        if self.died is not None:
            return f"the patient died on {nhs_date(self.died)}: not posted"
        if self.too_late and self.appointment_starts_at is not None:
            return (f"it cannot arrive before the appointment on "
                    f"{nhs_date(self.appointment_starts_at.astimezone(LONDON).date())}: not posted; the appointment "
                    "shows a to-do to phone the patient")
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


def queue_unopened(uow: UnitOfWork, clock: Clock, hours: int = FALLBACK_HOURS, working_days: int = 3) -> int:
    """Queue the appointment letters of paperless patients that are still unopened `hours` after they arrived,
    for appointments yet to come that a letter posted now can still reach; each says it was sent by post too.
    (Those a letter cannot reach in time are the desk's to phone: a to-do on the appointment.)"""
    now = clock.now()
    with uow:
        ids = uow.post_room.unopened_appointment_letters(now - timedelta(hours=hours),
                                                         _latest_reachable(now, working_days))
        queued = uow.post_room.queue(ids, posted_too(now.astimezone(LONDON).date())) if ids else 0
        if queued:
            uow.audit.record(AuditEvent(at=now, actor_kind="system", actor_id="post room", action="letters_queued",
                                        outcome=Outcome.SUCCESS, detail=f"{queued} unopened for {hours} hours"))
        uow.commit()
    return queued


def too_late(item: PostItem, now: datetime, working_days: int) -> bool:
    """Posted now, the letter would arrive after its appointment."""
    return item.died is None and item.appointment_starts_at is not None and \
        not can_arrive(now, item.appointment_starts_at, working_days)


def in_time(uow: UnitOfWork, items: list[PostItem], now: datetime, working_days: int) -> list[PostItem]:
    """The letters, each marked too late where, posted now, it would arrive after its appointment — whose
    appointment is then left a to-do to phone the patient (once; the caller commits)."""
    marked = []
    for item in items:
        late = too_late(item, now, working_days)
        if late and item.appointment_id is not None and item.appointment_starts_at is not None and \
                item.appointment_starts_at > now:
            uow.appointments.add_to_do(item.appointment_id, TOO_LATE_TO_POST)
        marked.append(replace(item, too_late=late))
    return marked


def _latest_reachable(now: datetime, working_days: int) -> datetime:
    """The start of the first day a letter posted now reaches: appointments from then on can still be written to."""
    return datetime.combine(arrives(now.astimezone(LONDON).date(), working_days) + timedelta(days=1), time(0),
                            LONDON)


def post_room(uow: UnitOfWork, clock: Clock, session: StaffSession | None, hours: int = FALLBACK_HOURS,
              working_days: int = 3) -> PostRoom:
    """What waits (after queueing the unopened), and the latest batches. `session` None: the command line."""
    if session is not None:
        require(session, Tool.POST_ROOM)
    fallback = queue_unopened(uow, clock, hours, working_days)
    with uow:
        room = PostRoom(in_time(uow, uow.post_room.waiting(), clock.now(), working_days), uow.post_room.batches(20),
                        fallback)
        uow.audit.record(_audit(clock.now(), session, "post_room_viewed", f"{len(room.waiting)} letters waiting"))
        uow.commit()
        return room


def print_batch(uow: UnitOfWork, clock: Clock, session: StaffSession | None, printer: LetterPrinter,
                save: SaveFile, hours: int = FALLBACK_HOURS,
                working_days: int = 3) -> tuple[Batch, list[PostItem]] | None:
    """Every waiting letter that has an address and can still arrive before its appointment, in one batch and one
    PDF (saved by `save` before the batch is committed, so a batch always has its file); None when there is
    nothing new to print. A letter that can no longer arrive is not printed: its appointment is left a to-do to
    phone the patient."""
    if session is not None:
        require(session, Tool.POST_ROOM)
    by = session.username if session is not None else "command line"
    queue_unopened(uow, clock, hours, working_days)
    now = clock.now()
    with uow:
        waiting = in_time(uow, uow.post_room.waiting(), now, working_days)
        ready = [item for item in waiting if item.problem is None]
        if not ready:
            uow.commit()
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
