"""ADT person and patient updates (A28, A31, A08), attendances (A04, A01, A03) and merges (A40): the PID segment
read out of the message, checked by the domain (domain/events/person.py), and applied in the same transaction
that stores the message — so an ACK always means the change is made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from data.models import LocationRow, PatientIdentifierRow, PatientRow
from domain.events.feed import Outcome
from domain.events.attendance import ATTENDANCE_EVENTS, FeedRules, invitation_reason
from domain.events.person import ADD_EVENTS, NotUsable, PersonFacts, PidFields, person


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


def read_pid(raw: str) -> PidFields:
    """PID's fields by the message's own encoding characters (MSH-1 and MSH-2)."""
    _, component, repetition = _separators(raw)
    fields = _segment(raw, "PID")
    if not fields:
        raise NotUsable("there is no PID segment")

    def field(n: int) -> str:
        return fields[n] if len(fields) > n else ""

    def parts(text: str, count: int) -> tuple[str, ...]:
        found = text.split(component)
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
                     given_name=name[1], birth=field(7), death=field(29), postcode=address[4], phones=tuple(phones),
                     nhs_number_status=parts(field(32), 1)[0], address=address[:4])


MERGED_NUMBER = "urn:portal:merged-hospital-number"
"""The system under which a merged-away record's hospital number is kept on the surviving patient, so that a
later message naming the old number still finds them."""


def find_patient(session: Session, facts: PersonFacts) -> PatientRow | None:
    """By NHS number, else hospital number (a merged-away number too)."""
    row = None
    if facts.nhs_number is not None:
        row = session.scalars(_BY_NHS_NUMBER, {"nhs_number": facts.nhs_number.digits}).first()
    if row is None and facts.hospital_number is not None:
        row = _by_hospital_number(session, facts.hospital_number)
    return row


_BY_NHS_NUMBER = select(PatientRow).where(PatientRow.nhs_number == bindparam("nhs_number")).limit(1)
_BY_HOSPITAL_NUMBER = select(PatientRow).where(or_(
    PatientRow.hospital_number == bindparam("number"),
    PatientRow.id.in_(select(PatientIdentifierRow.patient_id).where(
        PatientIdentifierRow.system == MERGED_NUMBER, PatientIdentifierRow.value == bindparam("number"))),
)).order_by(PatientRow.hospital_number != bindparam("number")).limit(1)
"""The patient with this hospital number, else the one that took it in a merge (built once: every message asks)."""


def upsert_person(session: Session, raw: str, message_type: str, trust: str, *,
                  allow_drama: bool = False) -> tuple[PatientRow, str]:
    """The patient the PID names, updated from it (or added, for an event that may add one); NotUsable says
    why not."""
    facts = person(read_pid(raw), allow_drama=allow_drama)
    row = find_patient(session, facts)
    if row is None:
        if message_type not in ADD_EVENTS:
            raise NotUsable("no such patient: an update for a patient the portal has not been told of")
        if facts.hospital_number is None:
            raise NotUsable("a new patient needs a hospital number (PID-3 of type MR)")
        row = PatientRow(hospital_number=facts.hospital_number, trust_code=trust,
                         nhs_number=facts.nhs_number.digits if facts.nhs_number else None, letter_preference="paper")
        session.add(row)
        done = "added"
    else:
        if facts.nhs_number is not None and row.nhs_number not in (None, facts.nhs_number.digits):
            raise NotUsable("the NHS number and the hospital number name two different patients")
        if facts.nhs_number is not None:
            row.nhs_number = facts.nhs_number.digits
        done = "updated"
    row.given_name, row.family_name = facts.given_name, facts.family_name
    row.date_of_birth = facts.date_of_birth
    if facts.date_of_death is not None:  # an empty PID-29 says nothing (HL7: not sent), it does not bring back to life
        row.date_of_death = facts.date_of_death
    if facts.postcode is not None:
        row.postcode = facts.postcode
    elif row.postcode is None:
        row.postcode = ""
    if facts.mobile is not None:
        row.mobile = facts.mobile.e164
    if facts.address_lines:  # an empty PID-11 says nothing; the last address the PAS gave stands
        row.address_lines = "\n".join(facts.address_lines)[:400]
    session.flush()
    return row, f"patient {done} ({row.hospital_number})"


def apply_person(session: Session, raw: str, message_type: str, trust: str, *,
                 allow_drama: bool = False, rules: FeedRules | None = None,
                 now: datetime | None = None) -> tuple[Outcome, str, bool]:
    """Update the patient the PID names (by NHS number, else hospital number); add one for A28/A31/A04/A01.
    After an attendance or admission, the visit recorded and the invitation if one is due.
    (outcome, reason, whether invited)"""
    try:
        row, said = upsert_person(session, raw, message_type, trust, allow_drama=allow_drama)
    except NotUsable as reason:
        return Outcome.REFUSED, str(reason), False
    if message_type in ATTENDANCE_EVENTS and rules is not None and now is not None:
        said = f"{said}; {_visit(session, raw, message_type, row.id, trust, now)}"
        invited, why = _invite(session, raw, message_type, row.id, trust, rules, now)
        return Outcome.ACCEPTED, f"{said}; {why}", invited
    return Outcome.ACCEPTED, said, False


def merge(session: Session, raw: str, trust: str, now: datetime, sender: str, *,
          allow_drama: bool = False) -> tuple[Outcome, str, bool]:
    """ADT A40: the record MRG-1 names is merged into the one PID names. The survivor keeps everything of both
    — appointments, referrals, letters, results, visits, texts, invitations and the portal account — and the
    merged-away hospital number, so later messages naming it still find them. Audited on both ids."""
    from data.events.merging import merge_patients

    _, component, _ = _separators(raw)
    mrg = _segment(raw, "MRG")
    if not mrg:
        return Outcome.REFUSED, "an A40 needs an MRG segment naming the record merged away", False
    prior = [part.split(component) for part in (mrg[1] if len(mrg) > 1 else "").split(_separators(raw)[2]) if part]
    prior_number = next((p[0].strip() for p in prior if len(p) < 5 or p[4].upper() in ("MR", "PI", "")), "")
    if not prior_number:
        return Outcome.REFUSED, "MRG-1 gives no hospital number (type MR) for the record merged away", False
    try:
        facts = person(read_pid(raw), allow_drama=allow_drama)
    except NotUsable as reason:
        return Outcome.REFUSED, str(reason), False
    # The survivor by its hospital number first: the record merged away may be the one holding the NHS number.
    survivor = (_by_hospital_number(session, facts.hospital_number) if facts.hospital_number else None) \
        or find_patient(session, facts)
    gone = _by_hospital_number(session, prior_number[:20])
    if survivor is None:
        return Outcome.REFUSED, "no such patient: the surviving record (PID) is not one the portal knows", False
    said = ""
    if gone is None:
        said = f"{prior_number} was merged already or never known: nothing to merge"
    elif gone.id == survivor.id:
        said = f"{prior_number} is this patient's own number: nothing to merge"
    else:
        said = f"{prior_number} merged into {survivor.hospital_number} (" + merge_patients(
            session, gone.id, survivor.id, now, f"hl7:{sender}", MERGED_NUMBER) + ")"
    try:
        _, updated = upsert_person(session, raw, "ADT^A40", trust, allow_drama=allow_drama)
    except NotUsable as reason:
        return Outcome.REFUSED, str(reason), False
    return Outcome.ACCEPTED, f"{updated}; {said}", False


def _by_hospital_number(session: Session, number: str) -> PatientRow | None:
    return session.scalars(_BY_HOSPITAL_NUMBER, {"number": number}).first()


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
