"""My Details: the contact details the hospital holds, and paper or paperless letters."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from screens.common.text import Footer, Plain, PlainButton, language_buttons

from domain import language as languages
from domain.language import N_, _
from domain.errors import DomainError
from domain.identity.my_details import MyDetails
from domain.identity.patients import LetterPreference
from screens.common.confirm import ConfirmScreen
from screens.common.patient_page import PatientContext, banner

_LETTERS = {LetterPreference.PAPERLESS: N_("Paperless: you read your letters in the portal. We do not post them."),
            LetterPreference.PAPER: N_("Paper: we post your letters to you. You can read them in the portal too.")}


class MyDetailsScreen(Screen[None]):
    """Contact details held (mobile masked) and the letter preference, with a confirmed way to switch."""

    BINDINGS = [Binding("escape", "back", N_("Back"), key_display="Esc")]

    def __init__(self, ctx: PatientContext) -> None:
        super().__init__()
        self.ctx = ctx
        """Whose record, the use cases on it, and who acts."""
        self.details = ctx.details
        """What the hospital holds, as last loaded."""

    def compose(self) -> ComposeResult:
        d = self.details
        yield banner(self.ctx)
        with VerticalScroll(classes="page"):
            yield Plain(self.ctx.words(_("My Details"), "Contact details and letters"), classes="page-title")
            yield self._row(_("Mobile number"), d.masked_mobile or "None on record")
            yield self._row(_("Email address"), d.email or "None on record")
            yield self._row(_("Postcode"), d.postcode)
            yield Plain(self.ctx.words(_("To change these, call or visit the Appointments team."),
                                       "Contact details are changed in the hospital's patient administration system "
                                       "(PAS); the portal shows them from there."), classes="lede")
            yield Plain(_("Letters"), classes="section-title")
            yield Plain(_(_LETTERS[d.letter_preference]), id="letters", classes="lede")
            yield PlainButton(self._switch_label(), id="switch-letters", variant="primary")
            offered = () if self.ctx.at_desk else getattr(self.app, "offered_languages", ())
            if offered:
                yield Plain(_("Language"), classes="section-title")
                yield Plain(_("The portal and your texts are in {language}.").format(
                    language=languages.language(languages.current()).own_name), id="language", classes="lede")
                # Each other language in its own name; the choice is kept for the patient's texts and next visit.
                yield Horizontal(*language_buttons(offered), classes="language-line")
            with Horizontal(classes="page-buttons"):
                yield PlainButton(self.ctx.words(_("Who has looked at my record"), "Who has looked at this record"),
                                  id="looks")
                yield PlainButton(_("Back"), id="back")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#switch-letters", PlainButton).focus()

    @on(PlainButton.Pressed, "#switch-letters")
    @work
    async def switch_letters(self) -> None:
        wanted = self._other()
        if self.ctx.at_desk:
            what = (f"Only with the patient's agreement: {self.details.full_name}'s letters will "
                    + ("no longer be posted; they read them in the portal." if wanted is LetterPreference.PAPERLESS
                       else "be posted to them, and stay readable in the portal.")
                    + " The audit trail records that the patient agreed.")
            question, yes = f"Has the patient agreed to {wanted.value} letters?", f"The patient agrees: {wanted.value}"
        else:
            paperless = wanted is LetterPreference.PAPERLESS
            what = (_("We will stop posting your letters. You will read them here in the portal.") if paperless else
                    _("We will post your letters to you. You can still read them here in the portal."))
            question = _("Change to paperless letters?") if paperless else _("Change to paper letters?")
            yes = _("Yes, change to paperless") if paperless else _("Yes, change to paper")
        if await self.app.push_screen_wait(ConfirmScreen(question, what, yes)):
            self.save(wanted)

    @on(PlainButton.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss()

    @on(PlainButton.Pressed, "#looks")
    def show_looks(self) -> None:
        self.query_one("#looks", PlainButton).disabled = True
        self._load_looks()

    @work(thread=True, exclusive=True, group="looks")
    def _load_looks(self) -> None:
        from screens.common.record_looks import RecordLooksScreen

        try:
            looks = self.ctx.record.who_looked()
        except DomainError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
        else:
            self.app.call_from_thread(self.app.push_screen, RecordLooksScreen(self.ctx, looks))
        finally:
            self.app.call_from_thread(setattr, self.query_one("#looks", PlainButton), "disabled", False)

    @work(thread=True, exclusive=True)
    def save(self, wanted: LetterPreference) -> None:
        try:
            self.ctx.record.change_letter_preference(wanted, patient_agreed=self.ctx.at_desk)
            details = self.ctx.record.my_details()
        except DomainError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self.saved, details)

    def saved(self, details: MyDetails) -> None:
        self.details = details
        self.query_one("#letters", Plain).update(_(_LETTERS[details.letter_preference]))
        self.query_one("#switch-letters", PlainButton).label = self._switch_label()
        paperless = details.letter_preference is LetterPreference.PAPERLESS
        self.notify(self.ctx.words(_("Your letters are now paperless.") if paperless else
                                   _("Your letters are now paper."),
                                   f"{details.full_name}'s letters are now {details.letter_preference.value}."),
                    title=_("Saved"))

    def _other(self) -> LetterPreference:
        paper = self.details.letter_preference is LetterPreference.PAPER
        return LetterPreference.PAPERLESS if paper else LetterPreference.PAPER

    def _switch_label(self) -> str:
        return (_("Change to paperless letters") if self._other() is LetterPreference.PAPERLESS
                else _("Change to paper letters"))

    def _row(self, label: str, value: str) -> Horizontal:
        return Horizontal(Plain(label, classes="answer-label"), Plain(value, classes="answer-value"),
                          classes="answer-row")
