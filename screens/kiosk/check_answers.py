"""Check your answers before registering: every answer on one page, each with a way to change it."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from screens.common.text import Plain, PlainButton

from domain.language import N_, _
from domain.errors import DomainError
from domain.identifiers import EmailAddress
from domain.identity.patients import LetterPreference
from domain.identity.registration import Registered
from screens.kiosk.account import AccountScreen, LetterChoiceScreen
from screens.kiosk.flow import FlowDone, FormPage, RegistrationDraft
from screens.kiosk.services import PortalServices

_LETTERS = {LetterPreference.PAPERLESS: N_("Paperless (read them in the portal)"),
            LetterPreference.PAPER: N_("Paper (posted to you, and in the portal)")}


class CheckAnswersScreen(FormPage):
    """Nothing is saved until Register is pressed."""

    TITLE_TEXT = N_("Check your answers")
    LEDE = N_("Nothing is saved until you press Register.")
    CONTINUE = N_("Register")

    def __init__(self, services: PortalServices, draft: RegistrationDraft) -> None:
        super().__init__(services)
        self.draft = draft
        """The answers to check."""

    def compose_fields(self) -> ComposeResult:
        yield self._row(_("Mobile number for security codes"), self.draft.masked_mobile, None)
        yield self._row(_("Email address"), self.draft.email, "change-email")
        yield self._row(_("Password"), "•" * 8, "change-password")
        yield self._row(_("Letters"), _(_LETTERS[self.draft.preference]) if self.draft.preference else "",
                        "change-letters")

    def _row(self, label: str, value: str, change: str | None) -> Horizontal:
        parts: list = [Plain(label, classes="answer-label"), Plain(value, classes="answer-value",
                                                                     id=f"{change}-value" if change else None)]
        if change:
            parts.append(PlainButton(_("Change"), id=change, classes="answer-change"))
        return Horizontal(*parts, classes="answer-row")

    def on_screen_resume(self) -> None:
        self.query_one("#change-email-value", Plain).update(self.draft.email)
        self.query_one("#change-letters-value", Plain).update(_(_LETTERS[self.draft.preference]))  # type: ignore[index]

    @on(PlainButton.Pressed, "#change-email")
    @on(PlainButton.Pressed, "#change-password")
    def change_account(self) -> None:
        self.app.push_screen(AccountScreen(self.services, self.draft, changing=True))

    @on(PlainButton.Pressed, "#change-letters")
    def change_letters(self) -> None:
        self.app.push_screen(LetterChoiceScreen(self.services, self.draft, changing=True))

    def on_continue(self) -> None:
        self.busy(True)
        self.register()

    @work(thread=True, exclusive=True)
    def register(self) -> None:
        draft = self.draft
        assert draft.preference is not None
        try:
            done = self.services.complete_registration(draft.ticket, EmailAddress(draft.email), draft.password,
                                                       draft.preference)
        except DomainError as error:
            self.failed(error)
            return
        draft.password = ""
        self.app.call_from_thread(self.post_message, FlowDone(RegisteredScreen(self.services, done)))


class RegisteredScreen(FormPage):
    """The confirmation: registered, which email to sign in with, and how letters will come."""

    TITLE_TEXT = N_("You are registered")
    CONTINUE = N_("Sign in now")

    def __init__(self, services: PortalServices, done: Registered) -> None:
        super().__init__(services)
        self.done = done
        """What was registered."""

    def compose_fields(self) -> ComposeResult:
        yield Plain(_("Thank you, {name}. You can now sign in to the patient portal with {email} and your "
                      "password.").format(name=self.done.given_name, email=self.done.email), classes="lede")
        yield Plain(_("Letters: {letters}.").format(letters=_(_LETTERS[self.done.letter_preference])),
                    classes="lede")
        yield Plain(_("We will send a security code to your mobile each time you sign in."), classes="lede")

    AUTO_FOCUS = "#continue"

    def on_mount(self) -> None:
        self.query_one("#back", PlainButton).label = _("Finish")

    def on_continue(self) -> None:
        from screens.kiosk.sign_in import SignInScreen

        self.post_message(FlowDone(SignInScreen(self.services)))
