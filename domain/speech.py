"""What the kiosk says aloud: the words for a page, a control and a problem, and the voice it says them in.

A reception kiosk is closed functionality (EN 301 549 §5): a patient cannot bring their own screen reader, so
the kiosk reads itself out. The rules here decide the words; a Speaker (domain/ports.py) says them. Nothing
masked on screen is ever spoken unmasked, and what a secret field holds is never spoken at all: only how
many characters it has."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from domain.language import _, ngettext

VOLUME_STEP = 20
"""How much one press of Louder or Quieter changes the volume (espeak-ng's amplitude: 0 to 200)."""
MIN_VOLUME, MAX_VOLUME = 20, 200
MIN_RATE, MAX_RATE = 80, 450
"""Words per minute espeak-ng can say."""


@dataclass(frozen=True, slots=True)
class Voice:
    """How loud and how fast; every new session starts from the trust's own."""

    volume: int = 100
    rate: int = 160
    language: str = "en-gb"

    def __post_init__(self) -> None:
        if not MIN_VOLUME <= self.volume <= MAX_VOLUME:
            raise ValueError(f"speech volume must be {MIN_VOLUME} to {MAX_VOLUME} (got {self.volume})")
        if not MIN_RATE <= self.rate <= MAX_RATE:
            raise ValueError(f"speech rate must be {MIN_RATE} to {MAX_RATE} words a minute (got {self.rate})")

    def louder(self) -> Voice:
        return replace(self, volume=min(MAX_VOLUME, self.volume + VOLUME_STEP))

    def quieter(self) -> Voice:
        return replace(self, volume=max(MIN_VOLUME, self.volume - VOLUME_STEP))


_MASKED = re.compile(r"\*[* ]*\*?\s*(\d+)")
_SPACES = re.compile(r"\s+")


def spoken(text: str) -> str:
    """Shown words as they should sound: a masked number says only what is shown ('ending in 5 9 1 9'),
    a separator dot is a pause, lines run on as sentences."""
    text = _MASKED.sub(lambda m: _("hidden, ending in {digits}").format(digits=" ".join(m.group(1))), text)
    text = text.replace("·", ",").replace("…", ".")
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return " ".join(_sentence(line) for line in lines if line)


def label_of(text: str) -> str:
    """A control's words, to be followed by what it is ('Sign in, button')."""
    return spoken(text).rstrip(".,;:")


def _sentence(line: str) -> str:
    return line if line[-1] in ".?!:,;" else line + "."


def secret(length: int) -> str:
    """A password, code or PIN field: never its content."""
    if length == 0:
        return _("empty")
    return ngettext("hidden, {count} character", "hidden, {count} characters", length).format(count=length)


def field(name: str, value: str, *, hidden: bool, hint: str = "", error: str = "") -> str:
    """A text box: its question, what is in it (or how much, if hidden), its hint and its error."""
    state = secret(len(value)) if hidden else label_of(value) or _("empty")
    parts = [_("{label}, edit text, {state}.").format(label=label_of(name), state=state) if name else
             _("Edit text, {state}.").format(state=state)]
    if error:
        parts.append(spoken(error))
    if hint:
        parts.append(spoken(hint))
    return " ".join(parts)


def button(text: str, *, available: bool = True) -> str:
    return (_("{label}, button.") if available else _("{label}, button, not available now.")).format(
        label=label_of(text))


def choice(text: str, *, chosen: bool, position: int, count: int) -> str:
    """One of a set of radio buttons."""
    return (_("{label}, radio button, chosen, {position} of {count}.") if chosen else
            _("{label}, radio button, not chosen, {position} of {count}.")).format(
        label=label_of(text), position=position, count=count)


def check_box(text: str, *, ticked: bool) -> str:
    return (_("{label}, check box, ticked.") if ticked else _("{label}, check box, not ticked.")).format(
        label=label_of(text))


def list_item(text: str, *, position: int, count: int) -> str:
    """The highlighted entry of a list or the row of a table under the cursor."""
    return _("{label}, {position} of {count}.").format(label=label_of(text), position=position, count=count)


def whole_list(items: list[str], *, kind: str = "list") -> str:
    """A list or table as a page reads it: how many entries, then each in turn."""
    if not items:
        return empty_list()
    said = " ".join(_sentence(label_of(item)) for item in items if label_of(item))
    heading = (ngettext("A table of {count}:", "A table of {count}:", len(items)) if kind == "table" else
               ngettext("A list of {count}:", "A list of {count}:", len(items))).format(count=len(items))
    return f"{heading} {said}"


def choices(items: list[tuple[str, bool]]) -> str:
    """A set of radio buttons as a page reads it: each, and which is chosen."""
    said = " ".join((_("{label}, chosen.") if chosen else "{label}.").format(label=label_of(text))
                    for text, chosen in items)
    return ngettext("A choice of {count}:", "A choice of {count}:", len(items)).format(count=len(items)) + f" {said}"


def empty_list() -> str:
    return _("An empty list.")


def drop_down(shown: str) -> str:
    return _("{label}, drop-down list. Press Enter to choose.").format(label=label_of(shown))


def scroll_area() -> str:
    return _("Text that scrolls: use the arrow keys and Page Down to read on.")


def problem(message: str) -> str:
    """An error summary: said as soon as it appears."""
    return spoken(message)


def outcome(title: str, message: str) -> str:
    """What an action did (a notification): said when it appears."""
    return " ".join(part for part in (spoken(title), spoken(message)) if part)


def page(texts: list[str]) -> str:
    """A page's title and main text, in the order shown."""
    return " ".join(part for part in (spoken(t) for t in texts) if part)
