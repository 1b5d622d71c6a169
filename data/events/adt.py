"""ADT person and patient updates (A28, A31, A08), attendances (A04, A01, A03) and merges (A40): the PID segment
read out of the message, checked by the domain (domain/events/person.py), and applied in the same transaction
that stores the message — so an ACK always means the change is made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, bindparam, insert, literal, select, union_all, update
from sqlalchemy.orm import Session

from data.models import AuditEventRow, HospitalNumberRow, LocationRow, PatientRow
from domain.events.feed import Outcome
from domain.events.attendance import ATTENDANCE_EVENTS, FeedRules, invitation_reason
from domain.events.person import (ADD_EVENTS, CHANGES_WATCHED, NotUsable, PersonFacts, PidFields, changes_said,
                                  identity_conflict, person)
from domain.events.profile import Profile, identifiers
from domain.events.profile import text as hl7_text
from domain.identity.patients import LetterPreference, NumberState


def _separators(raw: str) -> tuple[str, str, str]:
    """(field, component, repetition) separators, as the message's MSH-1 and MSH-2 declare them."""
    msh = raw.split("\r", 1)[0]
    field_sep = msh[3]
    declared = msh.split(field_sep)[1] if len(msh.split(field_sep)) > 1 else ""
    encoding = declared + "^~"[len(declared):] if len(declared) < 2 else declared
    return field_sep, encoding[0], encoding[1]


def _segment(raw: str, name: str) -> list[str]:
    """The fields of the first segment called `name` (empty when there is none)."""
    field_sep = _separators(raw)[0]
    found = next((s for s in raw.split("\r") if s.startswith(name)), "")
    return found.split(field_sep) if found else []


def _escape(raw: str) -> str:
    """MSH-2's escape character ('\\' unless declared otherwise)."""
    msh = raw.split("\r", 1)[0]
    declared = msh.split(msh[3])[1] if len(msh) > 3 and len(msh.split(msh[3])) > 1 else ""
    return declared[2] if len(declared) > 2 else "\\"


def read_pid(raw: str) -> PidFields:
    r"""PID's fields by the message's own encoding characters (MSH-1 and MSH-2), each value's escape sequences
    decoded (a name with an apostrophe sent as \X27\ is the name)."""
    _, component, repetition = _separators(raw)
    escape = _escape(raw)
    fields = _segment(raw, "PID")
    if not fields:
        raise NotUsable("there is no PID segment")

    def field(n: int) -> str:
        return fields[n] if len(fields) > n else ""

    def parts(value: str, count: int) -> tuple[str, ...]:
        found = [hl7_text(part, escape) for part in value.split(component)]
        return tuple((found + [""] * count)[:count])

    identifiers = tuple(parts(rep, 5) for rep in field(3).split(repetition) if rep)
    name = parts(field(5).split(repetition)[0], 2)
    address = parts(field(11).split(repetition)[0], 5)
    phones = []
    for rep in field(13).split(repetition):
        number, use, equipment = parts(rep, 3)
        unformatted = parts(rep, 12)[11]
        phones.append((number or unformatted, use, equipment))
    return PidFields(identifiers=tuple((i[0], i[3], i[4]) for i in identifiers), family_name=name[0],
                     given_name=name[1], birth=parts(field(7), 1)[0], death=parts(field(29), 1)[0],
                     postcode=address[4], phones=tuple(phones), nhs_number_status=parts(field(32), 1)[0],
                     address=address[:4])


def find_patient(session: Session, facts: PersonFacts, trust: str) -> Row[Any] | None:
    """By NHS number (national), else the sending trust's hospital number (a merged-away one too): the patient's
    id and numbers. The same digits at another trust are another person's. NotUsable where the two name two
    people."""
    by_nhs, by_number = _stored_people(session, [facts.nhs_number.digits] if facts.nhs_number else [],
                                       _numbers_of(facts, trust))
    return _identify(facts, trust, by_nhs, by_number)


def _numbers_of(facts: PersonFacts, trust: str) -> list[str]:
    """The hospital numbers (of any trust) a message names: looked up at once, sorted out by trust after."""
    return sorted({number for _, number in _trust_numbers(facts, trust)})


def _trust_numbers(facts: PersonFacts, trust: str) -> list[tuple[str, str]]:
    """(trust, number) of every hospital number the message names, the sending trust's first."""
    own = [(trust, facts.hospital_number)] if facts.hospital_number else []
    return own + list(facts.other_numbers)


