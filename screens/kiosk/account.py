"""Registration, after the mobile is proved: email and password, then paper or paperless letters."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import RadioSet
from screens.common.choice import Choice
from screens.common.text import Plain

from domain.language import N_, _
from domain.identifiers import EmailAddress
from domain.identity.passwords import password_problem
from domain.identity.patients import LetterPreference
from screens.kiosk.flow import FormPage, RegistrationDraft
from screens.kiosk.services import PortalServices
from screens.common.widgets import Field

PAPERLESS_MEANS = N_("Paperless: read your letters here in the portal. We will not post them to you.")
PAPER_MEANS = N_("Paper: we post your letters to your home address. You can read them here too.")


class AccountScreen(FormPage):
    """Email address and password; `changing` when it was opened from the check-your-answers page."""

    TITLE_TEXT = N_("Your email address and a password")
    LEDE = N_("You will sign in with these. Choose a password of 8 characters or more that you do not use elsewhere.")

    def __init__(self, services: PortalServices, draft: RegistrationDraft, *, changing: bool = False) -> None:
        super().__init__(services)
        self.draft = draft
        """The registration so far."""
        self.changing = changing
        """True when the patient came here to change an answer."""

    def compose_fields(self) -> ComposeResult:
        yield Field(_("Email address"), id="email", max_length=254)
        yield Field(_("Password"), hint=_("8 to 128 characters"), id="password", password=True, max_length=128)
        yield Field(_("Type the password again"), id="password-again", password=True, max_length=128)

    def on_mount(self) -> None:
        self.field("email").input.value = self.draft.email

    def on_continue(self) -> None:
        email = self.parsed("email", EmailAddress.parse)
        password = self.field("password").value
        problem = password_problem(password, email.normalized if email else None)
        if problem:
            self.field("password").show_error(problem)
        elif password != self.field("password-again").value:
            self.field("password-again").show_error(_("The passwords do not match. Type the same password twice."))
            problem = "mismatch"
        if email is None or problem:
            return
        self.draft.email, self.draft.password = email.normalized, password
        if self.changing:
            self.dismiss()
        else:
            self.app.push_screen(LetterChoiceScreen(self.services, self.draft))


class LetterChoiceScreen(FormPage):
    """Paper or paperless, each explained in one sentence."""

    TITLE_TEXT = N_("How do you want to get your hospital letters?")

    def __init__(self, services: PortalServices, draft: RegistrationDraft, *, changing: bool = False) -> None:
        super().__init__(services)
        self.draft = draft
        """The registration so far."""
        self.changing = changing
        """True when the patient came here to change an answer."""

    def compose_fields(self) -> ComposeResult:
        with RadioSet(id="preference"):
            yield Choice(_(PAPERLESS_MEANS), id="paperless", value=self.draft.preference is LetterPreference.PAPERLESS)
            yield Choice(_(PAPER_MEANS), id="paper", value=self.draft.preference is LetterPreference.PAPER)
        yield Plain("", id="preference-error", classes="error-message")
        yield Plain(_("You can change this at any time in My Details."), classes="lede")


    def on_continue(self) -> None:
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is None:
            self.query_one("#preference-error", Plain).update(_("Error: Choose paperless or paper letters."))
            return
        self.draft.preference = LetterPreference(pressed.id)
        if self.changing:
            self.dismiss()
        else:
            from screens.kiosk.check_answers import CheckAnswersScreen

            self.app.push_screen(CheckAnswersScreen(self.services, self.draft))
