"""Receiving the hospital's HL7 v2 feed: what happens to each message, and the acknowledgement it gets.

Every message is stored first, then given one outcome. A sender resends when an ACK is lost, so the same
control id from the same sender with the same content is a **duplicate**: acknowledged again, changing nothing.
The same control id with different content is **refused** ("control id reused") and kept for a person to look
at. A well-formed message of a kind the portal has no use for is **ignored**: acknowledged, counted, and it
changes nothing. Only what the portal should understand but cannot use safely is refused."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """What became of a message."""

    ACCEPTED = "accepted"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    REFUSED = "refused"

    @property
    def ack_code(self) -> str:
        """HL7's MSA-1: AA for everything the portal has taken (kept, ignored or seen before), AR refused."""
        return "AR" if self is Outcome.REFUSED else "AA"


UNDERSTOOD: frozenset[str] = frozenset({"ADT^A28", "ADT^A31", "ADT^A08", "ADT^A04", "ADT^A01", "ADT^A03", "ADT^A40",
                                        "SIU^S12", "SIU^S13", "SIU^S14", "SIU^S15", "SIU^S26"})
"""Message types (type^event) the portal acts on: people added, updated and merged, attendances and stays, and
the PAS's bookings. Anything else well formed is kept and ignored."""


@dataclass(frozen=True, slots=True)
class Header:
    """What the MSH segment says about a message: who sent it, which one it is, of what kind."""

    sender: str
    """MSH-3^MSH-4: the sending application and facility."""
    control_id: str
    """MSH-10."""
    message_type: str
    """MSH-9 as 'ADT^A28'."""
    version: str


def handling(header: Header) -> Outcome:
    """Accepted when the portal understands the kind of message; else ignored."""
    return Outcome.ACCEPTED if header.message_type in UNDERSTOOD else Outcome.IGNORED


def repeat(previous_hash: str, content_hash: str) -> tuple[Outcome, str]:
    """The same control id from the same sender again: a resend (duplicate) or a reused id (refused)."""
    if previous_hash == content_hash:
        return Outcome.DUPLICATE, "received before: acknowledged again, nothing changed"
    return Outcome.REFUSED, "control id reused: the same sender sent different content under this id"
