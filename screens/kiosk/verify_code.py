"""The one-time code page: registration proves the mobile with it, sign-in finishes with it."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from screens.common.text import Plain, PlainButton

from domain.errors import DomainError
from domain.identity.my_details import MyDetails
from domain.identity.session import PatientSession
from domain.language import N_, _
from screens.kiosk.flow import FormPage, RegistrationDraft
from screens.kiosk.services import PortalServices, Ticket
from screens.common.widgets import Field


class CodePage(FormPage):
    """Six digits, a way to ask for a new code, and the wrong tries counted by the rules."""

    TITLE_TEXT = N_("Check your phone")

    def __init__(self, services: PortalServices, ticket: str, masked_mobile: str) -> None:
        super().__init__(services)
        self.ticket = ticket
        """The opaque id of the registration or sign-in waiting for this code."""
        self.masked_mobile = masked_mobile
        """Where the code went, as much as a shared screen may show."""

    def compose_fields(self) -> ComposeResult:
        yield Plain(_("We have sent a text message with a security code to {mobile}, the mobile number on your "
                      "hospital record. The code lasts 10 minutes.").format(mobile=self.masked_mobile),
                    id="sent-note", classes="lede")
        yield Field(_("Security code"), hint=_("6 digits"), id="code", secret=True, restrict=r"[0-9]*", max_length=6)
        yield PlainButton(_("Send a new code"), id="resend")

    def on_continue(self) -> None:
        code = self.field("code").value
        if len(code) != 6:
            self.field("code").show_error(_("Enter the 6-digit code from the text message."))
            return
        self.busy(True)
        self.check(code)

    @on(PlainButton.Pressed, "#resend")
    def ask_again(self) -> None:
        self.query_one("#resend", PlainButton).disabled = True
        self.resend()

    @work(thread=True, exclusive=True, group="resend")
    def resend(self) -> None:
        try:
            ticket = self.send_again()
        except DomainError as error:
            self.failed(error)
        else:
            self.app.call_from_thread(self.resent, ticket)
        finally:
            self.app.call_from_thread(setattr, self.query_one("#resend", PlainButton), "disabled", False)

    def resent(self, ticket: Ticket) -> None:
        self.ticket = ticket.id
        self.field("code").input.value = ""
        self.notify(_("We have sent you a new code. Any earlier code no longer works."), title=_("New code sent"))

    @work(thread=True, exclusive=True)
    def check(self, code: str) -> None:
        try:
            self.accept(code)
        except DomainError as error:
            self.failed(error)
            self.app.call_from_thread(setattr, self.field("code").input, "value", "")

    def send_again(self) -> Ticket:
        raise NotImplementedError

    def accept(self, code: str) -> None:
        """Runs in the worker thread; moves on when the code is right."""
        raise NotImplementedError


class VerifyMobileScreen(CodePage):
    """Registration: the code proves the patient holds the mobile on their record."""

    def __init__(self, services: PortalServices, draft: RegistrationDraft) -> None:
        super().__init__(services, draft.ticket, draft.masked_mobile)
        self.draft = draft
        """The registration so far."""

    def send_again(self) -> Ticket:
        ticket = self.services.resend_registration_code(self.ticket)
        self.draft.ticket = ticket.id
        return ticket

    def accept(self, code: str) -> None:
        from screens.kiosk.account import AccountScreen

        self.services.verify_registration(self.ticket, code)
        self.app.call_from_thread(self.app.push_screen, AccountScreen(self.services, self.draft))
        self.app.call_from_thread(self.busy, False)


class SignedIn(Message):
    """The patient has proved who they are: the app starts their session."""

    def __init__(self, session: PatientSession, details: MyDetails) -> None:
        super().__init__()
        self.session = session
        self.details = details


class SignInCodeScreen(CodePage):
    """Sign-in: the code to the registered mobile is the second step after the password."""

    TITLE_TEXT = N_("Check your phone to sign in")

    def send_again(self) -> Ticket:
        return self.services.resend_sign_in_code(self.ticket)

    def accept(self, code: str) -> None:
        session = self.services.finish_sign_in(self.ticket, code)
        details = self.services.my_details(session)
        self.app.call_from_thread(self.post_message, SignedIn(session, details))
