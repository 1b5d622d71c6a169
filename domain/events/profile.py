"""The trust's HL7 v2 profile: which sending systems are whose, which identifiers in PID-3 are hospital numbers and
whose, and HL7's own rules for text (escape sequences, `""`). The settings build one (`hl7_senders`,
`hl7_authorities`, `hl7_hospital_numbers`); its defaults take what English PAS systems send.

Identifiers belong to their issuer: a hospital number is one trust's, found and matched only among that trust's
numbers, and the NHS number is the nation's."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

HOSPITAL_NUMBER_TYPES = ("MR", "MRN", "PI", "PAS", "CNN", "MEDREC")
"""PID-3.5 identifier types that English PAS feeds use for the local hospital number (HL7 table 0203's MR and PI,
and the local codes iPM, Lorenzo, Cerner and Epic sites send)."""
NHS_AUTHORITIES = ("NHS", "NHSNBR", "2.16.840.1.113883.2.1.4.1")
"""PID-3.4 assigning authorities of the NHS number (the name, and the NHS number's OID)."""
NHS_TYPES = ("NH", "NHS", "HN", "NHSNBR")
"""PID-3.5 types of the NHS number."""
VERIFIED = ("01", "1")
"""PID-32 (identity reliability) values that say the NHS number was traced and verified; empty says nothing."""


@dataclass(frozen=True, slots=True)
class Profile:
    """What the trust's settings say about the messages it sends."""

    senders: Mapping[str, str] = field(default_factory=dict)
    """MSH-3^MSH-4 (upper case) → the trust whose system it is. A sender not named here is refused."""
    authorities: Mapping[str, str] = field(default_factory=lambda: {"RWG": "RWG", "RAL": "RAL"})
    """PID-3.4 assigning authority (upper case) → the trust whose numbers it issues."""
    hospital_numbers: tuple[str, ...] = HOSPITAL_NUMBER_TYPES
    """Which PID-3 entries are a hospital number, most preferred first: identifier types (PID-3.5) and/or
    assigning authorities (PID-3.4). An entry whose authority is a trust's code is that trust's number anyway."""
    add_unknown_bookings: bool = False
    """A change to a booking the portal never received (made before the feed began) is added instead of ignored."""

    def trust_of(self, sender: str) -> str | None:
        """The trust a sending system is, where the settings name it."""
        return self.senders.get(sender.upper())


@dataclass(frozen=True, slots=True)
class Identifiers:
    """What PID-3 says, by issuer."""

    nhs_number: str | None
    """The NHS number as sent (checked later), where PID-32 does not say it is unverified."""
    hospital_number: str | None
    """The sending trust's own number for the person."""
    others: tuple[tuple[str, str], ...] = ()
    """(trust, number) of other trusts' numbers the message names by their authority (a partner's MRN)."""
    unverified_nhs_number: bool = False


def identifiers(entries: tuple[tuple[str, str, str], ...], verification: str, trust: str,
                profile: Profile) -> Identifiers:
    """Sort PID-3's (value, authority, type) entries by issuer: the NHS number, the sending trust's number (the
    first entry by the order of `profile.hospital_numbers`, else one its own authority issued), other trusts'."""
    nhs: str | None = None
    unverified = False
    ranked: list[tuple[int, str]] = []
    others: dict[str, str] = {}
    wanted = [word.upper() for word in profile.hospital_numbers]
    for value, authority, kind in entries:
        value, kind = value.strip(), kind.strip().upper()
        names = [part.strip().upper() for part in authority.split("&") if part.strip()]
        if not value or value == '""':
            continue
        if kind in NHS_TYPES or any(name in NHS_AUTHORITIES for name in names):
            if verification.strip() and verification.strip() not in VERIFIED:
                unverified = True  # the sender says it is not verified: never used to find anyone
            elif nhs is None:
                nhs = value
            continue
        issuer = next((profile.authorities[name] for name in names if name in profile.authorities), None)
        if issuer is not None and issuer != trust:
            others.setdefault(issuer, value[:20])  # another trust's number: never the sender's, never matched by
            continue
        rank = next((n for n, word in enumerate(wanted) if word == kind or word in names), None)
        if rank is None and issuer == trust and not kind:
            rank = len(wanted)  # the trust's own authority, no type given
        if rank is not None:
            ranked.append((rank, value[:20]))
    hospital = min(ranked)[1] if ranked else None
    return Identifiers(nhs, hospital, tuple(sorted(others.items())), unverified)


_ESCAPE = re.compile(r"\\(F|S|T|R|E|\.br|X[0-9A-Fa-f]*)\\")


def text(value: str, escape: str = "\\") -> str:
    """A text value as written: HL7's escape sequences decoded (\\F\\ \\S\\ \\T\\ \\R\\ \\E\\, \\Xhh..\\ bytes, \\.br\\
    a line break); anything else left as it came. `escape` is MSH-2's fourth character."""
    if escape not in value:
        return value
    pattern = _ESCAPE if escape == "\\" else re.compile(
        re.escape(escape) + r"(F|S|T|R|E|\.br|X[0-9A-Fa-f]*)" + re.escape(escape))
    delimiters = {"F": "|", "S": "^", "T": "&", "R": "~", "E": escape, ".br": "\n"}

    def decode(found: re.Match[str]) -> str:
        code = found.group(1)
        if code[0] == "X":
            digits = code[1:]
            if len(digits) % 2:
                return found.group(0)
            return bytes.fromhex(digits).decode("utf-8", errors="replace")
        return delimiters[code]

    return pattern.sub(decode, value)


DELETE = '""'
"""HL7's null: the sender says this value is to be deleted (never the text `""`)."""
