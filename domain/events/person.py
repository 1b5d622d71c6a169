"""A person as the PAS describes them in a PID segment, checked as the portal checks what people type: the NHS
number by its check digit, the mobile as a UK mobile, the postcode as a UK postcode. What cannot be used safely
is a refusal with its reason; what is merely absent (no mobile) is simply absent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from domain.errors import InvalidValue
from domain.events.profile import DELETE, Profile, identifiers
from domain.identifiers import NhsNumber, Postcode, UkMobile
from domain.text import clean_line

ADD_EVENTS = frozenset({"ADT^A28", "ADT^A31", "ADT^A08", "ADT^A04", "ADT^A01", "ADT^A03", "SIU^S12"})
"""Add (or update) a person: each carries a whole PID, so one the portal has not met is added — at go-live the
PAS's first message about most people is an update (A08, A31) or a discharge (A03), and a booking (S12) may be a
new patient's first contact. A merge (A40) and a change to a booking update only someone the portal knows."""


class NotUsable(Exception):
    """The message says something the portal cannot use safely: refused, with this reason."""


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What a PID segment says, checked."""

    nhs_number: NhsNumber | None
    hospital_number: str | None
    """The sending trust's own number for them."""
    given_name: str
    family_name: str
    date_of_birth: date | None
    """None: the message gives none (the person is kept without one, and cannot register or be invited)."""
    date_of_death: date | None
    postcode: str | None
    mobile: UkMobile | None
    address_lines: tuple[str, ...] = ()
    """PID-11's street, other designation, city and county, where given (the post room prints them)."""
    other_numbers: tuple[tuple[str, str], ...] = ()
    """(trust, number): other trusts' numbers for them, named by their assigning authority."""
    deleted: frozenset[str] = frozenset()
    """The columns the message deletes with HL7's `""` (postcode, mobile, address_lines, date_of_death)."""


@dataclass(frozen=True, slots=True)
class PidFields:
    """The raw values a PID segment gives (the data layer reads them out of the message, escapes decoded)."""

    identifiers: tuple[tuple[str, str, str], ...]
    """(value, assigning authority, identifier type) of each PID-3 repetition."""
    family_name: str
    given_name: str
    birth: str
    death: str
    postcode: str
    phones: tuple[tuple[str, str, str], ...]
    """(number, use code, equipment type) of each PID-13 repetition."""
    nhs_number_status: str
    """PID-32, where the sender fills it: '01' (or '1') is an NHS number present and verified."""
    address: tuple[str, ...] = ()
    """PID-11's first four components: street, other designation, city, county."""


def person(fields: PidFields, *, allow_drama: bool = False, trust: str = "RWG",
           profile: Profile | None = None) -> PersonFacts:
    """The facts, or NotUsable with the reason. `trust`: the sending trust, whose number PID-3 is read for."""
    found = identifiers(fields.identifiers, fields.nhs_number_status, trust, profile or Profile())
    nhs: NhsNumber | None = None
    if found.nhs_number is not None:
        value = clean_line(found.nhs_number).strip()
        try:
            nhs = NhsNumber.parse(value)
        except InvalidValue:
            raise NotUsable(f"PID-3: {NhsNumber.problem(value) or 'not an NHS number'} (it says "
                            f"{value[:20]!r})") from None
    hospital = clean_line(found.hospital_number).strip()[:20] if found.hospital_number else None
    family, given = (clean_line(name).strip() for name in (fields.family_name, fields.given_name))
    if not family or not given or DELETE in (family, given):
        raise NotUsable(f"PID-5 gives no family and given name (it says {clean_line(fields.family_name)[:30]!r}, "
                        f"{clean_line(fields.given_name)[:30]!r})")
    born = None
    if fields.birth.strip() and fields.birth.strip() != DELETE:
        born = _day(fields.birth)
        if born is None:
            raise NotUsable(f"PID-7: {clean_line(fields.birth)[:20]!r} is not a date of birth (YYYYMMDD)")
    deleted = {column for column, value in (("postcode", fields.postcode), ("date_of_death", fields.death),
                                            ("address_lines", fields.address[0] if fields.address else ""))
               if value.strip() == DELETE}
    if any(number.strip() == DELETE for number, _, _ in fields.phones):
        deleted.add("mobile")
    postcode = None
    if fields.postcode.strip() and "postcode" not in deleted:
        try:
            postcode = Postcode.parse(fields.postcode).value
        except InvalidValue:
            postcode = None  # an address abroad, or a typing slip at the PAS: kept as it was
    lines = tuple(line[:80] for line in (clean_line(part).strip() for part in fields.address)
                  if line and line != DELETE)
    death = None if "date_of_death" in deleted else _day(fields.death)
    others = tuple((issuer, clean_line(number).strip()[:20]) for issuer, number in found.others)
    return PersonFacts(nhs, hospital, given[:100], family[:100], born, death, postcode,
                       _mobile(fields.phones, allow_drama), lines, others, frozenset(deleted))


