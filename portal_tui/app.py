"""The Textual App for the kiosk: locked down, forgets its patient when left idle, left only by staff PIN."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App
from textual.binding import Binding

from domain.kiosk import IdlePolicy, IdleState, StaffPinGate
from portal_tui.settings import PARTNER_TRUST_NAME, Settings
from portal_tui.themes import THEMES
from screens.welcome import WelcomeScreen

if TYPE_CHECKING:
    from domain.ports import Clock

# What counts as a person at the kiosk: anything they press, click, scroll or paste.
_ACTIVITY = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)


class KioskApp(App[None], inherit_bindings=False):
    """The reception kiosk. No key leaves it but the staff key followed by the staff PIN."""

    CSS_PATH = "portal.tcss"
    TITLE = "Patient Portal"
    ENABLE_COMMAND_PALETTE = False
    ALLOW_SELECT = False
    BINDINGS = [
        Binding("f2", "toggle_contrast", "High contrast", key_display="F2"),
        Binding("f12", "staff_exit", "Staff", show=False, priority=True),
    ]

    def __init__(self, settings: Settings, clock: Clock) -> None:
        super().__init__()
        self.settings = settings
        """Checked settings; the PIN was required before the app was built."""
        self.clock = clock
        """Monotonic time for the idle timer, wall time for the rules."""
        self.idle_policy = IdlePolicy.for_timeout(settings.kiosk_idle_seconds)
        """When an unattended kiosk goes back to welcome."""
        self.pin_gate = StaffPinGate(settings.require_kiosk_pin())
        """Counts wrong staff PINs and locks the way out after too many."""
        self.last_activity = clock.monotonic()
        """When someone last pressed, clicked or scrolled."""
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = settings.theme

    def get_default_screen(self) -> WelcomeScreen:
        return WelcomeScreen(self.settings.trust_name, PARTNER_TRUST_NAME)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.check_inactivity)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _ACTIVITY):
            self.last_activity = self.clock.monotonic()
        await super().on_event(event)

    def check_inactivity(self) -> None:
        """Back to welcome, with nothing of the last patient left, once the kiosk has been idle too long."""
        idle = self.clock.monotonic() - self.last_activity
        if self.idle_policy.state(idle) is IdleState.EXPIRED:
            self.end_session()

    def end_session(self) -> None:
        """Drop every screen above the welcome screen: each is discarded, with what it held."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.last_activity = self.clock.monotonic()

    def action_toggle_contrast(self) -> None:
        self.theme = "portal" if self.theme == "portal-high-contrast" else "portal-high-contrast"

    @work(exclusive=True, group="staff-exit")
    async def action_staff_exit(self) -> None:
        # Imported here: nothing the welcome screen does not need is loaded before it is painted.
        from screens.staff_pin import StaffPinScreen

        if isinstance(self.screen, StaffPinScreen):
            return
        if await self.push_screen_wait(StaffPinScreen(self.check_staff_pin)):
            self.exit()

    def check_staff_pin(self, typed: str) -> tuple[bool, str]:
        """The PIN gate, with the app's clock."""
        return self.pin_gate.check(typed, self.clock.monotonic())

    # Lock-down: the ways a Textual app is normally left, suspended or copied from do nothing here.
    async def action_quit(self) -> None:
        self.action_staff_exit()

    def action_help_quit(self) -> None:
        """Ctrl+C at a kiosk does nothing (Textual would suggest how to quit)."""

    def action_suspend_process(self) -> None:
        """No suspending to a shell."""

    def action_command_palette(self) -> None:
        """No command palette: it offers quitting, themes and screenshots."""

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """No screenshots: they would write what is on screen to disk."""

    def copy_to_clipboard(self, text: str) -> None:
        """No clipboard: the next person at the kiosk could paste it."""
