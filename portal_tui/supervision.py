"""The supervisor's tools bound to the database, the clock and the staff second factor (screens/desk/tools.py's
SupervisorTools): the audit trail, the text outbox and staff accounts."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domain.identity.session import StaffRole, StaffSession
from domain.messaging.model import SmsStatus
from domain.ports import Clock
from domain.records import post
from domain.records.post import Batch, PostItem, PostRoom
from domain.staff import supervision
from domain.staff.accounts import Enrolment, StaffAccount
from domain.staff.supervision import AuditPage, AuditQuery, AuditRow, Outbox, StaffParts, TextView, Tool
from domain.errors import Refused
from portal_tui.settings import Settings


def save_private(folder: Path, name: str, content: bytes) -> Path:
    """A file only its owner can read, in a folder only its owner can open; Refused, in words, if it cannot."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / name
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
    except OSError as error:
        raise Refused(f"The file could not be written to {folder}: {error.strerror or error}. Ask a system "
                      "administrator to check the export_folder setting.") from None
    return path


def print_letters(uow: Any, clock: Clock, session: StaffSession | None,
                  settings: Settings) -> tuple[Batch, list[PostItem]] | None:
    """Every letter waiting for paper into one batch and one owner-only PDF in the export folder (the desk's
    post room, or `portal-tui letters print` with its own folder and no member of staff signed in)."""
    from data.records.letters_pdf import PdfLetterPrinter

    folder = Path(settings.export_folder)
    return post.print_batch(uow, clock, session, PdfLetterPrinter(),
                            lambda name, content: str(save_private(folder, name, content)),
                            settings.paper_fallback_hours, settings.post_working_days)


class SupervisionServices:
    def __init__(self, settings: Settings, clock: Clock, uow: Callable[..., Any],
                 staff_parts: Callable[[], tuple[Any, Any, Any, Any]]) -> None:
        self.settings = settings
        self.clock = clock
        self._uow = uow
        self._staff_parts = staff_parts

    def may_use(self, session: StaffSession, tool: Tool) -> bool:
        return supervision.may_use(session, tool)

    def require(self, session: StaffSession, tool: Tool) -> None:
        supervision.require(session, tool)

    # --- the audit trail --------------------------------------------------------------------------------------

    def audit_query(self, session: StaffSession, *, patient: str = "", staff: str = "", action: str = "",
                    since: str = "", until: str = "") -> AuditQuery:
        supervision.require(session, Tool.AUDIT)
        return supervision.parse_audit_query(self._uow(read_only=True), patient=patient, staff=staff, action=action,
                                             since=since, until=until)

    def audit_page(self, session: StaffSession, query: AuditQuery) -> AuditPage:
        return supervision.audit_page(self._uow(), self.clock, session, query)

    def audit_entry(self, session: StaffSession, entry_id: int) -> AuditRow:
        return supervision.audit_entry(self._uow(), self.clock, session, entry_id)

    def export_audit(self, session: StaffSession, query: AuditQuery) -> tuple[Path, int]:
        """The filtered entries as a CSV file in the export folder (owner-only); its path and its rows."""
        text, rows = supervision.audit_csv(self._uow(), self.clock, session, query)
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%SZ")
        path = save_private(Path(self.settings.export_folder), f"audit-{session.username}-{stamp}.csv",
                            text.encode("utf-8"))
        return path, rows

    # --- the post room ----------------------------------------------------------------------------------------

    def post_room(self, session: StaffSession) -> PostRoom:
        return post.post_room(self._uow(), self.clock, session, self.settings.paper_fallback_hours,
                              self.settings.post_working_days)

    def print_letters(self, session: StaffSession) -> tuple[Batch, list[PostItem]] | None:
        return print_letters(self._uow(), self.clock, session, self.settings)

    def mark_posted(self, session: StaffSession, batch_id: int) -> Batch:
        return post.mark_posted(self._uow(), self.clock, session, batch_id)

    # --- texts ------------------------------------------------------------------------------------------------

    def outbox(self, session: StaffSession, status: SmsStatus | None) -> Outbox:
        return supervision.outbox(self._uow(), self.clock, session, status)

    def retry_text(self, session: StaffSession, message_id: str) -> TextView:
        return supervision.retry_text(self._uow(), self.clock, session, message_id)

    def send_failed_again(self, session: StaffSession) -> tuple[int, int]:
        return supervision.send_failed_again(self._uow(), self.clock, session)

    def settle_held(self, session: StaffSession, ids: tuple[str, ...] | None, release: bool) -> int:
        return supervision.settle_held(self._uow(), self.clock, session, ids, release)

    # --- staff accounts ---------------------------------------------------------------------------------------

    def staff_members(self, session: StaffSession) -> list[StaffAccount]:
        return supervision.staff_members(self._uow(), self.clock, session)

    def add_staff(self, session: StaffSession, username: str, display_name: str, role: StaffRole,
                  password: str) -> Enrolment:
        return supervision.add_member(self._uow(), self.clock, self._parts(), session, username, display_name, role,
                                      password)

    def reset_staff(self, session: StaffSession, username: str, password: str) -> Enrolment:
        return supervision.reset_member(self._uow(), self.clock, self._parts(), session, username, password)

    def disable_staff(self, session: StaffSession, username: str) -> None:
        supervision.disable_member(self._uow(), self.clock, session, username)

    def _parts(self) -> StaffParts:
        hasher, factor, box, _ = self._staff_parts()
        return StaffParts(hasher, factor, box)
