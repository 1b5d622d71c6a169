"""Text from outside — typed, imported, received — made safe to keep and to show: no terminal control ever.

Two functions, one rule. `clean_text` / `clean_line` are used where text enters (a typed field, a FHIR or HL7
field, an audit detail): they remove what must never be stored. `visible` is used where text leaves for a
screen: it replaces, one character for one, whatever is still there (text stored before the cleaning
existed), so styles laid over the text keep their places and nothing reaches the terminal as a command.

What is removed or replaced: C0 controls (but newline and tab in multi-line text), DEL, C1 controls, the
Unicode bidirectional embeddings, overrides, isolates and marks (which can make text read backwards: the
"Trojan Source" trick), and the characters that show as nothing — zero-width space, soft hyphen, word joiner
and invisible operators, byte order mark, Hangul fillers, tag characters — with which two names that look the
same are not. Zero-width joiners and non-joiners, combining marks and every script are kept: they are writing.
"""

from __future__ import annotations

import re

_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_INVISIBLE = ("\u00ad\u115f\u1160\u180e\u200b\u2060-\u2064\u206a-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
              "\U000e0000-\U000e007f")
"""Characters that show as nothing (and are no one's writing): soft hyphen, Hangul fillers, the Mongolian vowel
separator, zero-width space, word joiner and invisible operators, deprecated format characters, byte order
mark, interlinear annotation, tag characters."""
_CONTROL = f"\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}{_INVISIBLE}"
CONTROL_CHARACTERS = _ALL_CONTROLS = re.compile(f"[{_CONTROL}]")
_NEWLINES = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")

_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES[0x7F] = "\u2421"  # ␡
_REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """Multi-line text as it should be kept: line breaks become '\\n', tabs stay, every control goes."""
    return _ALL_CONTROLS.sub("", _NEWLINES.sub("\n", text))


def clean_line(text: str) -> str:
    """One line as it should be kept: line breaks and tabs become spaces, every control goes."""
    spaced = _NEWLINES.sub(" ", text).replace("\n", " ").replace("\t", " ")
    return _ALL_CONTROLS.sub("", spaced)


def visible(text: str) -> str:
    """Text fit for a terminal, the same length: each control still in it shown as its picture (␛, ␇, …).

    Newlines and tabs stay (a widget lays them out); nothing else below U+0020 survives."""
    return _ALL_CONTROLS.sub(_picture, text)


def has_controls(text: str) -> bool:
    """Whether `visible` would change anything: for tests and for reports of what arrived."""
    return _ALL_CONTROLS.search(text) is not None


def _picture(match: re.Match[str]) -> str:
    return _PICTURES.get(ord(match.group()), _REPLACEMENT)
