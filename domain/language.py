"""The languages the kiosk talks and its texts are written in: gettext catalogues (managed with Babel), one
language at a time for the screen, and any language for a text.

A string a patient reads is marked `_("…")` where it is used, `N_("…")` where it is only named (a constant, a
key's label) and translated where it is shown, and `ngettext` where it counts something (Polish has three
forms). The kiosk is English until a patient chooses; `use()` changes the screen's language for the process (a
kiosk is one process, each SSH and browser session too). A text is written in its patient's language whatever
the screen shows: `translation(code)` gives that language's catalogue without changing the screen.

The catalogues live beside this module (locale/portal.pot, locale/<code>/LC_MESSAGES/portal.po and its compiled
.mo); `make messages` extracts, updates and compiles them. English is the source and needs none. A language is
offered to patients only when the trust's settings list it as reviewed: see the README."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "portal"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    """The catalogue's name and the value kept on a patient's record ('pl')."""
    own_name: str
    """The language in its own words, as a patient looks for it ('Polski')."""
    english_name: str
    """As the desk and the README name it ('Polish')."""
    speech_voice: str
    """espeak-ng's voice for it."""


ENGLISH = "en"
PSEUDO = "qps"
"""A language for tests only: every letter accented and every string 40% longer, so that an untranslated or
cut-off string shows (never offered to a patient)."""

LANGUAGES: dict[str, Language] = {
    ENGLISH: Language(ENGLISH, "English", "English", "en-gb"),
    "pl": Language("pl", "Polski", "Polish", "pl"),
    "ro": Language("ro", "Română", "Romanian", "ro"),
    PSEUDO: Language(PSEUDO, "Ƥšéûðö", "Pseudo-language (tests)", "en-gb"),
}
"""Every language with a catalogue. Urdu and Arabic (right to left) and Bengali and Gujarati (clusters a terminal
cannot draw faithfully) are not here: a terminal would show them wrongly."""

SHIPPED = ("pl", "ro")
"""The catalogues drafted by the project: a trust's translation service reviews them before they are offered."""


def language(code: str | None) -> Language:
    """The language for a code kept on a record or in settings; English for none or one not known."""
    return LANGUAGES.get(code or ENGLISH, LANGUAGES[ENGLISH])


class Catalogue(Protocol):
    """What a language's catalogue answers (gettext's translations, or English's own words)."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


class _English:
    """The source language: each string as written (no catalogue to load, nothing imported before the kiosk's
    first page is painted)."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


class _Pseudo(_English):
    """Translates what the English catalogue template lists, and nothing else."""

    def __init__(self, known: frozenset[str]) -> None:
        self.known = known

    def gettext(self, message: str) -> str:
        return pseudo(message) if message in self.known else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        chosen = singular if n == 1 else plural
        return pseudo(chosen) if singular in self.known else chosen


_ACCENTED = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                          "àƀçðéƒĝĥíĵķļɱñöþǫŕšţûṽŵẋýžÀƁÇÐÉƑĜĤÍĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ")
_PLACEHOLDER = re.compile(r"(\{[^{}]*\})")
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"


def pseudo(message: str) -> str:
    """'Sign in' → '⟦Šíĝñ íñ~~~⟧': accented, 40% longer, its ends marked; {placeholders} kept as they are."""
    if not message:
        return message
    parts = [part if _PLACEHOLDER.fullmatch(part) else part.translate(_ACCENTED)
             for part in _PLACEHOLDER.split(message)]
    return f"{PSEUDO_OPEN}{''.join(parts)}{'~' * max(1, round(len(message) * 0.4))}{PSEUDO_CLOSE}"


_catalogues: dict[str, Catalogue] = {}


def translation(code: str | None) -> Catalogue:
    """A language's catalogue (English: the source itself). Loaded once, on first use."""
    code = language(code).code
    found = _catalogues.get(code)
    if found is None:
        if code == ENGLISH:
            found = _English()
        elif code == PSEUDO:
            found = _Pseudo(template_messages())
        else:
            import gettext

            found = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
        _catalogues[code] = found
    return found


def template_messages() -> frozenset[str]:
    """Every msgid in the catalogue template (the extracted strings), read without Babel."""
    text = (LOCALE_DIR / f"{DOMAIN}.pot").read_text(encoding="utf-8")
    found: set[str] = set()
    for block in re.findall(r'^msgid ((?:".*"\n?)+)', text, re.MULTILINE):
        message = "".join(_unquote(line) for line in re.findall(r'"(.*)"', block))
        if message:
            found.add(message)
    return frozenset(found)


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), quoted)


_current: Catalogue = translation(ENGLISH)
_current_code = ENGLISH


def use(code: str | None) -> None:
    """The screen's language from now on (the kiosk's choice; back to the trust's default at every new session)."""
    global _current, _current_code
    _current_code = language(code).code
    _current = translation(_current_code)


def current() -> str:
    """The code of the screen's language now."""
    return _current_code


def _(message: str) -> str:
    """A string shown on screen, in the screen's language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """A string that counts, in the screen's language: 'ngettext("{n} letter", "{n} letters", n).format(n=n)'."""
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is named, not shown: translate it with _() where it is shown."""
    return message
