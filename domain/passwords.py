"""The password rule: 8 to 128 characters, no composition rules, and not a common password."""

from __future__ import annotations

from functools import cache
from importlib import resources

MIN_LENGTH = 8
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (see NOTICE.md), lower-cased."""
    text = resources.files("domain").joinpath("common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(text.split())


def password_problem(password: str, email: str | None = None) -> str | None:
    """None if the password may be used, else the sentence to show beside the field."""
    if len(password) < MIN_LENGTH:
        return f"Your password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH} characters or fewer."
    lowered = password.lower()
    if lowered in common_passwords():
        return "That password is too common and easy to guess. Choose a different one."
    if email and lowered == email.lower():
        return "Your password must not be your email address."
    return None
