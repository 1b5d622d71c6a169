"""The post room on the real databases: waiting letters printed once into a PDF whose pages are checked with a
PDF reader (one letter a page, the address block inside a DL window, the words of the letters), a second print
finding nothing new, a letter without an address held with the reason, unopened appointment letters of paperless
patients going by post too, and a batch marked posted."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import AppointmentRow, DocumentRow, PatientRow
from data.records.letters_pdf import WINDOW_HEIGHT_MM, WINDOW_LEFT_MM, WINDOW_TOP_MM, WINDOW_WIDTH_MM, PdfLetterPrinter
from domain.clock import FixedClock
from domain.errors import AccessDenied, Refused
from domain.identity.session import StaffRole, StaffSession
from domain.records import post
from tests.conftest import FIXED_NOW
from tests.data.demo_fixtures import patient

SUPERVISOR = StaffSession(2, "supervisor.demo", StaffRole.APPOINTMENTS_SUPERVISOR, FIXED_NOW)
CLERK = StaffSession(1, "clerk.demo", StaffRole.APPOINTMENTS_CLERK, FIXED_NOW)
MM = 72 / 25.4
A4_HEIGHT_PT = 297 * MM


def _queue(engine, given: str, family: str, title: str, body: str) -> int:  # type: ignore[no-untyped-def]
    who = patient(engine, given, family)
    with Session(engine) as s:
        row = DocumentRow(patient_id=who.id, trust_code=who.trust_code, kind="appointment_confirmation", title=title,
                          written_at=FIXED_NOW - timedelta(hours=1), content_type="text/markdown",
                          size_bytes=len(body), body_markdown=body, post_status="queued")
        s.add(row)
        s.commit()
        return row.id


def _unopened_appointment_letter(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A paperless patient's appointment letter, three days old and unread, for an appointment to come."""
    with Session(engine) as s:
        appointment = s.scalars(select(AppointmentRow).where(AppointmentRow.status == "booked",
                                                             AppointmentRow.starts_at > FIXED_NOW + timedelta(days=3))
                                .order_by(AppointmentRow.id)).first()
        s.get(PatientRow, appointment.patient_id).letter_preference = "paperless"
        row = DocumentRow(patient_id=appointment.patient_id, trust_code=appointment.trust_code,
                          kind="appointment_confirmation", title="Your appointment", appointment_id=appointment.id,
                          written_at=FIXED_NOW - timedelta(days=3), content_type="text/markdown", size_bytes=10,
                          body_markdown="Please come to your appointment.")
        s.add(row)
        s.commit()
        return row.id, appointment.patient_id


def _saver(folder: Path):  # type: ignore[no-untyped-def]
    def save(name: str, content: bytes) -> str:
        path = folder / name
        path.write_bytes(content)
        return str(path)
    return save


def _words_and_places(page) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """(text, mm from the left, mm from the top) of each piece of text on the page."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            found.append((text.strip(), tm[4] / MM, (A4_HEIGHT_PT - tm[5]) / MM))
    page.extract_text(visitor_text=visit)
    return found


def test_a_batch_prints_once_with_each_address_in_the_window(uow, demo_engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(FIXED_NOW)
    first = _queue(demo_engine, "Margaret", "Thompson", "Your appointment has changed",
                   "## What changed\n\nYour appointment is now on **Tuesday**.\n\n- bring your letter")
    second = _queue(demo_engine, "Sandeep", "Gill", "Your appointment is cancelled", "We have cancelled it.")
    gill, nowhere = patient(demo_engine, "Sandeep", "Gill"), patient(demo_engine, "Eileen", "Doherty")
    with Session(demo_engine) as s:
        s.get(PatientRow, gill.id).address_lines = "Flat 2, Żółta House\n9 Marlowes\nHemel Hempstead"
        s.get(PatientRow, nowhere.id).address_lines = None
        s.commit()
    held = _queue(demo_engine, "Eileen", "Doherty", "Your appointment", "No address yet.")
    letter, paperless = _unopened_appointment_letter(demo_engine)

    printed = post.print_batch(uow(), clock, SUPERVISOR, PdfLetterPrinter(), _saver(tmp_path))
    assert printed is not None
    batch, items = printed
    assert {first, second, letter} <= {i.document_id for i in items}  # the unopened one went by post too
    assert held not in {i.document_id for i in items}
    reader = PdfReader(io.BytesIO(Path(batch.file_name).read_bytes()))
    assert len(reader.pages) == len(items) == batch.letters  # one page each: none of these runs over
    pages = {i.document_id: reader.pages[n] for n, i in enumerate(items)}
    for item in items:
        placed = _words_and_places(pages[item.document_id])
        for line in item.address_block:
            [(x, y)] = [(x, y) for text, x, y in placed if text == line]
            assert WINDOW_LEFT_MM - 0.5 <= x <= WINDOW_LEFT_MM + WINDOW_WIDTH_MM
            assert WINDOW_TOP_MM <= y <= WINDOW_TOP_MM + WINDOW_HEIGHT_MM, (line, y)
    text = pages[first].extract_text()
    assert "Your appointment is now on Tuesday." in text and "**" not in text and "• bring your letter" in text
    assert "Flat 2, Żółta House" in pages[second].extract_text()  # printed as written
    assert "also sent this letter to you by post" in pages[letter].extract_text()

    assert post.print_batch(uow(), clock, SUPERVISOR, PdfLetterPrinter(), _saver(tmp_path)) is None  # nothing new
    room = post.post_room(uow(), clock, SUPERVISOR)
    assert [(i.document_id, i.problem) for i in room.waiting if i.patient_id == nowhere.id] == [
        (held, "no postal address on the record: add it at the PAS, then print again")]
    assert all(i.problem for i in room.waiting)
    done = post.mark_posted(uow(), clock, SUPERVISOR, batch.id)
    assert done.posted_by == "supervisor.demo"
    with pytest.raises(Refused, match="not a printed batch waiting"):
        post.mark_posted(uow(), clock, SUPERVISOR, batch.id)
    with Session(demo_engine) as s:
        assert {s.get(DocumentRow, i).post_status for i in (first, second, letter)} == {"posted"}
        assert "also sent this letter to you by post" in s.get(DocumentRow, letter).body_markdown
        assert s.get(PatientRow, paperless).letter_preference == "paperless"


def test_a_read_or_past_appointment_letter_stays_online_and_a_clerk_has_no_post_room(uow, demo_engine) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(FIXED_NOW)
    post.queue_unopened(uow(), clock)  # the demo's own unopened letters first
    letter, _ = _unopened_appointment_letter(demo_engine)
    with Session(demo_engine) as s:
        s.get(DocumentRow, letter).read_at = FIXED_NOW - timedelta(days=1)
        s.commit()
    assert post.queue_unopened(uow(), clock) == 0
    with Session(demo_engine) as s:
        s.get(DocumentRow, letter).read_at = None
        s.commit()
    assert post.queue_unopened(uow(), clock, hours=24 * 4) == 0  # not yet four days old
    assert post.queue_unopened(uow(), clock) == 1
    assert post.queue_unopened(uow(), clock) == 0  # queued once
    with pytest.raises(AccessDenied, match="for Appointments supervisors"):
        post.post_room(uow(), clock, CLERK)
