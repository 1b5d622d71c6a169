"""Staff sign in at the desk: username, password and the 6-digit code from the authenticator app."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.message import Message

from domain.errors import DomainError
from domain.identity.session import StaffSession
from screens.kiosk.flow import FormPage
from screens.common.widgets import ErrorSummary, Field


class StaffSignedIn(Message):
    """The desk app opens Find a patient for this session."""

    def __init__(self, session: StaffSession) -> None:
        super().__init__()
        self.session = session


class StaffSignInScreen(FormPage):
    """One answer for any of the three wrong: no one learns which usernames exist."""

    TITLE_TEXT = "Staff sign in"
    LEDE = "The Appointments team's desk. Sign in with your username, password and the code from your app."
    CONTINUE = "Sign in"

    def compose_fields(self) -> ComposeResult:
        yield Field("Username", id="username", max_length=40)
        yield Field("Password", id="password", password=True, max_length=128)
        yield Field("Code from your authenticator app", hint="6 digits", id="code", restrict=r"[0-9 ]*",
                    max_length=7)

    def action_back(self) -> None:
        """The first page: nothing to go back to (Ctrl+Q leaves the desk)."""

    def on_continue(self) -> None:
        answers = {name: self.field(name).value for name in ("username", "password", "code")}
        for name, words in (("username", "Enter your username."), ("password", "Enter your password."),
                            ("code", "Enter the 6-digit code from your authenticator app.")):
            if not answers[name].strip():
                self.field(name).show_error(words)
        if all(value.strip() for value in answers.values()):
            self.busy(True)
            self.sign_in(answers["username"], answers["password"], answers["code"])

    @work(thread=True, exclusive=True)
    def sign_in(self, username: str, password: str, code: str) -> None:
        try:
            session = self.services.sign_in(username, password, code)  # type: ignore[attr-defined]
        except DomainError as error:
            self.app.call_from_thread(self.refused, error)
            return
        self.app.call_from_thread(self._signed_in, session)

    def _signed_in(self, session: StaffSession) -> None:
        for name in ("password", "code"):  # nothing secret stays behind the desk's pages
            self.field(name).input.value = ""
        self.post_message(StaffSignedIn(session))

    def on_screen_resume(self) -> None:
        """Back here after a sign-out: nothing of the last person's sign-in is left on the page."""
        for name in ("username", "password", "code"):
            self.field(name).input.value = ""
        self.query_one(ErrorSummary).hide()
        self.busy(False)
        self.query_one(".page").scroll_home(animate=False)
        self.field("username").input.focus()

    def refused(self, error: DomainError) -> None:
        self.show_problem(str(error))
        if self.is_shown:
            self.field("password").input.value = ""
            self.field("code").input.value = ""
            self.field("password").input.focus()
