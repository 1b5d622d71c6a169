"""What every signed-in page shares: the patient banner, a title, a problem box, Esc for back, and a way to call
a use case off the screen's thread with the rule's own words on screen when it says no."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from screens.common.text import Footer, Plain, PlainButton

from domain.errors import DomainError
from domain.language import N_, _
from domain.identity.my_details import MyDetails
from domain.identity.session import StaffSession
from screens.common.services import RecordServices
from screens.common.widgets import ActingBanner, ErrorSummary, PatientBanner

T = TypeVar("T")


@dataclass(frozen=True)
class PatientContext:
    """Whose record, the use cases bound to it, and who acts: the patient (kiosk) or staff (desk)."""

    record: RecordServices
    details: MyDetails
    staff: StaffSession | None = None
    """At the desk: the member of staff acting for the patient. The pages say so and offer what staff may do."""

    @property
    def at_desk(self) -> bool:
        return self.staff is not None

    def words(self, patient: str, staff: str) -> str:
        """The patient's words at the kiosk ("Your appointments"), the desk's at the desk ("Appointments")."""
        return staff if self.staff is not None else patient


def banner(ctx: PatientContext) -> Horizontal:
    """Whose record it is: at the kiosk the patient's name (NHS number masked); at the desk who is acting for whom."""
    d = ctx.details
    if ctx.staff is not None:
        return ActingBanner(ctx.staff, d)
    return PatientBanner(d.full_name, d.nhs_number, d.masked_nhs_number)


def answer_row(label: str, value: str, *, id: str | None = None) -> Horizontal:
    """A label in bold and its value, as on a check-your-answers page."""
    return Horizontal(Plain(label, classes="answer-label"), Plain(value, classes="answer-value"),
                      classes="answer-row", id=id)


class PatientPage(Screen[Any]):
    """A signed-in page. Subclasses yield their content from `compose_body`."""

    BINDINGS = [Binding("escape", "back", N_("Back"), key_display="Esc")]

    TITLE_TEXT = ""
    FIXED_LAYOUT = False
    """True for a page whose words stay in view while one list or table in it scrolls (height 1fr)."""

    def __init__(self, ctx: PatientContext) -> None:
        super().__init__()
        self.ctx = ctx
        """The signed-in patient and the use cases."""

    @property
    def record(self) -> RecordServices:
        """The use cases on this patient's record."""
        return self.ctx.record

    def compose(self) -> ComposeResult:
        yield banner(self.ctx)
        with (Vertical if self.FIXED_LAYOUT else VerticalScroll)(classes="page"):
            yield Plain(self.title_text(), classes="page-title", id="page-title")
            yield ErrorSummary(id="summary")
            yield from self.compose_body()
        yield Footer()

    def title_text(self) -> str:
        return _(self.TITLE_TEXT) if self.TITLE_TEXT else ""

    def compose_body(self) -> ComposeResult:
        yield from ()

    def action_back(self) -> None:
        self.dismiss()

    def show_problem(self, message: str) -> None:
        """A problem with the whole page, at its top, read first."""
        if not self.is_shown:
            return
        self.query_one(ErrorSummary).show(message)
        self.query_one(".page").scroll_home(animate=False)
        self.busy(False)

    def hide_problem(self) -> None:
        self.query_one(ErrorSummary).hide()

    def busy(self, waiting: bool) -> None:
        """While a use case runs, the page's buttons cannot be pressed again."""
        if not self.is_shown:
            return
        for button in self.query(PlainButton):
            button.disabled = waiting

    def call(self, use_case: Callable[[], T], then: Callable[[T], None],
             refused: Callable[[DomainError], None] | None = None) -> None:
        """Run `use_case` in a thread; `then` gets its result on screen, a refusal shows its words."""
        self.hide_problem()
        self.busy(True)
        self._run(use_case, then, refused)

    @work(thread=True, exclusive=True, group="use-case")
    def _run(self, use_case: Callable[[], Any], then: Callable[[Any], None],
             refused: Callable[[DomainError], None] | None) -> None:
        try:
            result = use_case()
        except DomainError as error:
            self.app.call_from_thread(refused or self._refused, error)
            return
        self.app.call_from_thread(self._done, then, result)

    def _refused(self, error: DomainError) -> None:
        self.show_problem(str(error))

    @property
    def is_shown(self) -> bool:
        """Still on the app's stack: a worker's answer may be put on it."""
        return self.is_attached and self in self.app.screen_stack

    async def _done(self, then: Callable[[Any], Any], result: Any) -> None:
        if not self.is_shown:
            return  # the patient went back (or the session ended) while it ran
        self.busy(False)
        outcome = then(result)
        if inspect.isawaitable(outcome):  # a page that recomposes itself
            await outcome
