"""A desk page: who is signed in on top, the page's title and problem box, its body, the footer; Esc (and a
Back button) go back; a use case runs off the screen's thread and its refusal lands in the problem box."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen

from domain.errors import DomainError
from domain.identity.session import StaffSession
from screens.common.text import Footer, Plain, PlainButton
from screens.common.widgets import ErrorSummary, StaffBanner

T = TypeVar("T")


def clip(text: str, width: int) -> str:
    """One line of at most `width` characters, for a table cell: white space folded, an ellipsis if cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


class DeskPage(Screen[Any]):
    BINDINGS = [Binding("escape", "back", "Back", key_display="Esc")]
    TITLE_TEXT = ""

    def __init__(self, session: StaffSession) -> None:
        super().__init__()
        self.session = session
        """Who is signed in."""

    def compose(self) -> ComposeResult:
        yield StaffBanner(self.session)
        with VerticalScroll(classes="page"):
            yield Plain(self.title_text(), classes="page-title")
            yield ErrorSummary(id="summary")
            yield from self.compose_body()
        yield Footer()

    def title_text(self) -> str:
        return self.TITLE_TEXT

    def compose_body(self) -> ComposeResult:
        yield from ()

    def action_back(self) -> None:
        self.dismiss()

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.action_back()

    def problem(self, error: DomainError | str) -> None:
        """A refusal at the top of the page, read first; every button can be pressed again."""
        if self.is_attached:
            self.query_one(ErrorSummary).show(str(error))
            self.query_one(".page").scroll_home(animate=False)
            for button in self.query(PlainButton):
                button.disabled = False

    def in_background(self, job: Callable[[], T], then: Callable[[T], Any], group: str) -> None:
        """Run `job` in a thread worker (the newest of its group wins); `then` gets its answer on the screen's
        thread, or the problem box its refusal."""
        def run() -> None:
            try:
                answer = job()
            except DomainError as error:
                self.app.call_from_thread(self.problem, error)
                return
            self.app.call_from_thread(then, answer)

        self.run_worker(run, thread=True, exclusive=True, group=group)
