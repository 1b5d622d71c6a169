"""The support inbox: problem reports, oldest first, by where they stand; open one, reply (it goes by text and
shows at the kiosk), or mark it waiting or closed. Every reply and change is kept and audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal

from domain.formatting import nhs_datetime, table_datetime
from domain.identity.session import StaffSession
from domain.support.reports import REPLY_LIMIT, ProblemReport, ReportStatus
from screens.common.table import PlainTable
from screens.common.text import Plain, PlainButton
from screens.common.widgets import ErrorSummary, Field
from screens.desk.page import DeskPage, clip


class SupportInbox(Protocol):
    def inbox(self, staff: StaffSession, status: ReportStatus | None) -> list[ProblemReport]: ...

    def open_report(self, staff: StaffSession, reference: str) -> ProblemReport: ...

    def reply(self, staff: StaffSession, reference: str, body: str) -> ProblemReport: ...

    def set_status(self, staff: StaffSession, reference: str, status: ReportStatus) -> ProblemReport: ...


class _SupportPage(DeskPage):
    def __init__(self, support: SupportInbox, session: StaffSession) -> None:
        super().__init__(session)
        self.support = support


class SupportInboxScreen(_SupportPage):
    """New and waiting reports first (the default view); the buttons show the others."""

    def __init__(self, support: SupportInbox, session: StaffSession) -> None:
        super().__init__(support, session)
        self.status: ReportStatus | None = ReportStatus.NEW
        self.reports: list[ProblemReport] = []

    TITLE_TEXT = "Support inbox"

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="page-buttons filter-buttons"):
            for status in ReportStatus:
                yield PlainButton(status.label, id=f"show-{status.value}", compact=True)
            yield PlainButton("All", id="show-all", compact=True)
        yield Plain("", id="inbox-count", classes="lede")
        yield PlainTable(id="reports", cursor_type="row", zebra_stripes=False)
        yield PlainButton("Back", id="back")

    def on_mount(self) -> None:
        self.query_one("#reports", PlainTable).add_columns("Reference", "Received", "Status", "Place",
                                                          "What happened")
        self.load()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.load()

    @on(PlainButton.Pressed, ".filter-buttons PlainButton")
    def filter(self, event: PlainButton.Pressed) -> None:
        name = (event.button.id or "").removeprefix("show-")
        self.status = None if name == "all" else ReportStatus(name)
        self.load()

    def load(self) -> None:
        status = self.status
        self.in_background(lambda: self.support.inbox(self.session, status), self._show, "inbox")

    def _show(self, found: list[ProblemReport]) -> None:
        self.reports = found
        table = self.query_one("#reports", PlainTable)
        table.clear()
        for r in found:
            table.add_row(r.reference, table_datetime(r.created_at), r.status.label, r.captured.place,
                          clip(r.happened, 40), key=r.reference)
        which = self.status.label.lower() if self.status else "in all"
        self.query_one("#inbox-count", Plain).update(
            f"{len(found)} {'report' if len(found) == 1 else 'reports'} {which}, oldest first. Choose one to open it."
            if found else f"No reports {which}.")
        if found:
            table.focus()

    @on(PlainTable.RowSelected, "#reports")
    def open_report(self, event: PlainTable.RowSelected) -> None:
        reference = str(event.row_key.value)
        self.in_background(lambda: self.support.open_report(self.session, reference),
                           lambda report: self.app.push_screen(SupportReportScreen(self.support, self.session, report)),
                           "open")


class SupportReportScreen(_SupportPage):
    """One report: what the person wrote (as written), what was captured, the replies, and the reply box."""

    AUTO_FOCUS = "#reply-input"

    def __init__(self, support: SupportInbox, session: StaffSession, report: ProblemReport) -> None:
        super().__init__(support, session)
        self.report = report

    def title_text(self) -> str:
        return f"Problem report {self.report.reference}"

    def compose_body(self) -> ComposeResult:
        r = self.report
        yield Plain(("Status: ", "bold"), r.status.label, "  ·  ", ("Received: ", "bold"),
                    nhs_datetime(r.created_at), "  ·  ", ("Reply: ", "bold"),
                    f"by text to {r.masked_mobile}" if r.masked_mobile else "no reply asked for",
                    id="report-status")
        yield Plain(("Trying to: ", "bold"), r.tried, classes="lede")
        yield Plain(("What happened: ", "bold"), r.happened, classes="lede", id="report-happened")
        for label, value in r.captured.lines():
            yield Plain((f"{label}: ", "bold"), value, classes="captured")
        yield Plain(("Terminal: ", "bold"), r.terminal, classes="captured")
        for reply in r.replies:
            yield Plain((f"Reply by {reply.by}, {nhs_datetime(reply.at)}: ", "bold"), reply.body,
                        classes="lede reply-body")
        yield Field("Your reply", hint=f"Plain words, at most {REPLY_LIMIT} characters. It goes by text: "
                    "write no clinical details.", id="reply", max_length=REPLY_LIMIT)
        with Horizontal(classes="page-buttons"):
            yield PlainButton("Send reply", id="send-reply", variant="primary")
            yield PlainButton("Mark waiting", id="mark-waiting")
            yield PlainButton("Close", id="mark-closed")
            yield PlainButton("Back", id="back")

    @on(PlainButton.Pressed, "#send-reply")
    def send_reply(self) -> None:
        self.query_one(ErrorSummary).hide()
        body = self.query_one("#reply", Field).value
        self.query_one("#send-reply", PlainButton).disabled = True
        self._act(lambda: self.support.reply(self.session, self.report.reference, body),
                  "Reply sent" + (" by text." if self.report.reply_to else " (shown at the kiosk)."))

    @on(PlainButton.Pressed, "#mark-waiting")
    def mark_waiting(self) -> None:
        self._act(lambda: self.support.set_status(self.session, self.report.reference, ReportStatus.WAITING),
                  "Marked waiting.")

    @on(PlainButton.Pressed, "#mark-closed")
    def mark_closed(self) -> None:
        self._act(lambda: self.support.set_status(self.session, self.report.reference, ReportStatus.CLOSED),
                  "Closed.")

    def _act(self, change: Callable[[], object], said: str) -> None:
        def changed() -> ProblemReport:
            change()
            return self.support.open_report(self.session, self.report.reference)

        self.in_background(changed, lambda report: self._changed(report, said), "act")

    async def _changed(self, report: ProblemReport, said: str) -> None:
        self.report = report
        await self.recompose()
        self.app.notify(said, title=report.reference)
