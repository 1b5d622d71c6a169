"""Widgets every flow uses: a labelled field with its error beside it, an error summary, the patient banner."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Input, Static


class Field(Vertical):
    """A question: label, hint, input, and the message beside it when the answer is wrong."""

    DEFAULT_CSS = """
    Field { height: auto; margin-bottom: 1; }
    Field .field-label { text-style: bold; }
    Field .field-hint { color: $text-muted; }
    Field .field-error { color: $error; text-style: bold; height: auto; }
    Field.-invalid Input { border: tall $error; }
    """

    def __init__(self, label: str, *, hint: str = "", id: str, password: bool = False,
                 restrict: str | None = None, max_length: int = 0) -> None:
        super().__init__(id=id)
        self.label = label
        """The question, in bold."""
        self.hint = hint
        """An example of a right answer."""
        self.input = Input(password=password, restrict=restrict, max_length=max_length, id=f"{id}-input")
        """Where the answer is typed (no suggestions and no history: nothing typed outlives the screen)."""

    def compose(self) -> ComposeResult:
        yield Static(self.label, classes="field-label")
        if self.hint:
            yield Static(self.hint, classes="field-hint")
        yield Static("", classes="field-error")
        yield self.input

    @property
    def value(self) -> str:
        """What has been typed."""
        return self.input.value

    def show_error(self, message: str) -> None:
        """Put the message beside the field, prefixed so it reads right without colour."""
        self.query_one(".field-error", Static).update(f"Error: {message}")
        self.add_class("-invalid")

    def clear_error(self) -> None:
        self.query_one(".field-error", Static).update("")
        self.remove_class("-invalid")


class ErrorSummary(Static):
    """A problem with the whole page (no match, too many codes), shown at its top."""

    DEFAULT_CSS = """
    ErrorSummary { border: thick $error; padding: 0 1; margin-bottom: 1; height: auto; display: none; }
    ErrorSummary.-shown { display: block; }
    """

    def show(self, message: str) -> None:
        self.update(f"There is a problem\n{message}")
        self.add_class("-shown")

    def hide(self) -> None:
        self.update("")
        self.remove_class("-shown")


class PatientBanner(Horizontal):
    """On every signed-in screen: whose record this is, the NHS number masked until asked for."""

    DEFAULT_CSS = """
    PatientBanner { dock: top; height: 3; padding: 1 2 0 2; background: $secondary; color: $text; }
    PatientBanner #banner-name { width: 1fr; text-style: bold; }
    PatientBanner #banner-nhs { width: auto; }
    """
    revealed: reactive[bool] = reactive(False)
    """Whether the full NHS number is showing."""

    def __init__(self, name: str, nhs_number: str | None, masked: str | None) -> None:
        super().__init__()
        self.patient_name = name
        """The signed-in patient's name."""
        self.nhs_number = nhs_number
        """The full number, shown only while revealed."""
        self.masked = masked
        """The number with all but the last four digits hidden."""

    def compose(self) -> ComposeResult:
        yield Static(self.patient_name, id="banner-name")
        yield Static(self._nhs_text(), id="banner-nhs")

    def watch_revealed(self) -> None:
        if self.is_mounted:
            self.query_one("#banner-nhs", Static).update(self._nhs_text())

    def _nhs_text(self) -> str:
        if self.nhs_number is None:
            return "No NHS number on record"
        shown = self.nhs_number if self.revealed else self.masked
        return f"NHS number {shown}  (F4 {'hide' if self.revealed else 'show'})"
