"""The staff PIN dialog: the only way out of a kiosk."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input
from domain.language import N_, _
from screens.common.text import Plain, PlainButton


class StaffPinScreen(ModalScreen[bool]):
    """Asks for the kiosk's staff PIN; dismisses True only when `check` accepts it."""

    BINDINGS = [Binding("escape", "cancel", N_("Back"), show=False)]

    def __init__(self, check: Callable[[str], tuple[bool, str]]) -> None:
        super().__init__()
        self.check = check
        """Takes the typed PIN, returns (accepted, message to show)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-dialog"):
            yield Plain(_("Staff only"), classes="page-title")
            yield Plain(_("Type the kiosk's staff PIN to close the portal on this kiosk."))
            pin = Input(placeholder=_("Staff PIN"), password=True, restrict=r"[0-9]*", max_length=12, id="pin")
            pin.cursor_blink = False
            yield pin
            yield Plain("", id="pin-error", classes="error-message")
            with Horizontal(classes="dialog-buttons"):
                yield PlainButton(_("Back"), id="back")
                yield PlainButton(_("Close the portal"), id="confirm", variant="primary")

    @on(Input.Submitted, "#pin")
    @on(PlainButton.Pressed, "#confirm")
    def submit(self) -> None:
        pin_input = self.query_one("#pin", Input)
        accepted, message = self.check(pin_input.value)
        pin_input.value = ""
        if accepted:
            self.dismiss(True)
            return
        self.query_one("#pin-error", Plain).update(message)
        pin_input.focus()

    @on(PlainButton.Pressed, "#back")
    def action_cancel(self) -> None:
        self.dismiss(False)
