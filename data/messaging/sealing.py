"""A text that carries a code (a sign-in or registration code, an invitation code) is sealed while it waits in the
outbox, with a key derived from the settings' `limits_key` — which lives in every terminal's settings and never in
the database — so that a backup taken while a code waits, or anyone who reads the database, does not read the
code. The dispatcher opens it to send it; once sent (or failed for good) the digits are gone altogether
(outbox.py). Without `limits_key` set, texts wait as written (the README says to set it for real use).

One key for the whole process, set by the composition root when it opens the database (portal_tui/bootstrap.py)."""

from __future__ import annotations

import base64

from domain.messaging.model import SmsTemplate

SEALED = "sealed:"
"""How a sealed body starts (the rest is a Fernet token)."""
CARRIES_A_CODE = frozenset({SmsTemplate.ONE_TIME_CODE.value, SmsTemplate.REGISTRATION_INVITATION.value})

_box = None
"""The Fernet made from the key, or None: nothing is sealed."""


class SealError(ValueError):
    """A sealed text this program cannot open: its `limits_key` is not the one that sealed it."""


def use_key(secret: str | None) -> None:
    """Seal with a key derived from `secret` from now on (None or empty: seal nothing)."""
    global _box
    if not secret:
        _box = None
        return
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal-tui: codes in the outbox").derive(
        secret.encode())
    _box = Fernet(base64.urlsafe_b64encode(derived))


def sealed(body: str, template: str) -> str:
    """The body to store: sealed where it carries a code and there is a key."""
    if _box is None or template not in CARRIES_A_CODE:
        return body
    return SEALED + _box.encrypt(body.encode()).decode()


def opened(body: str) -> str:
    """The body as written (a body that was never sealed is as it is)."""
    if not body.startswith(SEALED):
        return body
    if _box is None:
        raise SealError("A text in the outbox is sealed and this program has no key to open it: set limits_key "
                        "(PORTAL_LIMITS_KEY) as on the kiosks.")
    from cryptography.fernet import InvalidToken

    try:
        return _box.decrypt(body.removeprefix(SEALED).encode()).decode()
    except InvalidToken:
        raise SealError("A text in the outbox was sealed with another key: set limits_key (PORTAL_LIMITS_KEY) the "
                        "same on every terminal and the dispatcher.") from None
