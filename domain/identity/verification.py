"""Sending and checking one-time codes for a challenge: the step registration and sign-in share."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from domain.language import ENGLISH, SHIPPED, _, current as current_language, ngettext
from domain.audit import AuditEvent, Outcome
from domain.identity.challenges import Challenge
from domain.identity.codes import (CODE_LIFETIME, SEND_WINDOW, CheckOutcome, CodePurpose, OneTimeCode, check_code, hash_code,
                          may_send_code, new_code_digits)
from domain.errors import Refused
from domain.formatting import nhs_datetime, nhs_time
from domain.limits import Decision, first_refusal, within
from domain.hospital import TrustCode
from domain.messaging.wording import one_time_code_sms
from domain.messaging.model import SmsMessage, SmsStatus, SmsTemplate
from domain.identity.patients import Patient
from domain.ports import Clock, UnitOfWork


@dataclass(frozen=True, slots=True)
class CodeSent:
    """What the screen may say about a code just sent: where, masked, and how long it lasts."""

    ticket: str
    masked_mobile: str
    sms: SmsMessage
    """The queued text; only the composition root sees it (to show a demo phone), never a screen."""


NOT_SIGNED_IN = "not signed in"
"""The actor of what is done at a kiosk before anyone has signed in (the audit row names the terminal)."""


def kiosk_audit(clock: Clock, action: str, outcome: Outcome, patient_id: int | None, detail: str) -> AuditEvent:
    """An audit entry for something done at the kiosk before anyone has signed in."""
    return AuditEvent(at=clock.now(), actor_kind="kiosk", actor_id=NOT_SIGNED_IN, action=action, outcome=outcome,
                      patient_id=patient_id, detail=detail)


def call_us(uow: UnitOfWork) -> str:
    """The Appointments team's number, for the end of a refusal."""
    return uow.trusts.get(TrustCode.WEST_HERTS).appointments_phone


def route_closed(uow: UnitOfWork, now: datetime, challenge: Challenge) -> Decision:
    """Has this record had too many wrong codes for this purpose today?"""
    rules = uow.limits.rules
    subject = uow.limits.subject("record", f"{challenge.patient_id}:{challenge.purpose}")
    return within(rules.wrong_codes, uow.limits.times(rules.wrong_codes.name, subject, now - rules.wrong_codes.window),
                  now)


def closed_message(uow: UnitOfWork, decision: Decision) -> str:
    if decision.retry_at:
        return _("Codes have been entered wrongly too many times today, so this has been stopped to keep the record "
                 "safe. You can try again after {when}, or call the Appointments team on {phone}.").format(
            when=nhs_datetime(decision.retry_at), phone=call_us(uow))
    return _("Codes have been entered wrongly too many times today, so this has been stopped to keep the record "
             "safe. You can try again, or call the Appointments team on {phone}.").format(phone=call_us(uow))


def _texts_allowed(uow: UnitOfWork, now: datetime, mobile: str) -> Decision:
    """At most so many codes to one mobile an hour and a day (whichever record asked), and from one terminal."""
    limits, rules = uow.limits, uow.limits.rules
    to_mobile, at_terminal = limits.subject("mobile", mobile), limits.subject("terminal", limits.terminal)
    limits.hold(to_mobile, at_terminal)
    sent = limits.times(rules.texts_per_mobile_day.name, to_mobile, now - rules.texts_per_mobile_day.window)
    from_here = limits.times(rules.texts_per_terminal_hour.name, at_terminal, now - rules.texts_per_terminal_hour.window)
    decision = first_refusal(within(rules.texts_per_mobile_hour, sent, now), within(rules.texts_per_mobile_day, sent, now),
                             within(rules.texts_per_terminal_hour, from_here, now))
    if decision:
        limits.add(rules.texts_per_mobile_hour.name, to_mobile, now)
        limits.add(rules.texts_per_terminal_hour.name, at_terminal, now)
    return decision


