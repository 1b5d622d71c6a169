"""The help centre and problem reports, for the kiosk and the desk alike (screens/common/help.py's
HelpServices), and the desk's support inbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from domain.help.articles import Article
from domain.hospital import Trust, TrustCode
from domain.identity.session import PatientSession, StaffSession
from domain.ports import Clock
from domain.support import reports
from domain.support.reports import Captured, ProblemReport, ReplyBy, ReportStatus, Submitted
from portal_tui.settings import Settings


class SupportServices:
    def __init__(self, settings: Settings, clock: Clock, uow: Callable[..., Any], place: str) -> None:
        self.settings = settings
        self.clock = clock
        self._uow = uow
        self.place = place
        self._trusts: list[Trust] | None = None

    def articles(self) -> Sequence[Article]:
        from portal_tui import help as help_centre  # the fuzzy matcher loads with the help centre

        return help_centre.articles()

    def find(self, query: str) -> list[Article]:
        from portal_tui import help as help_centre

        return help_centre.find(query)

    def trusts(self) -> list[Trust]:
        """The Appointments teams' contacts, from the trusts' own data (read once)."""
        if self._trusts is None:
            with self._uow(read_only=True) as uow:
                self._trusts = [uow.trusts.get(code) for code in TrustCode]
        return self._trusts

    def submit(self, *, tried: str, happened: str, reply_by: ReplyBy, typed_mobile: str, captured: Captured,
               session: PatientSession | None) -> Submitted:
        return reports.submit(self._uow(), self.clock, tried=tried, happened=happened, reply_by=reply_by,
                              typed_mobile=typed_mobile, captured=captured, session=session,
                              terminal=self.settings.terminal, allow_drama=self.settings.allow_drama_numbers)

    def replies_for(self, reference: str) -> ProblemReport:
        return reports.replies_for_reference(self._uow(), self.clock, reference, self.settings.terminal)

    def unread_reply(self, session: PatientSession) -> ProblemReport | None:
        return reports.unread_reply(self._uow(read_only=True), self.clock, session)

    def mark_seen(self, session: PatientSession, reference: str) -> None:
        reports.mark_seen(self._uow(), self.clock, session, reference)

    # --- the desk's support inbox -----------------------------------------------------------------------------

    def inbox(self, staff: StaffSession, status: ReportStatus | None) -> list[ProblemReport]:
        return reports.inbox(self._uow(read_only=True), self.clock, staff, status)

    def open_report(self, staff: StaffSession, reference: str) -> ProblemReport:
        return reports.open_report(self._uow(read_only=True), self.clock, staff, reference)

    def reply(self, staff: StaffSession, reference: str, body: str) -> ProblemReport:
        return reports.reply(self._uow(), self.clock, staff, reference, body)

    def set_status(self, staff: StaffSession, reference: str, status: ReportStatus) -> ProblemReport:
        return reports.set_status(self._uow(), self.clock, staff, reference, status)
