"""One-time codes sent by SMS, and invitation codes: made, hashed, checked, rate-limited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

CODE_LIFETIME = timedelta(minutes=10)
SEND_WINDOW = timedelta(minutes=15)
MAX_SENDS_PER_WINDOW = 3
MAX_WRONG_TRIES = 5

# Invitation codes avoid letters and digits people confuse (0/O, 1/I/L, 5/S, 8/B).
_INVITATION_ALPHABET = "ACDEFGHJKMNPQRTUVWXY2345679"


class CodePurpose(StrEnum):
    """What a one-time code proves."""

    REGISTRATION = "registration"
    SIGN_IN = "sign_in"
    UNLOCK = "unlock"
    """The owner of a locked or stopped address opens it again (their password is still asked after)."""


@dataclass(frozen=True, slots=True)
class OneTimeCode:
    """A 6-digit code as stored: only its salted hash, never the digits."""

    id: str
    patient_id: int
    purpose: CodePurpose
    code_hash: str
    created_at: datetime
    expires_at: datetime
    wrong_tries: int = 0
    used_at: datetime | None = None
    superseded: bool = False
    challenge_id: str | None = None
    """The sign-in or registration attempt that asked for it; no other attempt can use it or spoil it."""

    @property
    def is_dead(self) -> bool:
        """No longer accepts any code: used, replaced by a newer one, or too many wrong tries."""
        return self.used_at is not None or self.superseded or self.wrong_tries >= MAX_WRONG_TRIES


def hash_code(code: str, salt: str | None = None) -> str:
    """'salt$hexdigest' — a salted SHA-256 (a 6-digit code needs no slow hash: it dies after 5 tries)."""
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def code_matches(code_hash: str, typed: str) -> bool:
    """Constant-time comparison of a typed code against a stored hash."""
    salt, _, _ = code_hash.partition("$")
    return hmac.compare_digest(hash_code(typed.strip(), salt), code_hash)


def new_code_digits() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(1_000_000):06d}"


@dataclass(frozen=True, slots=True)
class SendDecision:
    """Whether a new code may be sent now; if not, why, and when it may."""

    allowed: bool
    reason: str = ""
    retry_at: datetime | None = None
    carried_wrong_tries: int = 0


def may_send_code(recent: list[OneTimeCode], now: datetime, challenge_id: str | None = None) -> SendDecision:
    """At most 3 codes per 15 minutes to a record; the attempt's wrong tries carry over to its new code, so
    asking again never resets them (another attempt's tries are its own)."""
    window = [code for code in recent if code.created_at > now - SEND_WINDOW]
    if not window:
        return SendDecision(True)
    retry_at = min(code.created_at for code in window) + SEND_WINDOW
    own = [code.wrong_tries for code in window if challenge_id is None or code.challenge_id == challenge_id]
    carried = max(own, default=0)
    if carried >= MAX_WRONG_TRIES:
        return SendDecision(False, "too_many_wrong", retry_at, carried)
    if len(window) >= MAX_SENDS_PER_WINDOW:
        return SendDecision(False, "too_many_sent", retry_at, carried)
    return SendDecision(True, carried_wrong_tries=carried)


class CheckOutcome(StrEnum):
    """What happened to a typed code."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    DEAD = "dead"


def check_code(code: OneTimeCode, typed: str, now: datetime) -> tuple[CheckOutcome, OneTimeCode]:
    """The outcome, and the code as it must now be stored."""
    if code.is_dead:
        return CheckOutcome.DEAD, code
    if now >= code.expires_at:
        return CheckOutcome.EXPIRED, code
    if code_matches(code.code_hash, typed):
        return CheckOutcome.ACCEPTED, replace(code, used_at=now)
    updated = replace(code, wrong_tries=code.wrong_tries + 1)
    return (CheckOutcome.DEAD if updated.is_dead else CheckOutcome.WRONG), updated


def new_invitation_code() -> str:
    """Eight characters in two groups, easy to read from a phone: 'K7QX-M2PD'."""
    chars = "".join(secrets.choice(_INVITATION_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_invitation(text: str) -> str:
    """Upper case, no spaces, one dash in the middle — however it was typed."""
    compact = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return f"{compact[:4]}-{compact[4:]}" if len(compact) == 8 else compact


def invitation_hash(code: str) -> str:
    """Invitation codes are looked up by hash; unsalted so the lookup can use an index."""
    return hashlib.sha256(normalise_invitation(code).encode()).hexdigest()