def send_code(uow: UnitOfWork, clock: Clock, challenge: Challenge, patient: Patient) -> CodeSent:
    """Queue a new code for the mobile on the record, within the limits; inside the caller's unit of work."""
    now = clock.now()
    uow.patients.lock(patient.id)
    closed = route_closed(uow, now, challenge)
    if not closed:
        uow.audit.record(kiosk_audit(clock, f"{challenge.purpose}_code", Outcome.DENIED, patient.id, "route closed"))
        uow.commit()
        raise Refused(closed_message(uow, closed))
    decision = may_send_code(uow.codes.recent(patient.id, challenge.purpose, now - SEND_WINDOW), now, challenge.id)
    if not decision.allowed:
        uow.audit.record(kiosk_audit(clock, f"{challenge.purpose}_code", Outcome.DENIED, patient.id, decision.reason))
        uow.commit()
        wait = nhs_time(decision.retry_at) if decision.retry_at else _("later")
        if decision.reason == "too_many_wrong":
            raise Refused(_("The code was entered wrongly too many times. You can ask for a new code after "
                            "{time}.").format(time=wait))
        raise Refused(_("We have sent you 3 codes in the last 15 minutes. You can ask for another after {time}.").format(
            time=wait))
    assert patient.mobile is not None, "a challenge is only ever made for a patient with a mobile"
    texts = _texts_allowed(uow, now, patient.mobile.e164)
    if not texts:
        uow.audit.record(kiosk_audit(clock, f"{challenge.purpose}_code", Outcome.DENIED, patient.id,
                                     f"text limit: {texts.reason}"))
        uow.commit()
        raise Refused(_("We cannot send another code now. Try again later, or call the Appointments team on "
                        "{phone}.").format(phone=call_us(uow)))
    digits = new_code_digits()
    uow.codes.add(OneTimeCode(id=secrets.token_hex(16), patient_id=patient.id, purpose=challenge.purpose,
                              code_hash=hash_code(digits), created_at=now, expires_at=now + CODE_LIFETIME,
                              wrong_tries=decision.carried_wrong_tries, challenge_id=challenge.id))
    # In the language the patient is reading now (chosen at the welcome page), else the one on their record.
    language = current_language() if current_language() in SHIPPED else (patient.language or ENGLISH)
    sms = SmsMessage(id=secrets.token_hex(16), to_number=patient.mobile.e164, template=SmsTemplate.ONE_TIME_CODE,
                     body=one_time_code_sms(digits, uow.trusts.get(TrustCode.WEST_HERTS), language),
                     status=SmsStatus.QUEUED, created_at=now, send_after=now, patient_id=patient.id, language=language)
    uow.outbox.add(sms)
    uow.audit.record(kiosk_audit(clock, f"{challenge.purpose}_code", Outcome.SUCCESS, patient.id, "code sent"))
    return CodeSent(challenge.id, patient.mobile.masked, sms)


def check(uow: UnitOfWork, clock: Clock, challenge: Challenge, typed: str) -> None:
    """Accept the typed code or raise Refused with what to do; wrong tries are saved either way."""
    now = clock.now()
    uow.patients.lock(challenge.patient_id)
    closed = route_closed(uow, now, challenge)
    if not closed:
        uow.audit.record(kiosk_audit(clock, f"{challenge.purpose}_verify", Outcome.DENIED, challenge.patient_id,
                                     "route closed"))
        uow.commit()
        raise Refused(closed_message(uow, closed))
    code = uow.codes.current(challenge.id)
    if code is None:
        raise Refused(_("Ask for a new code."))
    outcome, updated = check_code(code, typed, now)
    uow.codes.save(updated)
    if outcome is CheckOutcome.WRONG or (outcome is CheckOutcome.DEAD and updated.wrong_tries > code.wrong_tries):
        _count_wrong_code(uow, now, challenge)
    uow.audit.record(kiosk_audit(clock, f"{challenge.purpose}_verify", Outcome.SUCCESS if outcome is
                                 CheckOutcome.ACCEPTED else Outcome.DENIED, challenge.patient_id, outcome.value))
    if outcome is CheckOutcome.ACCEPTED:
        uow.challenges.save(replace(challenge, verified_at=now))
        return
    uow.commit()
    if outcome is CheckOutcome.EXPIRED:
        raise Refused(_("That code has expired. Ask for a new code."))
    if outcome is CheckOutcome.DEAD:
        raise Refused(_("That code can no longer be used. Ask for a new code."))
    left = 5 - updated.wrong_tries
    raise Refused(ngettext("That code is not right. You have {count} try left.",
                           "That code is not right. You have {count} tries left.", left).format(count=left))


