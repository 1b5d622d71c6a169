"""The page after an unexpected failure: sorry, a reference to quote, and the way back. Never a traceback."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical

from domain.language import _
from screens.common.session_end import SessionEndedScreen
from screens.common.text import Plain, PlainButton


class FaultScreen(SessionEndedScreen):
    """Says what happened in a person's words; goes back to the start on a key press or by itself."""

    RETURN_AFTER = 30

    def __init__(self, reference: str, where_now: str, help_line: str) -> None:
        super().__init__(where_now)
        self.reference = reference
        """The fault's reference, as the log has it."""
        self.help_line = help_line
        """Whom to tell."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Plain(_("Sorry, something went wrong"), classes="page-title")
            yield Plain(_(self.reason) + " " + _("Anything you had already saved is kept."), classes="lede")
            yield Plain(_("Reference: {reference}").format(reference=self.reference), classes="lede",
                        id="fault-reference")
            yield Plain(_(self.help_line), classes="lede")
            yield PlainButton(_("Back to the start"), id="done", variant="primary")
            yield PlainButton(_("Report this problem"), id="report-problem")

    @on(PlainButton.Pressed, "#report-problem")
    def report_problem(self) -> None:
        """The report form over this page, with the fault's reference already in what is sent."""
        self.app.action_report_problem(self.reference)  # type: ignore[attr-defined]