def _identify(facts: PersonFacts, trust: str, by_nhs: Mapping[str, Any], by_number: Mapping[tuple[str, str], Any]
              ) -> Any:
    """The one person the message's identifiers name (None: no one yet), or NotUsable where they name two: an
    NHS number and the sending trust's number, or another trust's number, held by two records."""
    named = by_nhs.get(facts.nhs_number.digits) if facts.nhs_number else None
    own = by_number.get((trust, facts.hospital_number)) if facts.hospital_number else None
    if named is not None and own is not None and named.id != own.id:
        raise NotUsable(f"the NHS number and the hospital number {facts.hospital_number} ({trust}) are two "
                        "different patients' (PID-3): kept for a person to resolve, nothing changed")
    found = named if named is not None else own
    if found is not None and facts.nhs_number is not None and found.nhs_number not in (None, facts.nhs_number.digits):
        raise NotUsable("the NHS number and the hospital number name two different patients (PID-3): kept for a "
                        "person to resolve, nothing changed")
    for issuer, number in facts.other_numbers:
        held = by_number.get((issuer, number))
        if held is not None and (found is None or held.id != found.id):
            raise NotUsable(f"the {issuer} hospital number {number} in PID-3 is another patient's: kept for a "
                            "person to resolve, nothing changed")
    return found


def _by_hospital_number(session: Session, number: str, trust: str) -> Row[Any] | None:
    return _stored_people(session, [], [number])[1].get((trust, number))


def _stored_people(session: Session, nhs: list[str], numbers: list[str]
                   ) -> tuple[dict[str, Row[Any]], dict[tuple[str, str], Row[Any]]]:
    """The stored patients with these NHS numbers, and those any trust gave one of these hospital numbers (a
    merged-away number too), in one statement: ({NHS number: row}, {(trust, hospital number): row})."""
    by_nhs: dict[str, Row[Any]] = {}
    by_number: dict[tuple[str, str], Row[Any]] = {}
    if nhs or numbers:
        for row in session.connection().execute(_FINDING, {"nhs": nhs, "numbers": numbers}):
            if row.asked_by == "nhs":
                by_nhs[row.asked] = row
            else:
                by_number[(row.asked_by, row.asked)] = row
    return by_nhs, by_number


_PATIENTS = PatientRow.__table__
_NUMBERS = HospitalNumberRow.__table__
_FOUND = (_PATIENTS.c.id, _PATIENTS.c.nhs_number, _PATIENTS.c.hospital_number, _PATIENTS.c.trust_code,
          *(_PATIENTS.c[column] for column in CHANGES_WATCHED if column != "nhs_number"))
"""A patient as found, with what the feed may change of them (the audit says old and new)."""
_FINDING = union_all(
    select(literal("nhs").label("asked_by"), _PATIENTS.c.nhs_number.label("asked"), *_FOUND).where(
        _PATIENTS.c.nhs_number.in_(bindparam("nhs", expanding=True))),
    select(_NUMBERS.c.trust_code.label("asked_by"), _NUMBERS.c.value.label("asked"), *_FOUND).join(
        _NUMBERS, _NUMBERS.c.patient_id == _PATIENTS.c.id).where(
        _NUMBERS.c.value.in_(bindparam("numbers", expanding=True))))
"""The patients with the NHS numbers asked, and those with the hospital numbers asked (each row saying which
trust's), each part a search of its own index (asked as one condition with OR, PostgreSQL reads every patient).
Built once: every message, or every round of them, asks."""
_ADD = insert(_PATIENTS).returning(_PATIENTS.c.id)
_ADD_MANY = insert(_PATIENTS).returning(_PATIENTS.c.id, sort_by_parameter_order=True)
_ADD_NUMBERS = insert(_NUMBERS)
_AUDIT = insert(AuditEventRow.__table__)


def feed_audit(patient_id: int | None, sender: str, now: datetime | None, action: str, detail: str) -> dict[str, Any]:
    """An audit row for a change the feed made to a person: the sending system as the actor."""
    return {"at": now or datetime.now(UTC), "actor_kind": "system", "actor_id": f"hl7:{sender}"[:40],
            "actor_role": None, "patient_id": patient_id, "action": action, "outcome": "success",
            "detail": detail[:2000], "terminal": "hl7 feed"}


_UPDATE = update(_PATIENTS).where(_PATIENTS.c.id == bindparam("patient_id"))


