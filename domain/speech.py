"""What the kiosk says aloud: the words for a page, a control and a problem, and the voice it says them in.

A reception kiosk is closed functionality (EN 301 549 §5): a patient cannot bring their own screen reader, so
the kiosk reads itself out. The rules here decide the words; a Speaker (domain/ports.py) says them. Nothing
masked on screen is ever spoken unmasked, and what a secret field holds is never spoken at all: only how
many characters it has."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

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
    text = _MASKED.sub(lambda m: "hidden, ending in " + " ".join(m.group(1)), text)
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
        return "empty"
    return f"hidden, {length} character{'s' if length != 1 else ''}"


def field(name: str, value: str, *, hidden: bool, hint: str = "", error: str = "") -> str:
    """A text box: its question, what is in it (or how much, if hidden), its hint and its error."""
    state = secret(len(value)) if hidden else label_of(value) or "empty"
    parts = [f"{label_of(name)}, edit text, {state}." if name else f"Edit text, {state}."]
    if error:
        parts.append(spoken(error))
    if hint:
        parts.append(spoken(hint))
    return " ".join(parts)


def button(text: str, *, available: bool = True) -> str:
    return f"{label_of(text)}, button{'' if available else ', not available now'}."


def choice(text: str, *, chosen: bool, position: int, count: int) -> str:
    """One of a set of radio buttons."""
    return f"{label_of(text)}, radio button, {'chosen' if chosen else 'not chosen'}, {position} of {count}."


def check_box(text: str, *, ticked: bool) -> str:
    return f"{label_of(text)}, check box, {'ticked' if ticked else 'not ticked'}."


def list_item(text: str, *, position: int, count: int) -> str:
    """The highlighted entry of a list or the row of a table under the cursor."""
    return f"{label_of(text)}, {position} of {count}."


def whole_list(items: list[str], *, kind: str = "list") -> str:
    """A list or table as a page reads it: how many entries, then each in turn."""
    if not items:
        return empty_list()
    return f"A {kind} of {len(items)}: " + " ".join(_sentence(label_of(item)) for item in items if label_of(item))


def choices(items: list[tuple[str, bool]]) -> str:
    """A set of radio buttons as a page reads it: each, and which is chosen."""
    said = " ".join(f"{label_of(text)}{', chosen' if chosen else ''}." for text, chosen in items)
    return f"A choice of {len(items)}: {said}"


def empty_list() -> str:
    return "An empty list."


def drop_down(shown: str) -> str:
    return f"{label_of(shown)}, drop-down list. Press Enter to choose."


def scroll_area() -> str:
    return "Text that scrolls: use the arrow keys and Page Down to read on."


def problem(message: str) -> str:
    """An error summary: said as soon as it appears."""
    return spoken(message)


def outcome(title: str, message: str) -> str:
    """What an action did (a notification): said when it appears."""
    return " ".join(part for part in (spoken(title), spoken(message)) if part)


def page(texts: list[str]) -> str:
    """A page's title and main text, in the order shown."""
    return " ".join(part for part in (spoken(t) for t in texts) if part)