def _mobile(phones: tuple[tuple[str, str, str], ...], allow_drama: bool) -> UkMobile | None:
    """The number marked as a mobile (equipment type CP) first, else the first that is a UK mobile."""
    ordered = sorted(phones, key=lambda p: p[2].upper() != "CP")
    for number, _, _ in ordered:
        try:
            return UkMobile.parse(number, allow_drama=allow_drama)
        except InvalidValue:
            continue
    return None


def _day(text: str) -> date | None:
    digits = (text or "").strip()[:8]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


FEED_CHANGES = frozenset({"feed_person_changed"})
"""The audit actions of a hospital system changing a person's details: the patient is shown them beside staff's
looks ("who has looked at or changed my record"), and so is a clerk on the phone."""

CHANGES_WATCHED = {"nhs_number": "NHS number", "given_name": "given name", "family_name": "family name",
                   "date_of_birth": "date of birth", "date_of_death": "date of death", "postcode": "postcode",
                   "address_lines": "address", "mobile": "mobile"}
"""What the feed may change of a person, as the audit trail names it (column: words)."""


def changes_said(before: Mapping[str, object], after: Mapping[str, object]) -> str:
    """What the feed changed of a person, each 'old → new', for the audit trail ('' where nothing changed).
    A mobile shows its last three digits only, as staff screens do."""
    said = []
    for column, words in CHANGES_WATCHED.items():
        if column in after and after[column] != before.get(column):
            said.append(f"{words}: {_shown(column, before.get(column))} → {_shown(column, after[column])}")
    return "; ".join(said)


def _shown(column: str, value: object) -> str:
    if value is None or value == "":
        return "(none)"
    if column == "mobile":
        return f"*****{str(value)[-3:]}"
    if isinstance(value, date):
        return value.isoformat()
    return clean_line(str(value).replace("\n", ", "))[:120]


def identity_conflict(stored: Mapping[str, object], facts: PersonFacts) -> str:
    """Why the person a message describes is plainly not the stored one its identifier found ('' where they may
    be the same, with a change or a typo mended): the message is then refused and kept for a person to resolve,
    never applied. The rule, decided for a wrong-patient hazard, not for tidiness:

    - both names plainly disagree — the family name *and* the given name are neither the same (letters only, any
      case), nor one inside the other, nor three-quarters alike (a family name alone changes on marriage);
    - or the date of birth plainly disagrees and a name does too. A date plainly disagrees when more than one of
      day, month and year differ, or one differs by more than a typo (one digit, a neighbouring number, day and
      month swapped). The same names with another date of birth is the PAS mending it: applied, and audited.
    """
    family, given = str(stored.get("family_name") or ""), str(stored.get("given_name") or "")
    family_alike = not family or _alike(family, facts.family_name)
    given_alike = not given or _alike(given, facts.given_name)
    if not family_alike and not given_alike:
        return ("identity conflict: the record this identifier names is another person by both names (PID-5); "
                "kept for a person to resolve, nothing changed")
    born = stored.get("date_of_birth")
    if isinstance(born, date) and facts.date_of_birth is not None and \
            _plainly_different(born, facts.date_of_birth) and not (family_alike and given_alike):
        return (f"identity conflict: the record this identifier names was born {born.isoformat()} with another "
                f"name, the message says {facts.date_of_birth.isoformat()} (PID-7, PID-5); kept for a person to "
                "resolve, nothing changed")
    return ""


def _plainly_different(a: date, b: date) -> bool:
    if a == b or (a.year == b.year and a.day == b.month and a.month == b.day):
        return False
    parts = [(a.day, b.day), (a.month, b.month), (a.year, b.year)]
    differing = [(x, y) for x, y in parts if x != y]
    if len(differing) > 1:
        return True
    x, y = differing[0]
    return not _one_digit_apart(x, y) and abs(x - y) > 1


def _one_digit_apart(x: int, y: int) -> bool:
    left, right = str(x).zfill(4), str(y).zfill(4)
    return sum(p != q for p, q in zip(left, right)) == 1 or sorted(left) == sorted(right)


def _alike(a: str, b: str) -> bool:
    from difflib import SequenceMatcher

    left, right = ("".join(c for c in s.casefold() if c.isalpha()) for s in (a, b))
    if not left or not right or left in right or right in left:
        return True
    return SequenceMatcher(None, left, right).ratio() >= 0.75
