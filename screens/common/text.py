"""The one way text reaches the screen: as written, never parsed as markup, never a terminal control.

Names, titles, reasons, notes, clinic and test names — anything a person typed or another system sent —
come to a screen only through what this module gives: `plain()` (Textual content), `plain_text()` (a Rich
Text, for tables), and the widgets below, which put every string they are handed through `plain()` (a table's
cells, through `plain_text()`: PlainTable, in table.py, loaded with the first page that has a table). Other
screens import none of Textual's text widgets themselves (tests/test_layers.py checks it), so a new screen
cannot put a patient's name through the markup parser by mistake.

A part is a string, or a (string, style) pair: the style is ours, the string is shown exactly as written.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TypeAlias

from rich.text import Text
from textual.content import Content
import textual.widgets as textual_widgets
from textual.widgets import Button, Static
from textual.widgets.option_list import Option

from domain.language import _, current as current_language, language
from domain.text import visible

if TYPE_CHECKING:  # Rich's Markdown (markdown-it, Pygments) loads with the first letter, not before the welcome page
    from rich.markdown import Markdown as RichMarkdown


def _is_markdown(value: object) -> bool:
    """Rendered Markdown: only ever made by markdown() below, so there is none before its module is loaded."""
    module = sys.modules.get("rich.markdown")
    return module is not None and isinstance(value, module.Markdown)

Part: TypeAlias = "str | tuple[str, str]"


def plain(*parts: Part | Content) -> Content:
    """Textual content from parts, each shown as written (a control character as its picture)."""
    return Content.assemble(*(_safe_part(part) for part in parts))


def plain_text(*parts: Part) -> Text:
    """The same, as a Rich Text: for a table cell or a chart."""
    text = Text(end="")
    for part in parts:
        if isinstance(part, tuple):
            text.append(visible(part[0]), style=part[1])
        else:
            text.append(visible(part))
    return text


def safe(value: object) -> Content | Text | RichMarkdown:
    """Whatever a widget is about to show, made safe: strings and Rich Text are made visible, content kept."""
    if isinstance(value, str):
        return Content(visible(value))
    if isinstance(value, Text):
        return Text(visible(value.plain), style=value.style, spans=list(value.spans), end=value.end,
                    no_wrap=value.no_wrap, justify=value.justify, overflow=value.overflow)
    if isinstance(value, Content):
        return value if value.plain == visible(value.plain) else Content(visible(value.plain), list(value.spans))
    if _is_markdown(value):
        return value  # type: ignore[return-value]
    raise TypeError(f"cannot show {type(value).__name__} safely")


def markdown(source: str) -> RichMarkdown:
    """A letter written in Markdown: its text as written, with no link that does anything."""
    from rich.markdown import Markdown

    return Markdown(visible(source), hyperlinks=False)


def option(*parts: Part, id: str) -> Option:
    """A choice in a list, its words shown as written."""
    return Option(plain(*parts), id=id)


def rich_option(prompt: Text, id: str) -> Option:
    """A choice whose words were laid out as a Rich Text by `plain_text`."""
    return Option(safe(prompt), id=id)


class Plain(Static):
    """A Static that shows its parts as written: the only text widget screens use."""

    def __init__(self, *parts: Part | Content | Text | RichMarkdown, **options: Any) -> None:
        super().__init__(_joined(parts), markup=False, **options)

    def update(self, *parts: Part | Content | Text | RichMarkdown) -> None:  # type: ignore[override]
        super().update(_joined(parts))


class PlainButton(Button):
    """A Button whose label is shown as written, however it is set."""

    def __init__(self, label: str | Content = "", **options: Any) -> None:
        super().__init__(safe(label), **options)  # type: ignore[arg-type]

    def validate_label(self, label: Any) -> Content:
        return safe(label)  # type: ignore[return-value]


def _safe_part(part: Part | Content) -> str | tuple[str, str] | Content:
    if isinstance(part, tuple):
        return (visible(part[0]), part[1])
    if isinstance(part, Content):
        return safe(part)  # type: ignore[return-value]
    return visible(part)


def _joined(parts: tuple[Any, ...]) -> Content | Text | RichMarkdown:
    if len(parts) == 1 and (isinstance(parts[0], Text) or _is_markdown(parts[0])):
        return safe(parts[0])
    return plain(*parts)


class Footer(textual_widgets.Footer):
    """The keys and what they do, in the screen's language (a key's description is named with N_ where its
    binding is made, and translated here, when the footer is drawn)."""

    def compose(self) -> Any:
        from textual.widgets._footer import FooterKey

        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.description:
                widget.description = _(widget.description)
            yield widget

    async def recompose(self) -> None:
        """Drawn again whenever the screen's keys change (a focus moving, a page coming). Each key Textual draws
        binds `compact` to the footer (`data_bind`), and Textual only drops the bindings of removed keys when
        `compact` itself changes — which it never does here: a kiosk's welcome page kept every key it ever drew,
        about 9 a visit and 250 KiB with them (issue 36, finding 9). So the footer drops them itself."""
        await super().recompose()
        watchers = getattr(self, "__watchers", None)  # where textual.reactive keeps a node's watchers
        if isinstance(watchers, dict):
            for name, bound in watchers.items():
                bound[:] = [(node, callback) for node, callback in bound
                            if node is self or getattr(node, "is_attached", True)]


def language_buttons(offered: tuple[str, ...]) -> list[PlainButton]:
    """A button for each offered language but the screen's own, in its own name ('Polski'), so that a patient
    finds theirs without reading the screen's language. The kiosk app takes the press."""
    return [PlainButton(language(code).own_name, id=f"language-{code}", classes="language-button",
                        compact=True) for code in offered if code != current_language()]
