"""The kiosk reading itself aloud: a page's words in the order shown, then the control with the focus.

The app owns a Narrator when speech is on (none at the desk, none with speech off); widgets reach it through
`say_problem` and the app's own hooks, so a screen never needs to know whether anyone is listening. Everything
said goes through domain/speech.py's words, which speak masked parts masked and secret fields as a count."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Input, OptionList, RadioButton, RadioSet, Select

from domain import speech
from domain.language import N_, _
from domain.ports import Speaker
from domain.speech import Voice
from screens.common.table import PlainTable
from screens.common.text import Plain, PlainButton

SPEECH_KEYS_HINT = N_("Speech is on. Press F3 to hear a page again, F5 to stop speaking, F7 for quieter and F8 for "
                      "louder.")
"""Said after the welcome page (in the screen's language): how to work the voice."""


class Narrator:
    """What the kiosk says, and when. One per app; it keeps the page last said for Repeat."""

    def __init__(self, speaker: Speaker, voice: Voice,
                 schedule: Callable[[Callable[[], None]], object] | None = None) -> None:
        self.speaker = speaker
        self.schedule = schedule
        """How to say what gathered once the screen has settled (the app's call_after_refresh): two errors
        that appear together are said together, not the second cutting off the first."""
        self._gathered: list[str] = []
        self._interrupt = True
        self._page_lacks_control = False
        self.default_voice = voice
        """The trust's volume and rate: back to these at every new session."""
        self.voice = voice
        self.last_page = ""
        """The last page said in full, for the Repeat key."""
        self._last_control: tuple[int, str] | None = None

    # --- what is said --------------------------------------------------------------------------------------

    def page(self, screen: DOMNode, hint: str = "") -> str:
        """A new page: its words in order, then where the focus is. Cuts off anything being said."""
        words = speech.page(list(page_texts(screen)))
        focused = getattr(screen, "focused", None)
        control = describe(focused) if focused is not None else ""
        self._last_control = (id(focused), control) if focused is not None else None
        self._page_lacks_control = not control
        said = " ".join(part for part in (words, hint, control) if part)
        self.last_page = said
        self._say(said, fresh=True)
        return said

    def focus(self, widget: Widget) -> None:
        """The focus moved: the control it is on now. A page that gave its focus only after it was read hears
        it after its words, not instead of them."""
        control = describe(widget)
        if self._last_control == (id(widget), control):
            return
        self._last_control = (id(widget), control)
        if self._page_lacks_control:
            self._page_lacks_control = False
            self._say(control, queued=True)
        else:
            self._say(control, fresh=True)

    def changed(self, widget: Widget | None) -> None:
        """After a key: a choice control says its new state (the next radio button, list entry, row)."""
        if widget is None or not isinstance(widget, (RadioSet, OptionList, PlainTable, Checkbox, Select)):
            return
        control = describe(widget)
        if self._last_control != (id(widget), control):
            self._last_control = (id(widget), control)
            self._say(control, fresh=True)

    def problem(self, message: str) -> None:
        self._say(speech.problem(message))

    def outcome(self, title: str, message: str) -> None:
        self._say(speech.outcome(title, message))

    def repeat(self) -> None:
        if self.last_page:
            self._say(self.last_page, fresh=True)

    # --- the voice -----------------------------------------------------------------------------------------

    def stop(self) -> None:
        self._gathered.clear()
        self.speaker.stop()

    def speak_in(self, voice: str) -> None:
        """The screen's language changed: its voice from now on (back to the trust's own at a new session)."""
        self.voice = replace(self.voice, language=voice)

    def louder(self) -> None:
        self.voice = self.voice.louder()
        self._say(_("Volume {percent} percent.").format(percent=self.voice.volume // 2))

    def quieter(self) -> None:
        self.voice = self.voice.quieter()
        self._say(_("Volume {percent} percent.").format(percent=self.voice.volume // 2))

    def reset(self) -> None:
        """A new session: silence, and the trust's own volume and rate again."""
        self._gathered.clear()
        self._page_lacks_control = False
        self.speaker.stop()
        self.voice = self.default_voice
        self.last_page = ""
        self._last_control = None

    def _say(self, words: str, *, fresh: bool = False, queued: bool = False) -> None:
        """Gather words to say; `fresh` drops what gathered before (a new page, a new control); `queued` words
        wait for what is being said to end instead of cutting it off."""
        if not words:
            return
        if fresh and self._gathered:
            # What gathered was on screen, if only for a moment: it starts to be said, and the new words cut
            # it off, as they would have a moment later (keys typed fast never silence a page unsaid).
            self.flush()
        if not self._gathered:
            self._interrupt = not queued
        self._gathered.append(words)
        if self.schedule is None:
            self.flush()
        elif len(self._gathered) == 1:
            self.schedule(self.flush)

    def flush(self) -> None:
        """Say what gathered, as one utterance (cutting off whatever is still being said)."""
        if self._gathered:
            words, self._gathered = " ".join(self._gathered), []
            self.speaker.say(words, self.voice, interrupt=self._interrupt)


def say_problem(widget: Widget, message: str) -> None:
    """From any widget: a problem that just appeared on screen is said at once (if anyone is listening)."""
    narrator = getattr(widget.app, "narrator", None) if widget.is_attached else None
    if narrator is not None:
        narrator.problem(message)


# --- reading the screen ------------------------------------------------------------------------------------

def page_texts(node: DOMNode) -> Iterator[str]:
    """Every text and control shown on the page, in order: what a sighted patient could read there."""
    for child in node.children:
        if not isinstance(child, Widget) or not child.display or not child.visible or isinstance(child, Footer):
            continue
        if type(child).__name__ in ("ToastRack", "Tooltip"):
            continue
        if isinstance(child, Plain):
            text = shown_text(child)
            if text:
                yield text
        elif _is_control(child):
            yield describe(child, in_page=True)
        else:
            yield from page_texts(child)


def _is_control(widget: Widget) -> bool:
    return isinstance(widget, (PlainButton, Input, RadioSet, Checkbox, OptionList, PlainTable, Select))


def shown_text(widget: Plain) -> str:
    """The words a Plain shows (a letter's Markdown as its source text; a chart as the words it gives)."""
    in_words = getattr(widget, "spoken_text", None)
    if callable(in_words):
        return str(in_words())
    return _text_of(widget.content)


def _text_of(value: Any) -> str:
    if isinstance(value, (Content, Text)):
        return value.plain
    if isinstance(value, str):
        return value
    markup = getattr(value, "markup", None)  # Rich's Markdown keeps its source
    return markup if isinstance(markup, str) else ""


def describe(widget: Widget, *, in_page: bool = False) -> str:
    """A control as it should be said: what it is, what it says, what state it is in.

    In a page's reading, a field's question has been said already (its label is text on the page); when the
    focus comes to it, the question is said again with the box."""
    from screens.common.widgets import Field

    if isinstance(widget, Input):
        field = widget.parent if isinstance(widget.parent, Field) else None
        hidden = widget.password or bool(field and field.secret)
        if field is None:
            label = str(widget.placeholder or "")
            return speech.field(label if not in_page else "", widget.value, hidden=hidden)
        if in_page:
            return speech.field("", widget.value, hidden=hidden)
        return speech.field(field.label, widget.value, hidden=hidden, hint=field.hint, error=field.error)
    if isinstance(widget, PlainButton):
        return speech.button(_text_of(widget.label), available=not widget.disabled)
    if isinstance(widget, RadioSet):
        buttons = list(widget.query(RadioButton))
        if not buttons:
            return speech.empty_list()
        if in_page:
            return speech.choices([(_text_of(b.label), b.value) for b in buttons])
        index = widget._selected if widget._selected is not None else max(widget.pressed_index, 0)
        button = buttons[min(index, len(buttons) - 1)]
        return speech.choice(_text_of(button.label), chosen=button.value, position=buttons.index(button) + 1,
                             count=len(buttons))
    if isinstance(widget, Checkbox):
        return speech.check_box(_text_of(widget.label), ticked=widget.value)
    if isinstance(widget, OptionList):
        if widget.option_count == 0:
            return speech.empty_list()
        if in_page:
            return speech.whole_list([_text_of(widget.get_option_at_index(n).prompt)
                                      for n in range(widget.option_count)])
        index = widget.highlighted if widget.highlighted is not None else 0
        return speech.list_item(_text_of(widget.get_option_at_index(index).prompt), position=index + 1,
                                count=widget.option_count)
    if isinstance(widget, PlainTable):
        if widget.row_count == 0:
            return speech.empty_list()
        labels = [_text_of(column.label) for column in widget.ordered_columns]

        def said(row: int) -> str:
            cells = [_text_of(cell) for cell in widget.get_row_at(row)]
            return ", ".join(f"{label}: {cell}" if label else cell for label, cell in zip(labels, cells))

        if in_page:
            return speech.whole_list([said(row) for row in range(widget.row_count)], kind="table")
        row = min(max(widget.cursor_row, 0), widget.row_count - 1)
        return speech.list_item(said(row), position=row + 1, count=widget.row_count)
    if isinstance(widget, Select):
        shown = widget.prompt if widget.selection is None else next(
            (_text_of(prompt) for prompt, value in widget._options if value == widget.selection), "")
        return speech.drop_down(str(shown))
    if isinstance(widget, ScrollableContainer):
        return speech.scroll_area()
    return ""