def _number_rows(patient_id: int, numbers: set[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"patient_id": patient_id, "trust_code": trust, "value": value, "state": NumberState.CURRENT.value}
            for trust, value in sorted(numbers)]


def _new_numbers(facts: PersonFacts, trust: str, by_number: Mapping[tuple[str, str], Any]) -> set[tuple[str, str]]:
    """The hospital numbers the message names that no one holds yet (the found patient's to take)."""
    return {pair for pair in _trust_numbers(facts, trust) if pair not in by_number}


def person_of(raw: str, trust: str, profile: Profile | None, allow_drama: bool) -> PersonFacts:
    """The PID's person, read by the trust's profile: NotUsable says why not."""
    return person(read_pid(raw), allow_drama=allow_drama, trust=trust, profile=profile)


def upsert_person(session: Session, raw: str, message_type: str, trust: str, *,
                  allow_drama: bool = False, sender: str = "PAS", now: datetime | None = None,
                  profile: Profile | None = None) -> tuple[int, str]:
    """The patient the PID names, updated from it (or added, for an event that may add one): (their id, what was
    done); NotUsable says why not, before anything is written. Hospital numbers the message names that the
    patient did not yet have (their trust's, a partner's by its authority) are theirs from now on.

    Written with SQL statements rather than through the ORM (the feed's most frequent message, and the ORM's flush
    cost more than the database): what the session holds is written first, and its copy of the patient, if it
    has one, is read again when next used."""
    facts = person_of(raw, trust, profile, allow_drama)
    session.flush()
    by_nhs, by_number = _stored_people(session, [facts.nhs_number.digits] if facts.nhs_number else [],
                                       _numbers_of(facts, trust))
    row = _identify(facts, trust, by_nhs, by_number)
    values = _change(facts, message_type, trust, row)
    connection = session.connection()
    if row is None:
        added = connection.execute(_ADD, values).scalar_one()
        connection.execute(_ADD_NUMBERS, _number_rows(added, _new_numbers(facts, trust, by_number)))
        connection.execute(_AUDIT, [feed_audit(added, sender, now, "feed_person_added",
                                               f"patient added ({values['hospital_number']})")])
        return added, f"patient added ({values['hospital_number']} at {trust})"
    connection.execute(_UPDATE, [{**values, "patient_id": row.id}])
    if new := _new_numbers(facts, trust, by_number):
        connection.execute(_ADD_NUMBERS, _number_rows(row.id, new))
    said = changes_said(row._mapping, values)
    if new:
        said = "; ".join(part for part in (said, "hospital number added: " + ", ".join(
            f"{value} ({issuer})" for issuer, value in sorted(new))) if part)
    if said:
        connection.execute(_AUDIT, [feed_audit(row.id, sender, now, "feed_person_changed", said)])
    held = session.identity_map.get(session.identity_key(PatientRow, row.id))
    if held is not None:
        session.expire(held)
    return row.id, f"patient updated ({_shown_number(facts, trust, row.hospital_number, row.trust_code)})"


def _shown_number(facts: PersonFacts, trust: str, own_number: str, own_trust: str | None) -> str:
    """The person as the message's reason names them: by the sending trust's number (and their own, where that
    number was merged into it)."""
    if not facts.hospital_number:
        return own_number
    now = f", now {own_number}" if own_trust == trust and own_number != facts.hospital_number else ""
    return f"{facts.hospital_number} at {trust}{now}"


def _change(facts: PersonFacts, message_type: str, trust: str, found: Any) -> dict[str, Any]:
    """The columns to write: a new patient's whole row (`found` None), else what the PID changes of the one found.
    NotUsable says why neither. An empty postcode, mobile, address or date of death says nothing (HL7: not sent):
    what the PAS gave last stands — an empty PID-29 does not bring anyone back to life; HL7's `""` deletes it.
    A date of birth is never unlearnt: a message without one leaves the one stored."""
    values: dict[str, Any] = {"given_name": facts.given_name, "family_name": facts.family_name}
    if facts.date_of_birth is not None:
        values["date_of_birth"] = facts.date_of_birth
    if found is None:
        if message_type not in ADD_EVENTS:
            raise NotUsable("no such patient: an update for a patient the portal has not been told of")
        if facts.hospital_number is None:
            raise NotUsable(f"a new patient needs a hospital number of {trust} in PID-3 (an identifier of a type "
                            "the profile names, such as MR or PI, or one issued by the trust's own authority)")
        return {**values, "date_of_birth": facts.date_of_birth, "hospital_number": facts.hospital_number,
                "trust_code": trust, "nhs_number": facts.nhs_number.digits if facts.nhs_number else None,
                "letter_preference": LetterPreference.PAPER.value, "postcode": facts.postcode or "",
                "date_of_death": facts.date_of_death, "mobile": facts.mobile.e164 if facts.mobile else None,
                "address_lines": _address(facts)}
    stored = found._mapping if hasattr(found, "_mapping") else found.before  # a row, or one a round holds
    if conflict := identity_conflict(stored, facts):
        raise NotUsable(conflict)
    said = {"nhs_number": facts.nhs_number.digits if facts.nhs_number else None, "postcode": facts.postcode,
            "date_of_death": facts.date_of_death, "mobile": facts.mobile.e164 if facts.mobile else None,
            "address_lines": _address(facts)}
    cleared = {column: ("" if column == "postcode" else None) for column in facts.deleted}
    return {**values, **cleared, **{name: value for name, value in said.items() if value is not None}}


