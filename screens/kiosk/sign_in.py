"""Sign in: email address and password, then a code to the registered mobile."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult

from domain.errors import DomainError, SystemBusy
from domain.identifiers import EmailAddress
from domain.identity.sign_in import AddressLocked
from domain.language import N_, _
from screens.common.text import PlainButton
from screens.kiosk.flow import FormPage
from screens.kiosk.services import Ticket
from screens.kiosk.unlock import AddressReopened, UnlockScreen
from screens.kiosk.verify_code import SignInCodeScreen
from screens.common.widgets import ErrorSummary, Field


class SignInScreen(FormPage):
    """The same words for an unknown email and a wrong password: no one learns who has an account."""

    TITLE_TEXT = N_("Sign in")
    LEDE = N_("Use the email address and password you registered with.")

    def compose_fields(self) -> ComposeResult:
        yield Field(_("Email address"), id="email", max_length=254)
        yield Field(_("Password"), id="password", password=True, max_length=128)

    def on_continue(self) -> None:
        email = self.parsed("email", EmailAddress.parse)
        password = self.field("password").value
        if not password:
            self.field("password").show_error(_("Enter your password."))
        if email and password:
            self.busy(True)
            self.sign_in(email, password)

    @work(thread=True, exclusive=True)
    def sign_in(self, email: EmailAddress, password: str) -> None:
        try:
            ticket = self.services.sign_in(email, password)
        except DomainError as error:
            self.app.call_from_thread(self.refused, error)
            return
        self.app.call_from_thread(self.code_sent, ticket)

    def refused(self, error: DomainError) -> None:
        self.show_problem(str(error))
        if self.is_shown and not isinstance(error, SystemBusy):
            self.field("password").input.value = ""  # a wrong password is typed again; a busy system kept it
        if self.is_shown and isinstance(error, AddressLocked) and not self.query("#unlock"):
            # Its owner may reopen it: the words say so, and the way is right under them.
            self.query_one(".page").mount(PlainButton(_("Reopen with a code to my phone"), id="unlock"),
                                          after="#summary")

    @on(PlainButton.Pressed, "#unlock")
    def unlock(self) -> None:
        self.app.push_screen(UnlockScreen(self.services, self.field("email").value.strip()))

    def on_address_reopened(self, event: AddressReopened) -> None:
        """Back from reopening the address: the lock's words and the way to reopen it go, the password is next."""
        self.query_one(ErrorSummary).hide()
        self.query("#unlock").remove()
        self.field("password").input.focus()
        self.app.notify(_("Signing in with {email} is open again. Sign in with your password.").format(
            email=event.email.normalized), title=_("Reopened"), timeout=15)

    def code_sent(self, ticket: Ticket) -> None:
        if not self.is_shown:
            return
        self.busy(False)
        self.field("password").input.value = ""
        self.app.push_screen(SignInCodeScreen(self.services, ticket.id, ticket.masked_mobile))
