"""The kiosk's first screen: whose portal this is, what it is for, and where to get help."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static


class WelcomeScreen(Screen[None]):
    """Names the trust and says "Patient Portal"; a patient's way in starts from here."""

    def __init__(self, trust_name: str, partner_name: str) -> None:
        super().__init__()
        self.trust_name = trust_name
        """The trust that runs this kiosk."""
        self.partner_name = partner_name
        """The partner trust whose records are shown too."""

    def compose(self) -> ComposeResult:
        with Vertical(id="trust-banner"):
            yield Static(self.trust_name, id="trust-name")
            yield Static("Patient Portal", id="portal-name")
        with Vertical(classes="page"):
            yield Static("Welcome", classes="page-title")
            yield Static(
                "Use this screen to see your hospital appointments, letters and test results, "
                "and to choose how you get your letters.",
                classes="lede",
            )
            yield Static(f"Records from our partner, the {self.partner_name}, are shown here too.", classes="lede")
        yield Static("Need help? Please ask at the reception desk.", classes="help-line")
        yield Footer()
