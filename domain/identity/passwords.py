"""The password rule: 8 to 128 characters, no composition rules, not a common password, and none of the words
an attacker would try first for this person here (NIST SP 800-63B 5.1.1.2's "context-specific words")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from functools import cache

# The names of the trusts and of the portal, as people run them together in a password.
PLACE_WORDS = ("westherts", "westhertfordshire", "watford", "royalfree", "patientportal", "hospitalportal",
               "nhsportal")

MIN_LENGTH = 8
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (see NOTICE.md), lower-cased."""
    from importlib import resources

    text = resources.files("domain.identity").joinpath("common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(text.split())


def normalised(password: str) -> str:
    """NFKC, before hashing: the same password typed on another keyboard (or pasted) is the same password."""
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str, email: str | None = None, names: Iterable[str] = (),
                     date_of_birth: date | None = None) -> str | None:
    """None if the password may be used, else the sentence to show beside the field."""
    password = normalised(password)
    if not password.strip():
        return "Your password must not be only spaces."
    if len(password) < MIN_LENGTH:
        return f"Your password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH} characters or fewer."
    lowered = password.lower()
    if lowered in common_passwords():
        return "That password is too common and easy to guess. Choose a different one."
    if email and lowered == email.lower():
        return "Your password must not be your email address."
    compact = _compact(password)
    if any(word in compact for word in PLACE_WORDS):
        return "Your password must not contain the hospital's or the portal's name. Choose a different one."
    local = _compact(email.partition("@")[0]) if email else ""
    own = [_compact(name) for name in names] + [local]
    if any(len(word) >= 3 and word in compact for word in own):
        return "Your password must not contain your name or your email address. Choose a different one."
    if date_of_birth and any(form in compact for form in _date_forms(date_of_birth)):
        return "Your password must not contain your date of birth. Choose a different one."
    return None


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _date_forms(born: date) -> set[str]:
    d, m, y = f"{born.day:02d}", f"{born.month:02d}", f"{born.year:04d}"
    return {d + m + y, d + m + y[2:], y + m + d, m + d + y, f"{born.day}{born.month}{y}"}
