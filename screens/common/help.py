"""The help centre, at the kiosk and the desk, signed in or not: articles, search as a person types, "Report a
technical problem" with what was captured shown before it is sent, and (at the kiosk) a reply read by its
reference. Articles are our own Markdown; what people and staff write is shown through the one safe path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, OptionList, RadioSet

from domain.language import N_, _, ngettext
from domain.errors import DomainError
from domain.formatting import nhs_date, nhs_datetime
from domain.help.articles import TOPICS, Article, with_contacts
from domain.hospital import Trust
from domain.identity.session import PatientSession
from domain.support.reports import HAPPENED_LIMIT, TRIED_LIMIT, Captured, ProblemReport, ReplyBy, Submitted
from screens.common.choice import Choice
from screens.common.text import Footer, Plain, PlainButton, markdown, option
from screens.common.widgets import ErrorSummary, Field, OpensAtItsTop


PAGE_TOPICS = {
    "WelcomeScreen": "welcome", "SignInScreen": "sign-in", "RegisterWithCodeScreen": "register",
    "RegisterWithDetailsScreen": "register", "SignInCodeScreen": "verify-code", "VerifyMobileScreen": "verify-code",
    "HomeScreen": "home", "AppointmentsScreen": "appointments", "AppointmentScreen": "appointment",
    "RescheduleDayScreen": "reschedule", "RescheduleTimeScreen": "reschedule", "CheckChangeScreen": "reschedule",
    "CancelWarningScreen": "cancel", "CancelConfirmScreen": "cancel", "LettersScreen": "letters",
    "LetterScreen": "letters", "ResultsScreen": "results", "TrendScreen": "results", "MyDetailsScreen": "my-details",
    "RecordLooksScreen": "record-looks", "PatientRecordScreen": "home",
}
"""The page each screen is (by its class's name): the help key on it opens the article that names the page."""


class HelpServices(Protocol):
    """What the help centre needs from the composition root."""

    place: str
    """'kiosk' or 'desk'."""

    def articles(self) -> Sequence[Article]: ...

    def find(self, query: str) -> list[Article]: ...

    def trusts(self) -> list[Trust]: ...

    def submit(self, *, tried: str, happened: str, reply_by: ReplyBy, typed_mobile: str, captured: Captured,
               session: PatientSession | None) -> Submitted: ...

    def replies_for(self, reference: str) -> ProblemReport: ...


class HelpPage(OpensAtItsTop, Screen[Any]):
    """A help page: title, problem box, content, Esc for back."""

    BINDINGS = [Binding("escape", "back", N_("Back"), key_display="Esc")]
    HELP_TOPIC = "help"
    TITLE_TEXT = ""

    def __init__(self, services: HelpServices, session: PatientSession | None, captured: Captured) -> None:
        super().__init__()
        self.services = services
        self.session = session
        """Who is signed in (their session is kept; the kiosk's idle rules still apply)."""
        self.captured = captured
        """Where help was asked for: the page behind it, the size, the version, the place."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page"):
            yield Plain(self.title_text(), classes="page-title")
            yield ErrorSummary(id="summary")
            yield from self.compose_body()
        yield Footer()

    def title_text(self) -> str:
        return _(self.TITLE_TEXT) if self.TITLE_TEXT else ""

    def compose_body(self) -> ComposeResult:
        yield from ()

    def action_back(self) -> None:
        self.dismiss()

    @on(PlainButton.Pressed, "#back, #done")
    def leave(self) -> None:
        """Every help page's Back (and Done) button, as Esc."""
        self.dismiss()

    def show_problem(self, message: str) -> None:
        if self.is_attached and self in self.app.screen_stack:
            self.query_one(ErrorSummary).show(message)
            self.query_one(".page").scroll_home(animate=False)
            for button in self.query(PlainButton):
                button.disabled = False


class HelpCentreScreen(HelpPage):
    """Every article by topic; typing searches them, forgiving of spelling."""

    TITLE_TEXT = N_("Help centre")
    AUTO_FOCUS = "#help-search-input"

    def compose_body(self) -> ComposeResult:
        yield Plain(_("Type what you need help with, or choose an article."), classes="lede")
        yield Field(_("Search help"), hint=_("For example: change my appointment"), id="help-search", max_length=80)
        yield Plain("", id="help-count", classes="lede")
        yield OptionList(*self._options(self._all()), id="articles", classes="help-list")
        with Horizontal(classes="page-buttons"):
            yield PlainButton(_("Report a technical problem"), id="report")
            if self.services.place == "kiosk" and self.session is None:
                yield PlainButton(_("Read a reply to a problem report"), id="read-reply")
            yield PlainButton(_("Back"), id="back")

    def on_mount(self) -> None:
        count = len(self.services.articles())
        self.query_one("#help-count", Plain).update(ngettext("{count} article", "{count} articles", count).format(
            count=count))

    def _all(self) -> list[Article]:
        articles = list(self.services.articles())
        return sorted(articles, key=lambda a: (TOPICS.index(a.topic), a.title))

    def _options(self, articles: Sequence[Article]) -> list[Any]:
        # Staff see when each article last changed; a patient needs only its title and topic.
        changed = self.services.place == "desk"
        return [option((a.title, "bold"), "  (" + (_("{topic}, updated {date}").format(topic=_(a.topic),
                       date=nhs_date(a.updated)) if changed else _(a.topic)) + ")", id=f"article-{a.slug}")
                for a in articles]

    @on(Input.Changed, "#help-search-input")
    def search(self, event: Input.Changed) -> None:
        query = event.value.strip()
        found = self.services.find(query) if query else self._all()
        listing = self.query_one("#articles", OptionList)
        listing.clear_options()
        listing.add_options(self._options(found))
        count = self.query_one("#help-count", Plain)
        if found:
            count.update(ngettext("{count} article matches, best first.", "{count} articles match, best first.",
                                  len(found)).format(count=len(found)) if query else
                         ngettext("{count} article", "{count} articles", len(found)).format(count=len(found)))
            listing.highlighted = 0
        else:
            trusts = self.services.trusts()
            contacts = "; ".join(f"{t.short_name} {t.appointments_phone}" for t in trusts)
            count.update(_("No articles match — here is how to contact us: call the Appointments team ({contacts}), "
                           "or report a technical problem below.").format(contacts=contacts))

    @on(Input.Submitted, "#help-search-input")
    def to_results(self) -> None:
        self.query_one("#articles", OptionList).focus()

    @on(OptionList.OptionSelected, "#articles")
    def open_article(self, event: OptionList.OptionSelected) -> None:
        slug = (event.option.id or "").removeprefix("article-")
        article = next(a for a in self.services.articles() if a.slug == slug)
        self.app.push_screen(ArticleScreen(self.services, self.session, self.captured, article))

    @on(PlainButton.Pressed, "#report")
    def report(self) -> None:
        self.app.push_screen(ReportProblemScreen(self.services, self.session, self.captured))

    @on(PlainButton.Pressed, "#read-reply")
    def read_reply(self) -> None:
        self.app.push_screen(ReplyLookupScreen(self.services, self.session, self.captured))


class ArticleScreen(HelpPage):
    """An article opens at its title with the text focused, so arrows and Page Down read on (a focused Back
    button at the foot would scroll a long article past its start); Tab reaches the buttons."""

    AUTO_FOCUS = ".page"

    def __init__(self, services: HelpServices, session: PatientSession | None, captured: Captured,
                 article: Article) -> None:
        super().__init__(services, session, captured)
        self.article = article

    def title_text(self) -> str:
        return self.article.title

    def compose_body(self) -> ComposeResult:
        yield Plain(markdown(with_contacts(self.article, self.services.trusts())), id="article-body")
        yield Plain(_("Updated {date}").format(date=nhs_date(self.article.updated)), classes="captured")
        with Horizontal(classes="page-buttons"):
            yield PlainButton(_("Back"), id="back", variant="primary")
            yield PlainButton(_("Report a technical problem"), id="report")

    @on(PlainButton.Pressed, "#report")
    def report(self) -> None:
        self.app.push_screen(ReportProblemScreen(self.services, self.session, self.captured))


class ReportProblemScreen(HelpPage):
    """Two questions, how to reply, and what the program captured — shown before anything is sent."""

    TITLE_TEXT = N_("Report a technical problem")
    AUTO_FOCUS = "#tried-input"

    def compose_body(self) -> ComposeResult:
        yield Plain(_("Tell us what went wrong with the portal. Do not write anything about your health: we read "
                    "this to mend the portal, not to look after you."), classes="lede")
        yield Field(_("What were you trying to do?"), hint=_("At most {count} characters.").format(count=TRIED_LIMIT), id="tried",
                    max_length=TRIED_LIMIT)
        yield Field(_("What happened?"), hint=_("At most {count} characters. Pasted text and emoji are fine.").format(
                    count=HAPPENED_LIMIT),
                    id="happened", max_length=HAPPENED_LIMIT)
        yield Plain(_("How should we reply?"), classes="field-label")
        with RadioSet(id="reply-by"):
            if self.session is not None:
                yield Choice(_("By text to the mobile on my record"), id="record_mobile", value=True)
            yield Choice(_("By text to this mobile:"), id="typed_mobile", value=self.session is None)
            yield Choice(_("No reply needed"), id="none")
        yield Field(_("Mobile number for the reply"), hint=_("Only if you chose a text to this mobile. A UK mobile, for "
                    "example 07700 900123."), id="mobile",
                    max_length=20)
        yield Plain(_("We also send, to help us find the problem (nothing about you or your records):"),
                    classes="field-label")
        for label, value in self.captured.lines():
            yield Plain((f"{label}: ", "bold"), value, classes="captured")
        with Horizontal(classes="page-buttons"):
            yield PlainButton(_("Send the report"), id="send", variant="primary")
            yield PlainButton(_("Back"), id="back")

    @on(PlainButton.Pressed, "#send")
    def send(self) -> None:
        self.query_one(ErrorSummary).hide()
        for field in self.query(Field):
            field.clear_error()
        pressed = self.query_one(RadioSet).pressed_button
        reply_by = ReplyBy(pressed.id) if pressed is not None and pressed.id else ReplyBy.NONE
        values = dict(tried=self.query_one("#tried", Field).value, happened=self.query_one("#happened", Field).value,
                      reply_by=reply_by, typed_mobile=self.query_one("#mobile", Field).value)
        self.query_one("#send", PlainButton).disabled = True
        self._send(values)

    @work(thread=True, exclusive=True)
    def _send(self, values: dict[str, Any]) -> None:
        try:
            sent = self.services.submit(captured=self.captured, session=self.session, **values)
        except DomainError as error:
            self.app.call_from_thread(self._refused, error)
            return
        self.app.call_from_thread(self._sent, sent)

    def _refused(self, error: DomainError) -> None:
        message = str(error)
        target = {"Say what you were trying to do.": "tried", "Say what happened.": "happened"}.get(message)
        if target is None and "mobile" in message.lower() and "record" not in message.lower():
            target = "mobile"
        if target is not None and self.is_attached:
            self.query_one(f"#{target}", Field).show_error(message)
            self.query_one("#send", PlainButton).disabled = False
            return
        self.show_problem(message)

    def _sent(self, sent: Submitted) -> None:
        if self.is_attached and self in self.app.screen_stack:
            self.app.switch_screen(ReportSentScreen(self.services, self.session, self.captured, sent))


class ReportSentScreen(HelpPage):
    TITLE_TEXT = N_("Thank you: your report is sent")
    AUTO_FOCUS = "#done"

    def __init__(self, services: HelpServices, session: PatientSession | None, captured: Captured,
                 sent: Submitted) -> None:
        super().__init__(services, session, captured)
        self.sent = sent

    def compose_body(self) -> ComposeResult:
        yield Plain((_("Your reference is "), ""), (self.sent.reference, "bold"), id="report-reference",
                    classes="lede")
        how = (_("We will reply by text to the mobile ending {digits}.").format(digits=self.sent.reply_to[-3:])
               if self.sent.reply_to else _("You asked for no reply."))
        yield Plain(how + " " + _("You can also read our reply at a kiosk: choose Help, then \"Read a reply to a "
                                  "problem report\", and type your reference."), classes="lede")
        yield PlainButton(_("Done"), id="done", variant="primary")



class ReplyLookupScreen(HelpPage):
    TITLE_TEXT = N_("Read a reply to a problem report")
    AUTO_FOCUS = "#reference-input"

    def compose_body(self) -> ComposeResult:
        yield Field(_("Your reference"), hint=_("It starts with PR-, for example PR-7K3M9Q."), id="reference",
                    max_length=12)
        with Horizontal(classes="page-buttons"):
            yield PlainButton(_("Show the reply"), id="show", variant="primary")
            yield PlainButton(_("Back"), id="back")

    @on(PlainButton.Pressed, "#show")
    @on(Input.Submitted, "#reference-input")
    def show(self) -> None:
        self.query_one(ErrorSummary).hide()
        self._look(self.query_one("#reference", Field).value)

    @work(thread=True, exclusive=True)
    def _look(self, reference: str) -> None:
        try:
            report = self.services.replies_for(reference)
        except DomainError as error:
            self.app.call_from_thread(self.show_problem, str(error))
            return
        self.app.call_from_thread(self.app.push_screen, ReplyScreen(self.services, self.session, self.captured,
                                                                    report))


class ReplyScreen(HelpPage):
    """What staff replied, oldest first; the report's own words above, as the person wrote them."""

    AUTO_FOCUS = "#done"

    def __init__(self, services: HelpServices, session: PatientSession | None, captured: Captured,
                 report: ProblemReport) -> None:
        super().__init__(services, session, captured)
        self.report = report

    def title_text(self) -> str:
        return _("Problem report {reference}").format(reference=self.report.reference)

    def compose_body(self) -> ComposeResult:
        yield Plain((_("You told us: "), "bold"), self.report.happened, classes="lede")
        if not self.report.replies:
            yield Plain(_("We have not replied yet. We will text you when we do, if you asked us to."),
                        classes="lede", id="no-reply")
        for reply in self.report.replies:
            yield Plain((_("Our reply, {when}:").format(when=nhs_datetime(reply.at)), "bold"), classes="field-label")
            yield Plain(reply.body, classes="lede reply-body")
        yield PlainButton(_("Done"), id="done", variant="primary")

