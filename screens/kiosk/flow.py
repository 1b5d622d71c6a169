"""What the registration and sign-in pages share: the answers so far, and a page of fields that calls a use case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input
from screens.common.text import Footer, Plain, PlainButton

from domain.errors import DomainError, InvalidValue
from domain.language import N_, _
from domain.identity.patients import LetterPreference
from screens.common.widgets import ErrorSummary, Field, OpensAtItsTop

if TYPE_CHECKING:  # the desk's sign-in page is a FormPage too: it loads nothing of the kiosk's use cases
    from screens.kiosk.services import PortalServices


T = TypeVar("T")


@dataclass
class RegistrationDraft:
    """The answers a patient has given so far. It lives only in these screens, and dies with them."""

    ticket: str = ""
    masked_mobile: str = ""
    email: str = ""
    password: str = ""
    preference: LetterPreference | None = None


class FlowDone(Message):
    """A flow has finished: drop its pages, then show `then` (if any) over the welcome screen."""

    def __init__(self, then: Screen[None] | None = None) -> None:
        super().__init__()
        self.then = then


class FormPage(OpensAtItsTop, Screen[None]):
    """A page with a title, some fields, Continue and Back. Subclasses say what Continue does."""

    BINDINGS = [Binding("escape", "back", N_("Back"), key_display="Esc")]
    # Focus once, Textual's way, when the page is shown: a second focus from on_mount raced with keys
    # typed the moment the page appeared, and the next field got them.
    AUTO_FOCUS = "Input, RadioSet, #continue"

    TITLE_TEXT = ""
    LEDE = ""
    CONTINUE = N_("Continue")
    """Each named with N_ and shown with _, in the screen's language."""

    def __init__(self, services: PortalServices) -> None:
        super().__init__()
        self.services = services
        """The portal's use cases."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page"):
            yield Plain(_(self.TITLE_TEXT), classes="page-title")
            yield ErrorSummary(id="summary")
            if self.LEDE:
                yield Plain(_(self.LEDE), classes="lede")
            yield from self.compose_fields()
            with Horizontal(classes="page-buttons"):
                yield PlainButton(_(self.CONTINUE), id="continue", variant="primary")
                yield PlainButton(_("Back"), id="back")
        yield Footer()

    def compose_fields(self) -> ComposeResult:
        """The questions on this page."""
        yield from ()

    @on(PlainButton.Pressed, "#continue")
    @on(Input.Submitted)
    def submit(self) -> None:
        self.query_one(ErrorSummary).hide()
        for field in self.query(Field):
            field.clear_error()
        self.on_continue()

    @on(PlainButton.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss()

    def on_continue(self) -> None:
        """Check the answers on screen, then call the use case (in a worker)."""

    def show_problem(self, message: str) -> None:
        """A problem with the whole page, at its top; Continue can be pressed again."""
        if not self.is_shown:
            return  # left (Esc) while the use case ran: its answer has no page to go on
        self.query_one(ErrorSummary).show(message)
        self.query_one(".page").scroll_home(animate=False)  # read first, however small the screen
        self.busy(False)

    @property
    def is_shown(self) -> bool:
        """Still on the app's stack: a worker's answer may be put on it."""
        return self.is_attached and self in self.app.screen_stack

    def busy(self, waiting: bool) -> None:
        """While a use case runs, Continue says so and cannot be pressed twice."""
        if not self.is_shown:
            return
        button = self.query_one("#continue", PlainButton)
        button.disabled = waiting
        button.label = _("Please wait…") if waiting else _(self.CONTINUE)

    def field(self, name: str) -> Field:
        return self.query_one(f"#{name}", Field)

    def parsed(self, name: str, parse: Callable[[str], T]) -> T | None:
        """The field's value parsed by a domain rule, or None with the rule's words beside the field."""
        try:
            return parse(self.field(name).value)
        except InvalidValue as error:
            self.field(name).show_error(str(error))
            return None

    def failed(self, error: DomainError) -> None:
        """From a worker thread: show the rule's own words."""
        self.app.call_from_thread(self.show_problem, str(error))
