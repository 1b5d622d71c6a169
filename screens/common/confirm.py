"""A yes-or-no question before anything is changed; the safe answer has the focus."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from domain.language import N_, _
from screens.common.text import Plain, PlainButton


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses True only for the confirming button."""

    BINDINGS = [Binding("escape", "cancel", N_("Back"), show=False)]
    AUTO_FOCUS = "#cancel"

    def __init__(self, title: str, body: str, confirm: str, cancel: str = N_("No, go back")) -> None:
        super().__init__()
        self.title_text = title
        """The question."""
        self.body = body
        """What will happen."""
        self.confirm_label = confirm
        """Words on the button that makes the change."""
        self.cancel_label = cancel
        """Words on the safe button."""

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Plain(self.title_text, classes="page-title")
            yield Plain(self.body, classes="lede")
            with Horizontal(classes="dialog-buttons"):
                yield PlainButton(_(self.cancel_label), id="cancel")  # the default is named with N_
                yield PlainButton(self.confirm_label, id="confirm", variant="primary")

    @on(PlainButton.Pressed, "#confirm")
    def confirm(self) -> None:
        self.dismiss(True)

    @on(PlainButton.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