def _address(facts: PersonFacts) -> str | None:
    return "\n".join(facts.address_lines)[:400] if facts.address_lines else None


@dataclass
class _Person:
    """A patient as a round of messages has left them so far: their numbers, and the columns still to write."""

    id: int | None
    """None: added by this round."""
    nhs_number: str | None
    hospital_number: str
    values: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    """As stored before the round (the audit says what the round changed)."""
    senders: set[str] = field(default_factory=set)
    numbers: set[tuple[str, str]] = field(default_factory=set)
    """(trust, hospital number) the round gave them."""


class RoundOfPeople:
    """The people a round of A28/A31/A08 messages adds or updates (the listener's group commit): found with one
    statement for the round, changed in memory in the messages' order — a later message finds whom an earlier one
    added or changed, as if each had been committed alone — and written at the round's end, the new in one
    statement and the changed in one per set of columns (on PostgreSQL each statement is a round trip). Should the
    database refuse any of it, the caller takes the round again a message at a time."""

    def __init__(self, session: Session, raws: dict[int, str], trust: str, *, allow_drama: bool,
                 profile: Profile | None = None) -> None:
        self._trust = trust
        self._facts: dict[int, PersonFacts | NotUsable] = {}
        for n, raw in raws.items():
            try:
                self._facts[n] = person_of(raw, trust, profile, allow_drama)
            except NotUsable as reason:
                self._facts[n] = reason
        facts = [f for f in self._facts.values() if isinstance(f, PersonFacts)]
        self._stored_nhs, self._stored_numbers = _stored_people(
            session, sorted({f.nhs_number.digits for f in facts if f.nhs_number is not None}),
            sorted({number for f in facts for number in _numbers_of(f, trust)}))
        self._by_id: dict[int, _Person] = {}
        self._by_nhs: dict[str, _Person] = {}
        self._by_number: dict[tuple[str, str], _Person] = {}
        self._added: list[_Person] = []

    def apply(self, n: int, message_type: str, trust: str, sender: str = "PAS") -> tuple[Outcome, str, bool]:
        """Message `n`'s change, as upsert_person would make it: (outcome, reason, invited)."""
        facts = self._facts[n]
        if isinstance(facts, NotUsable):
            return Outcome.REFUSED, str(facts), False
        try:
            found = self._find(facts)
            values = _change(facts, message_type, trust, found)
        except NotUsable as reason:
            return Outcome.REFUSED, str(reason), False
        if found is None:
            found = _Person(None, values["nhs_number"], values["hospital_number"], values)
            self._added.append(found)
            done = "added"
        else:
            found.values.update(values)
            found.nhs_number = values.get("nhs_number", found.nhs_number)
            done = "updated"
        found.numbers |= {pair for pair in _trust_numbers(facts, trust) if self._holder(pair) is None}
        found.senders.add(sender)
        self._hold(found)
        number = _shown_number(facts, trust, found.hospital_number, found.before.get("trust_code", trust))
        return Outcome.ACCEPTED, f"patient {done} ({number})", False

    def write(self, session: Session, now: datetime | None = None) -> None:
        connection = session.connection()
        audit = []
        numbers: list[dict[str, Any]] = []
        if self._added:
            ids = connection.execute(_ADD_MANY,
                                     [added.values for added in self._added]).scalars().all()
            for patient_id, added in zip(ids, self._added, strict=True):
                added.id = patient_id
                audit.append(feed_audit(patient_id, "+".join(sorted(added.senders)), now, "feed_person_added",
                                        f"patient added ({added.hospital_number})"))
        for known in self._by_id.values():
            said = changes_said(known.before, known.values)
            if known.numbers and known.before:
                said = "; ".join(part for part in (said, "hospital number added: " + ", ".join(
                    f"{value} ({issuer})" for issuer, value in sorted(known.numbers))) if part)
            if said:
                audit.append(feed_audit(known.id, "+".join(sorted(known.senders)), now, "feed_person_changed", said))
        for person in [*self._added, *self._by_id.values()]:
            assert person.id is not None
            numbers += _number_rows(person.id, person.numbers)
        changed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for known in self._by_id.values():
            if known.values:
                changed.setdefault(tuple(sorted(known.values)), []).append({**known.values, "patient_id": known.id})
        for rows in changed.values():
            connection.execute(_UPDATE, rows)
        if numbers:
            connection.execute(_ADD_NUMBERS, numbers)
        if audit:
            connection.execute(_AUDIT, audit)

    def _holder(self, pair: tuple[str, str]) -> Any:
        return self._by_number.get(pair) or self._stored_numbers.get(pair)

    def _find(self, facts: PersonFacts) -> _Person | None:
        """By NHS number, else the sending trust's number — whom this round has met first, then what was stored
        before it; NotUsable where the identifiers name two people."""
        by_nhs: dict[str, Any] = {}
        if facts.nhs_number is not None:
            digits = facts.nhs_number.digits
            by_nhs[digits] = self._by_nhs.get(digits) or self._stored(self._stored_nhs.get(digits))
        by_number = {pair: self._by_number.get(pair) or self._stored(self._stored_numbers.get(pair))
                     for pair in _trust_numbers(facts, self._trust)}
        found = _identify(facts, self._trust, {k: v for k, v in by_nhs.items() if v is not None},
                          {k: v for k, v in by_number.items() if v is not None})
        return found

    def _stored(self, row: Row[Any] | None) -> _Person | None:
        if row is None:
            return None
        return self._by_id.get(row.id) or self._hold(_Person(row.id, row.nhs_number, row.hospital_number,
                                                             before=dict(row._mapping)))

    def _hold(self, person: _Person) -> _Person:
        if person.id is not None:
            self._by_id[person.id] = person
        if person.nhs_number is not None:
            self._by_nhs[person.nhs_number] = person
        for pair in person.numbers:
            self._by_number[pair] = person
        return person