def _count_wrong_code(uow: UnitOfWork, now: datetime, challenge: Challenge) -> None:
    """A wrong code counts against the record's daily limit and, at sign-in, towards the address's lock."""
    rules = uow.limits.rules
    uow.limits.add(rules.wrong_codes.name, uow.limits.subject("record", f"{challenge.patient_id}:{challenge.purpose}"),
                   now)
    if challenge.purpose is CodePurpose.SIGN_IN:
        account = uow.accounts.for_patient(challenge.patient_id)
        if account is not None:
            uow.limits.add(rules.sign_in.name, address_subject(uow, str(account.email)), now)


def address_subject(uow: UnitOfWork, email: str) -> str:
    """What sign-in failures are counted under: the address as typed (normalised), whether or not it has an
    account — so an address no one uses locks after the same tries, with the same words, as a real one."""
    return uow.limits.subject("email", email.lower())


def open_challenge(uow: UnitOfWork, clock: Clock, ticket: str, *purposes: CodePurpose) -> Challenge:
    """The challenge behind a screen's ticket, if it is still open (and, where `purposes` are given, is for one
    of them: a code that unlocks an address never signs anyone in, nor registers them)."""
    challenge = uow.challenges.get(ticket)
    if challenge is not None and purposes and challenge.purpose not in purposes:
        challenge = None
    if challenge is None or not challenge.open_at(clock.now()):
        if challenge is not None:
            uow.audit.record(kiosk_audit(clock, f"{challenge.purpose}_expired", Outcome.DENIED, challenge.patient_id,
                                         "the attempt had expired or was already finished"))
            uow.commit()
        raise Refused(_("This has taken too long, so we have stopped it to keep your details safe. Please start "
                        "again."))
    return challenge


def resend(uow: UnitOfWork, clock: Clock, ticket: str) -> CodeSent:
    """Another code to the same mobile, for registration or sign-in alike; wrong tries so far still count."""
    with uow:
        challenge = open_challenge(uow, clock, ticket, CodePurpose.REGISTRATION, CodePurpose.SIGN_IN)
        patient = uow.patients.get(challenge.patient_id)
        assert patient is not None
        sent = send_code(uow, clock, challenge, patient)
        uow.commit()
        return sent


def person_subject(uow: UnitOfWork, patient_id: int) -> str:
    """What failed matches on one person are counted under, whichever of their numbers named them."""
    return uow.limits.subject("person", str(patient_id))


def reopen_record(uow: UnitOfWork, clock: Clock, patient_id: int, numbers: list[tuple[str, str]], by: str) -> int:
    """Staff: open again the ways in that limits closed for one record — its wrong codes of the day, and the
    failed matches on its NHS and hospital numbers. Returns how many counted events were forgotten."""
    with uow:
        rules, limits = uow.limits.rules, uow.limits
        subjects = [limits.subject("record", f"{patient_id}:{purpose}") for purpose in CodePurpose]
        matches = [limits.subject(f"identity:{kind}", value) for kind, value in numbers]
        limits.hold(*subjects, *matches)
        cleared = sum(limits.clear(rules.wrong_codes.name, s) for s in subjects)
        cleared += sum(limits.clear(rules.identity_failures.name, s) for s in matches)
        person = person_subject(uow, patient_id)
        limits.hold(person)
        cleared += limits.clear(rules.identity_failures_per_person.name, person)
        uow.audit.record(replace(kiosk_audit(clock, "routes_reopened", Outcome.SUCCESS, patient_id,
                                             f"{cleared} counted events forgotten"), actor_kind="staff", actor_id=by))
        uow.commit()
        return cleared
