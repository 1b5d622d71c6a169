"""The kiosk's first screen: whose portal this is, the ways in, and where to get help."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from domain.language import N_, _
from screens.common.text import Footer, Plain, PlainButton, language_buttons

ROUTES = (
    ("sign-in", N_("Sign in"), N_("If you have registered already.")),
    ("register-code", N_("Register with a code from a text message"),
     N_("If we sent you a text inviting you to register.")),
    ("register-details", N_("Register with your NHS number"),
     N_("You will need your NHS number (or hospital number), date of birth and postcode.")),
)

class WelcomeScreen(Screen[None]):
    """Names the trust and says "Patient Portal"; a patient's way in starts from here."""

    class Chosen(Message):
        """The patient chose a way in; the app opens it."""

        def __init__(self, route: str) -> None:
            super().__init__()
            self.route = route

    def __init__(self, trust_name: str, partner_name: str, offered: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.trust_name = trust_name
        """The trust that runs this kiosk."""
        self.partner_name = partner_name
        """The partner trust whose records are shown too."""
        self.offered = offered
        """The languages a patient may choose here (none: the kiosk is in its one language)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="trust-banner"):
            yield Plain(self.trust_name, id="trust-name")
            if self.offered:
                # At the top, each language in its own name: a patient finds theirs before reading any English.
                with Horizontal(classes="portal-line"):
                    yield Plain(_("Patient Portal"), id="portal-name")
                    yield from language_buttons(self.offered)
            else:
                yield Plain(_("Patient Portal"), id="portal-name")
        # Not a Tab stop of its own: its controls are (each scrolls into view as it takes the focus), and a stop
        # that shows nothing when it has the focus would leave a patient lost.
        with VerticalScroll(classes="page", can_focus=False):
            yield Plain(_("Welcome"), classes="page-title")
            yield Plain(
                _("Register for the patient portal or sign in, and choose whether your hospital letters come by "
                  "post or only here. Records from our partner, the {partner}, are included.").format(
                    partner=self.partner_name),
                classes="lede",
            )
            # Each way in beside its hint, so all three fit a 24-line screen with nothing below the fold.
            for route, label, hint in ROUTES:
                with Horizontal(classes="route"):
                    yield PlainButton(_(label), id=route, classes="route-button")
                    yield Plain(_(hint), classes="route-hint")
        with Horizontal(classes="help-line"):
            yield Plain(_("Need help? Press F1, or ask at the reception desk."), classes="help-text")
            yield PlainButton(_("Help centre"), id="help", classes="help-button", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.focus_first()

    async def redraw(self) -> None:
        """In the screen's language now (the patient chose another, or the kiosk went back to its own)."""
        await self.recompose()
        if self.app.screen is self:
            self.focus_first()

    def focus_first(self) -> None:
        """Sign in has the focus (also when the page is drawn again in another language)."""
        self.query_one("#sign-in", PlainButton).focus()

    @on(PlainButton.Pressed, "#help")
    def open_help(self, event: PlainButton.Pressed) -> None:
        event.stop()
        self.app.open_help_centre()  # type: ignore[attr-defined]

    @on(PlainButton.Pressed, ".route-button")
    def choose(self, event: PlainButton.Pressed) -> None:
        if event.button.id:
            self.post_message(self.Chosen(event.button.id))
