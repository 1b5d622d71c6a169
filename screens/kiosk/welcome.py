"""The kiosk's first screen: whose portal this is, the ways in, and where to get help."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer
from screens.common.text import Plain, PlainButton

ROUTES = (
    ("sign-in", "Sign in", "If you have registered already."),
    ("register-code", "Register with a code from a text message", "If we sent you a text inviting you to register."),
    ("register-details", "Register with your NHS number", "You will need your NHS number (or hospital number), "
     "date of birth and postcode."),
)


class WelcomeScreen(Screen[None]):
    """Names the trust and says "Patient Portal"; a patient's way in starts from here."""

    class Chosen(Message):
        """The patient chose a way in; the app opens it."""

        def __init__(self, route: str) -> None:
            super().__init__()
            self.route = route

    def __init__(self, trust_name: str, partner_name: str) -> None:
        super().__init__()
        self.trust_name = trust_name
        """The trust that runs this kiosk."""
        self.partner_name = partner_name
        """The partner trust whose records are shown too."""

    def compose(self) -> ComposeResult:
        with Vertical(id="trust-banner"):
            yield Plain(self.trust_name, id="trust-name")
            yield Plain("Patient Portal", id="portal-name")
        with VerticalScroll(classes="page"):
            yield Plain("Welcome", classes="page-title")
            yield Plain(
                "Register for the patient portal or sign in, and choose whether your hospital letters come by "
                f"post or only here. Records from our partner, the {self.partner_name}, are included.",
                classes="lede",
            )
            # Each way in beside its hint, so all three fit a 24-line screen with nothing below the fold.
            for route, label, hint in ROUTES:
                with Horizontal(classes="route"):
                    yield PlainButton(label, id=route, classes="route-button")
                    yield Plain(hint, classes="route-hint")
        with Horizontal(classes="help-line"):
            yield Plain("Need help? Press F1, or ask at the reception desk.", classes="help-text")
            yield PlainButton("Help centre", id="help", classes="help-button", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sign-in", PlainButton).focus()

    @on(PlainButton.Pressed, "#help")
    def open_help(self, event: PlainButton.Pressed) -> None:
        event.stop()
        self.app.open_help_centre()  # type: ignore[attr-defined]

    @on(PlainButton.Pressed, ".route-button")
    def choose(self, event: PlainButton.Pressed) -> None:
        if event.button.id:
            self.post_message(self.Chosen(event.button.id))
