"""The end of a kiosk session: the warning before it, and the page after it."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from domain.language import _, ngettext
from screens.common.text import Plain, PlainButton


class IdleWarningScreen(ModalScreen[None]):
    """'Are you still there?' with the seconds left; any key or the button carries on."""

    AUTO_FOCUS = "#stay"

    def __init__(self, seconds_left: Callable[[], int]) -> None:
        super().__init__()
        self.seconds_left = seconds_left
        """Reads the app's clock: how long until the session ends."""

    def compose(self) -> ComposeResult:
        with Vertical(id="idle-dialog", classes="dialog"):
            yield Plain(_("Are you still there?"), classes="page-title")
            yield Plain(self._text(), id="idle-countdown", classes="lede")
            yield PlainButton(_("I am still here"), id="stay", variant="primary")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        for countdown in self.query("#idle-countdown").results(Plain):
            countdown.update(self._text())

    @on(PlainButton.Pressed, "#stay")
    def stay(self) -> None:
        self.dismiss()

    def _text(self) -> str:
        left = max(0, self.seconds_left())
        return ngettext("For your privacy, this screen will close in {count} second and anything on it will be "
                        "cleared.", "For your privacy, this screen will close in {count} seconds and anything on it "
                        "will be cleared.", left).format(count=left)


class SessionEndedScreen(Screen[None]):
    """Shows nothing of the patient; goes back to the welcome screen on a key press or by itself."""

    AUTO_FOCUS = "#done"
    RETURN_AFTER = 10
    """Seconds before it goes back to the welcome screen by itself."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
        """Why: timed out, signed out, or too long."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Plain(_("Your session has ended"), classes="page-title")
            yield Plain(_(self.reason), classes="lede")  # named with N_ by whoever ended the session
            yield Plain(_("For your privacy, nothing you looked at is left on this screen."), classes="lede")
            yield PlainButton(_("Back to the start"), id="done", variant="primary")

    def on_mount(self) -> None:
        self._return = self.set_timer(self.RETURN_AFTER, self.back_to_start)

    def on_unmount(self) -> None:
        self._return.stop()  # a page gone by a key press is not kept alive by its timer until it would have fired

    def back_to_start(self) -> None:
        if self.is_current:
            self.dismiss()

    @on(PlainButton.Pressed, "#done")
    def done(self) -> None:
        self.back_to_start()