def apply_person(session: Session, raw: str, message_type: str, trust: str, *,
                 allow_drama: bool = False, rules: FeedRules | None = None,
                 now: datetime | None = None, sender: str = "PAS",
                 profile: Profile | None = None) -> tuple[Outcome, str, bool]:
    """Update the patient the PID names (by NHS number, else hospital number); add one for the events that carry
    a whole PID (A28, A31, A08, A04, A01, A03: a person the portal has not met is added, as at go-live). After an
    attendance or admission, the visit recorded and the invitation if one is due. (outcome, reason, invited)"""
    try:
        patient_id, said = upsert_person(session, raw, message_type, trust, allow_drama=allow_drama, sender=sender,
                                         now=now, profile=profile)
    except NotUsable as reason:
        return Outcome.REFUSED, str(reason), False
    if message_type in ATTENDANCE_EVENTS and rules is not None and now is not None:
        said = f"{said}; {_visit(session, raw, message_type, patient_id, trust, now)}"
        invited, why = _invite(session, raw, message_type, patient_id, trust, rules, now)
        return Outcome.ACCEPTED, f"{said}; {why}", invited
    return Outcome.ACCEPTED, said, False


def merge(session: Session, raw: str, trust: str, now: datetime, sender: str, *,
          allow_drama: bool = False, profile: Profile | None = None) -> tuple[Outcome, str, bool]:
    """ADT A40: the record MRG-1 names is merged into the one PID names. The survivor keeps everything of both
    — appointments, referrals, letters, results, visits, texts, invitations and the portal account — and the
    merged-away hospital number, so later messages naming it still find them. Audited on both ids. Where the
    survivor is one the portal never received (a record the PAS made before the feed began), the merged-away
    record becomes it, taking its identifiers."""
    from data.events.merging import merge_patients, survive_as

    _, component, repetition = _separators(raw)
    mrg = _segment(raw, "MRG")
    if not mrg:
        return Outcome.REFUSED, "an A40 needs an MRG segment naming the record merged away", False
    prior = [(p + [""] * 5)[:5] for p in (part.split(component) for part in
                                           (mrg[1] if len(mrg) > 1 else "").split(repetition) if part)]
    prior_number = identifiers(tuple((p[0], p[3], p[4]) for p in prior), "", trust,
                               profile or Profile()).hospital_number or next(
        (p[0].strip() for p in prior if not p[4].strip()), "")
    if not prior_number:
        return Outcome.REFUSED, (f"MRG-1 gives no hospital number of {trust} for the record merged away (an "
                                 "identifier of a type the profile names, such as MR or PI)"), False
    try:
        facts = person_of(raw, trust, profile, allow_drama)
        # The survivor by its hospital number first: the record merged away may be the one holding the NHS number.
        survivor = (_by_hospital_number(session, facts.hospital_number, trust) if facts.hospital_number else None)
        if survivor is None and facts.nhs_number is not None:
            survivor = _stored_people(session, [facts.nhs_number.digits], [])[0].get(facts.nhs_number.digits)
    except NotUsable as reason:
        return Outcome.REFUSED, str(reason), False
    gone = _by_hospital_number(session, prior_number[:20], trust)
    said = ""
    if survivor is None and gone is None:
        return Outcome.REFUSED, ("no such patient: neither the surviving record (PID) nor the one merged away "
                                 f"({prior_number}) is one the portal knows"), False
    if survivor is None:
        if facts.hospital_number is None:
            return Outcome.REFUSED, f"PID-3 gives no hospital number of {trust} for the surviving record", False
        if conflict := identity_conflict(gone._mapping, facts):
            return Outcome.REFUSED, conflict, False
        said = survive_as(session, gone.id, trust, prior_number[:20], facts.hospital_number, now, f"hl7:{sender}")
    elif gone is None:
        said = f"{prior_number} was merged already or never known: nothing to merge"
    elif gone.id == survivor.id:
        said = f"{prior_number} is this patient's own number: nothing to merge"
    else:
        said = f"{prior_number} merged into {survivor.hospital_number} (" + merge_patients(
            session, gone.id, survivor.id, now, f"hl7:{sender}") + ")"
    try:
        _, updated = upsert_person(session, raw, "ADT^A40", trust, allow_drama=allow_drama, sender=sender, now=now,
                                   profile=profile)
    except NotUsable as reason:
        return Outcome.REFUSED, str(reason), False
    return Outcome.ACCEPTED, f"{updated}; {said}", False


