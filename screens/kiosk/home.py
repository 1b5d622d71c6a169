"""Home: the signed-in patient's banner and what they can do here."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message

from domain.errors import DomainError
from domain.identity.my_details import MyDetails
from domain.support.reports import ProblemReport
from domain.identity.session import PatientSession
from domain.language import _
from screens.common.patient_page import PatientContext, banner
from screens.common.record_home import RecordHome
from screens.common.text import Footer, Plain, PlainButton
from screens.kiosk.services import PortalServices


class SignOut(Message):
    """The patient pressed Sign out: the app ends the session."""


class HomeScreen(RecordHome):
    """One button per thing a patient can do; later parts of the portal add theirs here."""

    def __init__(self, services: PortalServices, session: PatientSession, details: MyDetails) -> None:
        super().__init__(PatientContext(services.for_patient(session), details))
        self.services = services
        self.session = session
        """Who is signed in."""
        self.reply: ProblemReport | None = None
        """A reply to one of the patient's problem reports that they have not read yet."""

    def compose(self) -> ComposeResult:
        yield banner(self.ctx)
        with VerticalScroll(classes="page"):
            yield Plain(_("Hello, {name}").format(name=self.details.given_name), classes="page-title")
            with Horizontal(id="reply-notice", classes="reply-notice"):
                yield Plain("", id="reply-words", classes="reply-words")
                yield PlainButton(_("Read the reply"), id="read-reply")
            yield Plain(_("What would you like to do?"), classes="lede")
            yield from self.menu()
            yield PlainButton(_("Help centre"), id="help", classes="menu-item")
            yield PlainButton(_("Sign out"), id="sign-out", classes="menu-item")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reply-notice").display = False
        self.query_one("#appointments", PlainButton).focus()
        self.look_for_reply()

    def on_screen_resume(self) -> None:
        # Also resumed for a moment while a session ends (every page above welcome is dropped): no look then.
        if self.is_mounted and getattr(self.app, "patient_session", self.session) is not None:
            self.look_for_reply()

    @work(thread=True, exclusive=True, group="reply")
    def look_for_reply(self) -> None:
        try:
            found = self.services.support.unread_reply(self.session)
        except DomainError:
            return  # a busy database: the notice waits for the next look
        self.app.call_from_thread(self._reply_found, found)

    def _reply_found(self, found: ProblemReport | None) -> None:
        self.reply = found
        if not self.is_attached:
            return
        self.query_one("#reply-notice").display = found is not None
        if found is not None:
            # Translators: the first part is bold; the second follows it ("You have a reply to your problem …").
            self.query_one("#reply-words", Plain).update((_("You have a reply"), "bold"),
                                                         _(" to your problem report {reference}.").format(
                                                             reference=found.reference))

    @on(PlainButton.Pressed, "#read-reply")
    def read_reply(self) -> None:
        from screens.common.help import ReplyScreen

        if self.reply is None:
            return
        report, self.reply = self.reply, None
        self.query_one("#reply-notice").display = False
        self.app.push_screen(ReplyScreen(self.services.support, self.session,
                                         self.app.captured(), report))  # type: ignore[attr-defined]
        self._seen(report.reference)

    @work(thread=True, group="reply-seen")
    def _seen(self, reference: str) -> None:
        try:
            self.services.support.mark_seen(self.session, reference)
        except DomainError:
            pass  # shown again next time: nothing is lost

    @on(PlainButton.Pressed, "#help")
    def open_help(self) -> None:
        self.app.open_help_centre()  # type: ignore[attr-defined]

    @on(PlainButton.Pressed, "#sign-out")
    def sign_out(self) -> None:
        self.post_message(SignOut())
