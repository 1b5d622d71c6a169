"""Sending and checking one-time codes for a challenge: the step registration and sign-in share."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from domain.audit import AuditEvent, Outcome
from domain.challenges import Challenge
from domain.codes import CODE_LIFETIME, SEND_WINDOW, CheckOutcome, OneTimeCode, check_code, hash_code, may_send_code, new_code_digits
from domain.errors import Refused
from domain.formatting import nhs_time
from domain.hospital import TrustCode
from domain.messages import one_time_code_sms
from domain.messaging import SmsMessage, SmsStatus, SmsTemplate
from domain.patients import Patient
from domain.ports import Clock, UnitOfWork


@dataclass(frozen=True, slots=True)
class CodeSent:
    """What the screen may say about a code just sent: where, masked, and how long it lasts."""

    ticket: str
    masked_mobile: str
    sms: SmsMessage
    """The queued text; only the composition root sees it (to show a demo phone), never a screen."""


def kiosk_audit(clock: Clock, action: str, outcome: Outcome, patient_id: int | None, detail: str) -> AuditEvent:
    """An audit entry for something done at the kiosk before anyone has signed in."""
    return AuditEvent(at=clock.now(), actor_kind="kiosk", actor_id="anonymous", action=action, outcome=outcome,
                      patient_id=patient_id, detail=detail)


def send_code(uow: UnitOfWork, clock: Clock, challenge: Challenge, patient: Patient) -> CodeSent:
    """Queue a new code for the mobile on the record, within the limits; inside the caller's unit of work."""
    now = clock.now()
    uow.patients.lock(patient.id)
    decision = may_send_code(uow.codes.recent(patient.id, challenge.purpose, now - SEND_WINDOW), now)
    if not decision.allowed:
        uow.audit.record(kiosk_audit(clock, f"{challenge.purpose}_code", Outcome.DENIED, patient.id, decision.reason))
        uow.commit()
        wait = nhs_time(decision.retry_at) if decision.retry_at else "later"
        if decision.reason == "too_many_wrong":
            raise Refused(f"The code was entered wrongly too many times. You can ask for a new code after {wait}.")
        raise Refused(f"We have sent you 3 codes in the last 15 minutes. You can ask for another after {wait}.")
    assert patient.mobile is not None, "a challenge is only ever made for a patient with a mobile"
    digits = new_code_digits()
    uow.codes.add(OneTimeCode(id=secrets.token_hex(16), patient_id=patient.id, purpose=challenge.purpose,
                              code_hash=hash_code(digits), created_at=now, expires_at=now + CODE_LIFETIME,
                              wrong_tries=decision.carried_wrong_tries))
    sms = SmsMessage(id=secrets.token_hex(16), to_number=patient.mobile.e164, template=SmsTemplate.ONE_TIME_CODE,
                     body=one_time_code_sms(digits, uow.trusts.get(TrustCode.WEST_HERTS)), status=SmsStatus.QUEUED,
                     created_at=now, send_after=now, patient_id=patient.id)
    uow.outbox.add(sms)
    uow.audit.record(kiosk_audit(clock, f"{challenge.purpose}_code", Outcome.SUCCESS, patient.id, "code sent"))
    return CodeSent(challenge.id, patient.mobile.masked, sms)


def check(uow: UnitOfWork, clock: Clock, challenge: Challenge, typed: str) -> None:
    """Accept the typed code or raise Refused with what to do; wrong tries are saved either way."""
    now = clock.now()
    uow.patients.lock(challenge.patient_id)
    code = uow.codes.current(challenge.patient_id, challenge.purpose)
    if code is None:
        raise Refused("Ask for a new code.")
    outcome, updated = check_code(code, typed, now)
    uow.codes.save(updated)
    uow.audit.record(kiosk_audit(clock, f"{challenge.purpose}_verify", Outcome.SUCCESS if outcome is
                                 CheckOutcome.ACCEPTED else Outcome.DENIED, challenge.patient_id, outcome.value))
    if outcome is CheckOutcome.ACCEPTED:
        uow.challenges.save(replace(challenge, verified_at=now))
        return
    uow.commit()
    if outcome is CheckOutcome.EXPIRED:
        raise Refused("That code has expired. Ask for a new code.")
    if outcome is CheckOutcome.DEAD:
        raise Refused("That code can no longer be used. Ask for a new code.")
    left = 5 - updated.wrong_tries
    raise Refused(f"That code is not right. You have {left} {'try' if left == 1 else 'tries'} left.")


def open_challenge(uow: UnitOfWork, clock: Clock, ticket: str) -> Challenge:
    """The challenge behind a screen's ticket, if it is still open."""
    challenge = uow.challenges.get(ticket)
    if challenge is None or not challenge.open_at(clock.now()):
        raise Refused("This has taken too long, so we have stopped it to keep your details safe. Please start again.")
    return challenge


def resend(uow: UnitOfWork, clock: Clock, ticket: str) -> CodeSent:
    """Another code to the same mobile, for registration or sign-in alike; wrong tries so far still count."""
    with uow:
        challenge = open_challenge(uow, clock, ticket)
        patient = uow.patients.get(challenge.patient_id)
        assert patient is not None
        sent = send_code(uow, clock, challenge, patient)
        uow.commit()
        return sent
