"""Why: a reason chosen from the usual ones, or typed — asked before a member of staff opens a record, moves,
cancels or books an appointment. Kept in the audit trail (and, for an opened record, shown to the patient).

Nothing is chosen until the clerk chooses (a reason chosen for them, one Enter away, was recorded for a phone
call as "at the desk", and the patient read it): a number key chooses at once, so it stays fast."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, RadioSet

from domain.language import N_, _
from screens.common.choice import Choice
from screens.common.text import Plain, PlainButton
from screens.common.speech import say_problem
from screens.common.widgets import Field

OTHER = "other"


class Reasons(RadioSet):
    """The answers. Space (or a click) chooses the highlighted one; Enter never chooses — it goes on with the one
    chosen, or says that none is."""

    BINDINGS = [Binding("enter", "go_on", show=False, priority=True)]

    def action_go_on(self) -> None:
        screen = self.screen
        if isinstance(screen, ReasonScreen):
            screen.chosen()


class ReasonScreen(ModalScreen[str | None]):
    """The usual reasons as numbered radio buttons (none chosen), "Other" with a box to say why; Back gives None.
    `other=False` for a question whose answers are all listed (who cancelled)."""

    BINDINGS = [Binding("escape", "cancel", N_("Back"), show=False),
                *(Binding(str(n), f"choose({n})", show=False) for n in range(1, 10))]

    def __init__(self, question: str, hint: str, reasons: Sequence[str], go: str, *, other: bool = True) -> None:
        super().__init__()
        self.other = other
        """Whether "Other" (and its box) is offered."""
        self.question = question
        """What is asked."""
        self.hint = hint
        """Who will read the answer."""
        self.reasons = [r for r in reasons if r != OTHER]
        """The usual answers, in order; Other is always last."""
        self.go = go
        """The button that goes on with the reason."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reason-dialog", classes="dialog"):
            yield Plain(self.question, classes="page-title")
            yield Plain(self.hint, classes="lede")
            with Reasons(id="reasons"):
                for n, reason in enumerate(self.reasons):
                    yield Choice(f"{n + 1}  {reason[:1].upper() + reason[1:]}", id=f"reason-{n}")
                if self.other:
                    yield Choice(f"{len(self.reasons) + 1}  {_('Other')}", id="reason-other")
            yield Plain("", id="choose-problem", classes="choose-problem")
            yield Field(_("If other, say why"), id="other", max_length=200)
            with Horizontal(classes="dialog-buttons"):
                yield PlainButton(_("Back"), id="cancel")
                yield PlainButton(self.go, id="open", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#other", Field).display = False  # until Other is chosen
        self.query_one("#reasons", RadioSet).focus()

    def action_choose(self, number: int) -> None:
        """A number key: that reason chosen (the last number is Other, whose box then takes the typing)."""
        choices = list(self.query_one("#reasons", RadioSet).query(Choice))
        if 1 <= number <= len(choices) and not self.query_one("#other", Field).input.has_focus:
            choices[number - 1].value = True
            if choices[number - 1].id != "reason-other":  # at once: an Enter typed next goes on with it
                self.set_focus(self.query_one("#open", PlainButton))

    @on(RadioSet.Changed, "#reasons")
    def reason_changed(self, event: RadioSet.Changed) -> None:
        other = self.query_one("#other", Field)
        other.display = event.pressed.id == "reason-other"
        if other.display:
            other.input.focus()

    @on(PlainButton.Pressed, "#open")
    @on(Input.Submitted, "#other-input")
    def chosen(self) -> None:
        # The buttons' own values, not the set's idea of which is pressed: that follows a message, and a number key
        # then Enter can come before it.
        button = next((choice for choice in self.query_one("#reasons", RadioSet).query(Choice) if choice.value),
                      None)
        other = self.query_one("#other", Field).value.strip()
        if button is None or button.id is None:
            said = _("Error: {message}").format(message=_("Choose one of the answers: a number key chooses it."))
            self.query_one("#choose-problem", Plain).update(said)
            say_problem(self, said)
            self.query_one("#reasons", RadioSet).focus()
            return
        if button.id == "reason-other" and not other:
            self.query_one("#other", Field).show_error(_("Choose a reason, or choose Other and say why."))
            return
        if button.id == "reason-other":
            self.dismiss(f"other: {other}")
            return
        self.dismiss(self.reasons[int(button.id.removeprefix("reason-"))])

    @on(PlainButton.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
