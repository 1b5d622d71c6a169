"""Home: the signed-in patient's banner and what they can do here."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from domain.my_details import MyDetails
from domain.session import PatientSession
from screens.my_details import MyDetailsScreen
from screens.services import PortalServices
from screens.widgets import PatientBanner


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
            yield Static(f"Hello, {self.details.given_name}", classes="page-title")
            yield Static("What would you like to do?", classes="lede")
            yield Button("My Details: contact details and letters", id="my-details", classes="menu-item")
            yield Button("Sign out", id="sign-out", classes="menu-item")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#my-details", Button).focus()

    @on(Button.Pressed, "#my-details")
    def open_my_details(self) -> None:
        self.app.push_screen(MyDetailsScreen(self.services, self.session, self.details))

    @on(Button.Pressed, "#sign-out")
    def sign_out(self) -> None:
        self.post_message(SignOut())
