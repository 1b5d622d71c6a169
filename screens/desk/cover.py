"""The cover over an idle desk: nothing of the patient shows until the same person types their password again;
anyone else signs them out first."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input

from domain.errors import DomainError
from domain.identity.session import StaffSession
from screens.desk.services import DeskServices
from screens.common.text import Plain, PlainButton
from screens.common.widgets import ErrorSummary, Field


class SignOutStaff(Message):
    """The desk app ends the staff session and drops every screen of it."""


class DeskCoverScreen(Screen[None]):
    """Dismissed only by the right password; Sign out ends the session instead."""

    AUTO_FOCUS = "#password-input"

    def __init__(self, services: DeskServices, session: StaffSession) -> None:
        super().__init__()
        self.services = services
        """The desk's use cases."""
        self.session = session
        """Whose desk this is."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Plain("This desk is locked", classes="page-title")
            yield ErrorSummary(id="summary")
            yield Plain(f"Nothing of any patient is shown while it is locked. {self.session.username}, "
                        "type your password to go on. Anyone else: sign them out first.", classes="lede")
            yield Field("Password", id="password", password=True, max_length=128)
            with Horizontal(classes="page-buttons"):
                yield PlainButton("Unlock", id="unlock", variant="primary")
                yield PlainButton("Sign out", id="sign-out")

    def action_back(self) -> None:
        """Esc does not uncover the desk."""

    @on(PlainButton.Pressed, "#unlock")
    @on(Input.Submitted, "#password-input")
    def unlock(self) -> None:
        self.query_one(ErrorSummary).hide()
        password = self.query_one("#password", Field).value
        self.query_one("#password-input", Input).value = ""
        if password:
            self._check(password)

    @on(PlainButton.Pressed, "#sign-out")
    def sign_out(self) -> None:
        self.post_message(SignOutStaff())

    @work(thread=True, exclusive=True)
    def _check(self, password: str) -> None:
        try:
            self.services.unlock(self.session, password)
        except DomainError as error:
            self.app.call_from_thread(self.query_one(ErrorSummary).show, str(error))
            return
        self.app.call_from_thread(self.dismiss)
