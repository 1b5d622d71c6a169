"""Reopen a locked address: its owner asks for a code to the mobile on their record and types it in. A stranger
who locked it gets nowhere (the code goes to the owner's phone), and the pages say the same whether or not the
address has an account."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.message import Message

from domain.errors import DomainError
from domain.identifiers import EmailAddress
from domain.language import N_, _
from screens.common.text import Plain, PlainButton
from screens.common.widgets import Field
from screens.kiosk.flow import FormPage
from screens.kiosk.services import PortalServices, Ticket
from screens.kiosk.verify_code import CodePage


class UnlockScreen(FormPage):
    """The address to reopen (the one just refused, already filled in)."""

    TITLE_TEXT = N_("Reopen signing in")
    LEDE = N_("If the email address has an account, we will send a security code to the mobile number on its "
              "hospital record.")
    CONTINUE = N_("Send the code")

    def __init__(self, services: PortalServices, email: str = "") -> None:
        super().__init__(services)
        self.email = email
        """What was typed on the sign-in page."""
        if email:  # the address is filled in: Send the code is what comes next (the box kept, not selected)
            self.AUTO_FOCUS = "#continue"

    def compose_fields(self) -> ComposeResult:
        email = Field(_("Email address"), id="email", max_length=254)
        email.input.value = self.email
        yield email

    def on_continue(self) -> None:
        email = self.parsed("email", EmailAddress.parse)
        if email:
            self.busy(True)
            self.send(email)

    @work(thread=True, exclusive=True)
    def send(self, email: EmailAddress) -> None:
        try:
            ticket = self.services.begin_unlock(email)
        except DomainError as error:
            self.failed(error)
            return
        self.app.call_from_thread(self.sent, email, ticket)

    def sent(self, email: EmailAddress, ticket: Ticket) -> None:
        if not self.is_shown:
            return
        self.busy(False)
        self.app.push_screen(UnlockCodeScreen(self.services, ticket.id, email))


class UnlockCodeScreen(CodePage):
    """The code from the text: right, and signing in with the address is open again."""

    TITLE_TEXT = N_("Check your phone to reopen signing in")

    def __init__(self, services: PortalServices, ticket: str, email: EmailAddress) -> None:
        super().__init__(services, ticket, "")
        self.email = email
        """The address being reopened."""

    def compose_fields(self) -> ComposeResult:
        # Never where the code went: that would say the address has an account.
        yield Plain(_("If {email} has an account, we have sent a security code to the mobile number on its "
                      "hospital record. The code lasts 10 minutes.").format(email=self.email.normalized),
                    id="sent-note", classes="lede")
        yield Field(_("Security code"), hint=_("6 digits"), id="code", secret=True, restrict=r"[0-9]*", max_length=6)
        yield PlainButton(_("Send a new code"), id="resend")

    def send_again(self) -> Ticket:
        return self.services.begin_unlock(self.email)

    def accept(self, code: str) -> None:
        self.services.finish_unlock(self.ticket, code)
        self.app.call_from_thread(self.reopened)

    def reopened(self) -> None:
        """Back to the page that asked (Sign in), which is told, and says so."""
        asked = self.app.screen_stack[-3]
        self.app.pop_screen()
        self.app.pop_screen()
        asked.post_message(AddressReopened(self.email))


class AddressReopened(Message):
    """Signing in with the address is open again (the page that offered the way says so)."""

    def __init__(self, email: EmailAddress) -> None:
        super().__init__()
        self.email = email
