"""Home: the signed-in patient's banner and what they can do here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer
from screens.common.text import Plain, PlainButton

from domain.errors import DomainError
from domain.identity.my_details import MyDetails
from domain.identity.session import PatientSession
from screens.common.appointments import AppointmentsScreen
from screens.common.records import LettersScreen, ResultsScreen
from screens.common.my_details import MyDetailsScreen
from screens.common.patient_page import PatientContext
from screens.kiosk.services import PortalServices
from screens.common.widgets import PatientBanner


class SignOut(Message):
    """The patient pressed Sign out: the app ends the session."""


class HomeScreen(Screen[None]):
    """One button per thing a patient can do; later parts of the portal add theirs here."""

    def __init__(self, services: PortalServices, session: PatientSession, details: MyDetails) -> None:
        super().__init__()
        self.services = services
        """The portal's use cases."""
        self.session = session
        """Who is signed in."""
        self.details = details
        """Name and NHS number for the banner."""

    def compose(self) -> ComposeResult:
        yield PatientBanner(self.details.full_name, self.details.nhs_number, self.details.masked_nhs_number)
        with VerticalScroll(classes="page"):
            yield Plain(f"Hello, {self.details.given_name}", classes="page-title")
            yield Plain("What would you like to do?", classes="lede")
            yield PlainButton("My appointments: see, change or cancel", id="appointments", classes="menu-item")
            yield PlainButton("My letters: from both hospitals", id="letters", classes="menu-item")
            yield PlainButton("My test results", id="results", classes="menu-item")
            yield PlainButton("My Details: contact details and letters", id="my-details", classes="menu-item")
            yield PlainButton("Sign out", id="sign-out", classes="menu-item")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#appointments", PlainButton).focus()

    @on(PlainButton.Pressed, "#appointments")
    def open_appointments(self) -> None:
        self.load("#appointments", lambda ctx: AppointmentsScreen(ctx, self.services.appointments(self.session),
                                                                  self.services.now(),
                                                                  self.services.visits(self.session)))

    @on(PlainButton.Pressed, "#letters")
    def open_letters(self) -> None:
        self.load("#letters", lambda ctx: LettersScreen(ctx, self.services.letters(self.session)))

    @on(PlainButton.Pressed, "#results")
    def open_results(self) -> None:
        self.load("#results", lambda ctx: ResultsScreen(ctx, self.services.results(self.session)))

    def load(self, button: str, build: Callable[[PatientContext], Screen[Any]]) -> None:
        """Read what the page shows off the screen's thread, then show it; the button waits meanwhile."""
        self.query_one(button, PlainButton).disabled = True
        self._load(button, build)

    @work(thread=True, exclusive=True)
    def _load(self, button: str, build: Callable[[PatientContext], Screen[Any]]) -> None:
        try:
            screen = build(PatientContext(self.services, self.session, self.details))
        except DomainError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        finally:
            self.app.call_from_thread(self._ready, button)
        self.app.call_from_thread(self._show, screen)

    def _show(self, screen: Screen[Any]) -> None:
        # Only onto this patient's Home: if the session ended while it loaded, the page is dropped unseen.
        if self.is_attached and self in self.app.screen_stack:
            self.app.push_screen(screen)

    def _ready(self, button: str) -> None:
        # Disabling it moved the focus on to the next button; back on Home, it should be where the patient left it.
        if not (self.is_attached and self in self.app.screen_stack):
            return
        widget = self.query_one(button, PlainButton)
        widget.disabled = False
        widget.focus()

    @on(PlainButton.Pressed, "#my-details")
    def open_my_details(self) -> None:
        self.app.push_screen(MyDetailsScreen(self.services, self.session, self.details))

    @on(PlainButton.Pressed, "#sign-out")
    def sign_out(self) -> None:
        self.post_message(SignOut())
