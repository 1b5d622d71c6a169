"""Widgets every flow uses: a labelled field with its error beside it, an error summary, the patient banner."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from datetime import date
from typing import Any, cast

from domain import language as languages
from domain.language import _
from domain.identity.my_details import MyDetails
from domain.identity.session import StaffSession
from domain.text import clean_line
from screens.common.text import Plain


class OpensAtItsTop:
    """For a Screen (first among its bases): the page opens at its top, whatever it focuses first focused where it
    is.

    Textual's auto focus (right after the page is composed) scrolls the focused widget to the middle of the page
    when it cannot see all of it — and before the first layout it cannot tell: a form opened scrolled down or not,
    as the machine's load had it (an e2e test of the problem report saw its first question's label scrolled away,
    the field's top at the top of the screen). Until the page has been drawn once, a focus does not scroll; after
    that, Tab and the rest scroll as ever."""

    _drawn = False

    def set_focus(self, widget: Widget | None, scroll_visible: bool = True, from_app_focus: bool = False) -> None:
        super().set_focus(widget, scroll_visible and self._drawn, from_app_focus)  # type: ignore[misc]

    def on_mount(self) -> None:
        cast(Screen[Any], self).call_after_refresh(self._now_drawn)

    def _now_drawn(self) -> None:
        self._drawn = True


class FieldInput(Input):
    """An Input whose paste keeps what fits: one line, no control characters, cut to the box's limit — and says so."""

    class PasteCut(Message):
        """A paste was longer than the box takes; only the first `kept` characters went in."""

        def __init__(self, kept: int, limit: int) -> None:
            super().__init__()
            self.kept = kept
            self.limit = limit

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.cursor_blink = False  # a steady cursor: nothing blinks at a kiosk, nothing repaints over SSH for it

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        lines = event.text.splitlines()
        text = clean_line(lines[0]) if lines else ""
        start, end = sorted(self.selection)
        if self.max_length:
            room = self.max_length - (len(self.value) - (end - start))
            if len(text) > room:
                text = text[:max(0, room)]
                self.post_message(self.PasteCut(len(text), self.max_length))
        if text:
            self.replace(text, start, end)


class Field(Vertical):
    """A question: label, hint, input, and the message beside it when the answer is wrong."""

    DEFAULT_CSS = """
    Field { height: auto; margin-bottom: 1; }
    Field .field-label { text-style: bold; }
    Field .field-hint { color: $text-muted; }
    Field .field-error { color: $error; text-style: bold; height: auto; }
    Field.-invalid Input { border: tall $error; }
    """

    def __init__(self, label: str, *, hint: str = "", id: str, password: bool = False, secret: bool = False,
                 restrict: str | None = None, max_length: int = 0) -> None:
        super().__init__(id=id)
        self.label = label
        """The question, in bold."""
        self.hint = hint
        """An example of a right answer."""
        self.secret = password or secret
        """A password or a code: shown as typed (a code) or as dots (a password), never spoken (domain/speech.py)."""
        self.error = ""
        """The message beside the field, if any."""
        self.input = FieldInput(password=password, restrict=restrict, max_length=max_length, id=f"{id}-input")
        """Where the answer is typed (no suggestions and no history: nothing typed outlives the screen)."""

    def compose(self) -> ComposeResult:
        yield Plain(self.label, classes="field-label")
        if self.hint:
            yield Plain(self.hint, classes="field-hint")
        yield Plain("", classes="field-error")
        yield self.input

    @property
    def value(self) -> str:
        """What has been typed."""
        return self.input.value

    def show_error(self, message: str) -> None:
        """Put the message beside the field, prefixed so it reads right without colour (and say it)."""
        from screens.common.speech import say_problem

        self.error = _("Error: {message}").format(message=message)
        self.query_one(".field-error", Plain).update(self.error)
        self.add_class("-invalid")
        say_problem(self, f"{self.label}. {self.error}")

    def on_field_input_paste_cut(self, event: FieldInput.PasteCut) -> None:
        from screens.common.speech import say_problem

        self.error = (_("Only the first {limit} characters fit in this box: the rest of what you pasted was left "
                        "out.") if event.kept else _("This box is full: it takes at most {limit} characters.")).format(
            limit=event.limit)
        self.query_one(".field-error", Plain).update(self.error)
        say_problem(self, self.error)

    def clear_error(self) -> None:
        self.error = ""
        self.query_one(".field-error", Plain).update("")
        self.remove_class("-invalid")


class ErrorSummary(Plain):
    """A problem with the whole page (no match, too many codes), shown at its top."""

    DEFAULT_CSS = """
    ErrorSummary { border: thick $error; padding: 0 1; margin-bottom: 1; height: auto; display: none; }
    ErrorSummary.-shown { display: block; }
    """

    def show(self, message: str) -> None:
        from screens.common.speech import say_problem

        self.update(_("There is a problem") + f"\n{message}")
        self.add_class("-shown")
        say_problem(self, _("There is a problem") + f". {message}")

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
        yield Plain(self.patient_name, id="banner-name")
        yield Plain(self._nhs_text(), id="banner-nhs")

    def watch_revealed(self) -> None:
        if self.is_mounted:
            self.query_one("#banner-nhs", Plain).update(self._nhs_text())

    def _nhs_text(self) -> str:
        if self.nhs_number is None:
            return _("No NHS number on record")
        if self.revealed:
            return _("NHS number {number}  (F4 hide)").format(number=self.nhs_number)
        return _("NHS number {number}  (F4 show)").format(number=self.masked)


class StaffBanner(Horizontal):
    """Who is signed in at this desk, on every desk page."""

    DEFAULT_CSS = """
    StaffBanner { dock: top; height: 3; padding: 1 2 0 2; background: $secondary; color: $text; }
    StaffBanner Plain { width: 1fr; text-style: bold; }
    """

    def __init__(self, session: StaffSession, acting_for: str = "") -> None:
        super().__init__()
        self.words = acting_for or f"Signed in as {session.username} ({session.role.value.replace('_', ' ')})"
        """What the banner says: who is signed in, or for whom they are acting."""

    def compose(self) -> ComposeResult:
        yield Plain(self.words, id="staff-banner")


def acting_for(name: str, date_of_birth: date | None, nhs_number: str | None, hospital_number: str | None,
               language: str | None = None, date_of_death: date | None = None) -> str:
    """'Acting for NAME · born … · NHS …': on every desk page while a patient is open ('DIED …' first, where the
    record says so)."""
    # The patient's own language beside their name (the desk stays in English): the call may need an interpreter.
    chosen = languages.language(language)
    parts = [f"Acting for {name}" + (f" ({chosen.english_name})" if chosen.code != languages.ENGLISH else "")]
    if date_of_death is not None:
        parts.append(f"DIED {date_of_death.day} {date_of_death:%b %Y}")
    if date_of_birth is not None:
        parts.append(f"born {date_of_birth.day} {date_of_birth:%b %Y}")
    parts.append(f"NHS {nhs_number}" if nhs_number else f"hospital number {hospital_number or 'not recorded'}")
    return " · ".join(parts)


def ActingBanner(session: StaffSession, details: MyDetails) -> StaffBanner:  # noqa: N802 - reads as a widget
    """The desk's banner while a patient is open."""
    return StaffBanner(session, acting_for(details.full_name, details.date_of_birth, details.nhs_number,
                                           details.hospital_number, details.language, details.date_of_death))
