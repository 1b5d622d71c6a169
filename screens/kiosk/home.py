"""Home: the signed-in patient's banner and what they can do here."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer

from domain.identity.my_details import MyDetails
from domain.identity.session import PatientSession
from screens.common.patient_page import PatientContext, banner
from screens.common.record_home import RecordHome
from screens.common.text import Plain, PlainButton
from screens.kiosk.services import PortalServices


class SignOut(Message):
    """The patient pressed Sign out: the app ends the session."""


class HomeScreen(RecordHome):
    """One button per thing a patient can do; later parts of the portal add theirs here."""

    def __init__(self, services: PortalServices, session: PatientSession, details: MyDetails) -> None:
        super().__init__(PatientContext(services.for_patient(session), details))
        self.session = session
        """Who is signed in."""

    def compose(self) -> ComposeResult:
        yield banner(self.ctx)
        with VerticalScroll(classes="page"):
            yield Plain(f"Hello, {self.details.given_name}", classes="page-title")
            yield Plain("What would you like to do?", classes="lede")
            yield from self.menu()
            yield PlainButton("Sign out", id="sign-out", classes="menu-item")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#appointments", PlainButton).focus()

    @on(PlainButton.Pressed, "#sign-out")
    def sign_out(self) -> None:
        self.post_message(SignOut())