def _visit(session: Session, raw: str, message_type: str, patient_id: int, trust: str, now: datetime) -> str:
    """An ED attendance or admission (A04, A01) kept as a visit under its visit number (PV1-19); a discharge
    (A03) ends it. Without a visit number nothing is kept (it could not be ended later)."""
    from data.events.visits import record_visit

    return record_visit(session, raw, _segment(raw, "PV1"), _separators(raw)[1], message_type, patient_id, trust,
                        now)


def _invite(session: Session, raw: str, message_type: str, patient_id: int, trust: str, rules: FeedRules,
            now: datetime) -> tuple[bool, str]:
    """The FAQ's invitation after an ED attendance or an emergency admission, with the reason either way."""
    from data.uow import BoundUnitOfWork
    from domain.hospital import TrustCode
    from domain.identity.invitations import invitation_due, invite
    from domain.messaging.sms import outside_quiet_hours

    pv1 = _segment(raw, "PV1")
    point_of_care = pv1[3].split(_separators(raw)[1])[0] if len(pv1) > 3 else ""
    kind = session.scalar(select(LocationRow.kind).where(LocationRow.code == point_of_care.strip().upper())) \
        if point_of_care.strip() else None
    due, why = invitation_reason(message_type, pv1[2] if len(pv1) > 2 else "", point_of_care,
                                 pv1[4] if len(pv1) > 4 else "", rules, kind)
    if not due:
        return False, f"no invitation: {why}"
    uow = BoundUnitOfWork(session)
    patient = uow.patients.get(patient_id)
    assert patient is not None
    not_now = invitation_due(uow, patient, now)  # type: ignore[arg-type]
    if not_now is not None:
        return False, f"no invitation after {why}: {not_now}"
    sms = invite(uow, patient, uow.trusts.get(TrustCode(trust)), now, rules.portal_url,  # type: ignore[arg-type]
                 send_after=outside_quiet_hours(now))
    return (True, f"registration invitation queued after {why}") if sms else (False, f"no invitation after {why}")
