"""ADT person and patient updates (A28, A31, A08): the PID segment read out of the message, checked by the
domain (domain/events/person.py), and applied to the patient table in the same transaction that stores the
message — so an ACK always means the change is made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import PatientRow
from domain.events.feed import Outcome
from domain.events.attendance import ATTENDANCE_EVENTS, FeedRules, invitation_reason
from domain.events.person import ADD_EVENTS, NotUsable, PidFields, person


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
                     nhs_number_status=parts(field(32), 1)[0])


def apply_person(session: Session, raw: str, message_type: str, trust: str, *,
                 allow_drama: bool = False, rules: FeedRules | None = None,
                 now: datetime | None = None) -> tuple[Outcome, str, bool]:
    """Update the patient the PID names (by NHS number, else hospital number); add one for A28/A31/A04/A01.
    After an attendance or admission, the invitation if one is due. (outcome, reason, whether invited)"""
    try:
        facts = person(read_pid(raw), allow_drama=allow_drama)
    except NotUsable as reason:
        return Outcome.REFUSED, str(reason), False
    row = None
    if facts.nhs_number is not None:
        row = session.scalars(select(PatientRow).where(PatientRow.nhs_number == facts.nhs_number.digits)).first()
    if row is None and facts.hospital_number is not None:
        row = session.scalars(select(PatientRow).where(PatientRow.hospital_number == facts.hospital_number)).first()
    if row is None:
        if message_type not in ADD_EVENTS:
            return Outcome.REFUSED, "no such patient: an update for a patient the portal has not been told of", False
        if facts.hospital_number is None:
            return Outcome.REFUSED, "a new patient needs a hospital number (PID-3 of type MR)", False
        row = PatientRow(hospital_number=facts.hospital_number, trust_code=trust,
                         nhs_number=facts.nhs_number.digits if facts.nhs_number else None, letter_preference="paper")
        session.add(row)
        done = "added"
    else:
        if facts.nhs_number is not None and row.nhs_number not in (None, facts.nhs_number.digits):
            return Outcome.REFUSED, "the NHS number and the hospital number name two different patients", False
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
    session.flush()
    said = f"patient {done} ({row.hospital_number})"
    if message_type in ATTENDANCE_EVENTS and rules is not None and now is not None:
        invited, why = _invite(session, raw, message_type, row.id, trust, rules, now)
        return Outcome.ACCEPTED, f"{said}; {why}", invited
    return Outcome.ACCEPTED, said, False


def _invite(session: Session, raw: str, message_type: str, patient_id: int, trust: str, rules: FeedRules,
            now: datetime) -> tuple[bool, str]:
    """The FAQ's invitation after an ED attendance or an emergency admission, with the reason either way."""
    from types import SimpleNamespace

    from data.identity.accounts import SqlAccountRepository, SqlInvitationRepository, SqlOutbox, SqlTrustRepository
    from data.repositories import SqlPatientRepository
    from domain.hospital import TrustCode
    from domain.identity.invitations import invitation_due, invite
    from domain.messaging.sms import outside_quiet_hours

    pv1 = _segment(raw, "PV1")
    point_of_care = pv1[3].split(_separators(raw)[1])[0] if len(pv1) > 3 else ""
    due, why = invitation_reason(message_type, pv1[2] if len(pv1) > 2 else "", point_of_care,
                                 pv1[4] if len(pv1) > 4 else "", rules)
    if not due:
        return False, f"no invitation: {why}"
    uow = SimpleNamespace(patients=SqlPatientRepository(session), accounts=SqlAccountRepository(session),
                          invitations=SqlInvitationRepository(session), outbox=SqlOutbox(session))
    patient = uow.patients.get(patient_id)
    assert patient is not None
    not_now = invitation_due(uow, patient, now)  # type: ignore[arg-type]
    if not_now is not None:
        return False, f"no invitation after {why}: {not_now}"
    sms = invite(uow, patient, SqlTrustRepository(session).get(TrustCode(trust)), now, rules.portal_url,  # type: ignore[arg-type]
                 send_after=outside_quiet_hours(now))
    return (True, f"registration invitation queued after {why}") if sms else (False, f"no invitation after {why}")
