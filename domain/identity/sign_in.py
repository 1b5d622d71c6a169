"""Signing in: email and password, then a one-time code to the registered mobile.

Failures (a wrong password, an unknown address, a wrong code) are counted per address as typed, in the
database, for real and unknown addresses alike: both lock after the same tries, for the same time, with the same
words, and take the same time to answer. Locks lengthen (15 minutes, then twice as long each time) and after
100 failures only the Appointments team can reopen the address. A success clears the count."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from domain.audit import Outcome
from domain.identity.challenges import CHALLENGE_LIFETIME, Challenge
from domain.identity.codes import CodePurpose
from domain.errors import Refused
from domain.clock import LONDON
from domain.formatting import nhs_datetime, nhs_time
from domain.identifiers import EmailAddress
from domain.limits import Decision, lockout, within
from domain.language import N_, _
from domain.ports import Clock, PasswordHasher, UnitOfWork
from domain.identity.session import PatientSession
from domain.identity.verification import CodeSent, address_subject, call_us, check, kiosk_audit, open_challenge, send_code

WRONG_DETAILS = N_("Your email address or password is not right. Check them and try again.")
UNLOCK_WRONG = N_("That code is not right, or it has run out. Check the text message, or ask for a new code.")
"""Every answer to an unlock code but the right one: no one learns from it whether an address has an account."""


class AddressLocked(Refused):
    """Signing in with this address is locked or stopped: its owner may open it again with a code to the mobile
    on their record (begin_unlock)."""


def begin(uow: UnitOfWork, clock: Clock, hasher: PasswordHasher, email: EmailAddress, password: str,
          dummy_hash: str) -> CodeSent:
    """Check email and password; send the code. Every address costs one hash, locked or not, known or not."""
    with uow:
        now = clock.now()
        address = email.normalized.lower()
        subject = address_subject(uow, address)
        terminal = uow.limits.subject("terminal", uow.limits.terminal)
        uow.limits.hold(subject, terminal)
        rules, spraying = uow.limits.rules.sign_in, uow.limits.rules.sign_in_failures_per_terminal
        failures = uow.limits.times(rules.name, subject)
        account = uow.accounts.by_email(address)
        right = hasher.verify(account.password_hash if account else dummy_hash, password)
        gate = lockout(rules, failures, now)
        patient_id = account.patient_id if account else None
        here = within(spraying, uow.limits.times(spraying.name, terminal, now - spraying.window), now)
        if not here:  # many addresses failing here: one password tried on each, as likely as not
            uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.DENIED, patient_id, f"limit: {here.reason}"))
            uow.commit()
            raise Refused(_("Too many sign-ins have failed at this kiosk. Please try again later, or ask at "
                            "reception."))
        if not gate:
            uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.DENIED, patient_id, f"locked: {gate.reason}"))
            uow.commit()
            raise AddressLocked(locked_message(uow, gate, now))
        if account is None or not right:
            uow.limits.add(rules.name, subject, now)
            uow.limits.add(spraying.name, terminal, now)
            after = lockout(rules, [*failures, now], now)
            why = "unknown email" if account is None else "wrong password"
            uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.DENIED, patient_id,
                                         why if after else f"{why}; address locked"))
            uow.commit()
            if not after:
                raise AddressLocked(locked_message(uow, after, now))
            raise Refused(_(WRONG_DETAILS))
        patient = uow.patients.get(account.patient_id)
        assert patient is not None
        if patient.date_of_death is not None:  # the account closed with the record's date of death
            uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.DENIED, patient.id,
                                         "account closed: the record says the patient has died"))
            uow.commit()
            raise Refused(_("This account is closed. If you have a question, call the Appointments team on "
                            "{phone}.").format(phone=call_us(uow)))
        if patient.mobile is None:
            uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.DENIED, patient.id, "no mobile on record"))
            uow.commit()
            raise Refused(_("We do not have a mobile number to send your code to. Call the Appointments team on "
                            "{phone}.").format(phone=call_us(uow)))
        challenge = Challenge(id=secrets.token_urlsafe(24), patient_id=patient.id, purpose=CodePurpose.SIGN_IN,
                              created_at=now, expires_at=now + CHALLENGE_LIFETIME)
        uow.challenges.add(challenge)
        sent = send_code(uow, clock, challenge, patient)
        uow.commit()
        return sent


def finish(uow: UnitOfWork, clock: Clock, ticket: str, typed: str) -> PatientSession:
    """Check the code; on success the patient is signed in and the address's failures are forgotten."""
    with uow:
        challenge = open_challenge(uow, clock, ticket, CodePurpose.SIGN_IN)
        account = uow.accounts.for_patient(challenge.patient_id)
        assert account is not None
        subject = address_subject(uow, str(account.email))
        uow.limits.hold(subject)
        now = clock.now()
        gate = lockout(uow.limits.rules.sign_in, uow.limits.times(uow.limits.rules.sign_in.name, subject), now)
        if not gate:  # wrong codes locked the address while this code was being typed
            raise Refused(locked_message(uow, gate, now))
        check(uow, clock, challenge, typed)
        uow.challenges.save(replace(challenge, verified_at=now, completed_at=now))
        uow.limits.clear(uow.limits.rules.sign_in.name, subject)
        uow.accounts.save(replace(account, failed_sign_ins=0, locked_until=None))
        uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.SUCCESS, challenge.patient_id, "signed in"))
        uow.commit()
        return PatientSession(patient_id=challenge.patient_id, started_at=now)


def begin_unlock(uow: UnitOfWork, clock: Clock, email: EmailAddress) -> CodeSent | None:
    """The owner of a locked or stopped address opens it again themselves: a code goes to the mobile on the
    record of the account with this address — where there is one, that may have a code now. None otherwise;
    the screen says the same either way, so that no one learns whether an address has an account. A stranger
    gets nowhere (the code goes to the owner's phone), and every text counts against the mobile's limits."""
    with uow:
        now = clock.now()
        account = uow.accounts.by_email(email.normalized.lower())
        patient = uow.patients.get(account.patient_id) if account else None
        if patient is None or patient.mobile is None:
            uow.audit.record(kiosk_audit(clock, "unlock", Outcome.DENIED, patient.id if patient else None,
                                         "no account with a mobile for that address"))
            uow.commit()
            return None
        challenge = Challenge(id=secrets.token_urlsafe(24), patient_id=patient.id, purpose=CodePurpose.UNLOCK,
                              created_at=now, expires_at=now + CHALLENGE_LIFETIME)
        uow.challenges.add(challenge)
        try:
            sent = send_code(uow, clock, challenge, patient)
        except Refused:  # the route closed for today, or the mobile's texts used up: audited, and said as above
            return None
        uow.commit()
        return sent


def finish_unlock(uow: UnitOfWork, clock: Clock, ticket: str, typed: str) -> None:
    """The right code forgets the address's failed sign-ins (the password is still asked for after); any other
    answer — a wrong code, a spent or expired one, a ticket for no account — has the same words."""
    with uow:
        now = clock.now()
        challenge = uow.challenges.get(ticket)
        if challenge is None or challenge.purpose is not CodePurpose.UNLOCK or not challenge.open_at(now):
            raise Refused(_(UNLOCK_WRONG))
        try:
            check(uow, clock, challenge, typed)
        except Refused:
            raise Refused(_(UNLOCK_WRONG)) from None
        account = uow.accounts.for_patient(challenge.patient_id)
        assert account is not None
        subject = address_subject(uow, str(account.email))
        uow.limits.hold(subject)
        cleared = uow.limits.clear(uow.limits.rules.sign_in.name, subject)
        uow.challenges.save(replace(challenge, verified_at=now, completed_at=now))
        uow.audit.record(kiosk_audit(clock, "sign_in_reopened", Outcome.SUCCESS, challenge.patient_id,
                                     f"by the patient, with a code to their mobile: {cleared} failures forgotten"))
        uow.commit()


def reopen(uow: UnitOfWork, clock: Clock, email: EmailAddress, by: str) -> int:
    """Staff: forget an address's failed sign-ins (a lock, or the stop after 100). Returns how many there were."""
    with uow:
        subject = address_subject(uow, email.normalized.lower())
        uow.limits.hold(subject)
        cleared = uow.limits.clear(uow.limits.rules.sign_in.name, subject)
        account = uow.accounts.by_email(email.normalized.lower())
        uow.audit.record(replace(kiosk_audit(clock, "sign_in_reopened", Outcome.SUCCESS,
                                             account.patient_id if account else None,
                                             f"{cleared} failures forgotten"), actor_kind="staff", actor_id=by))
        uow.commit()
        return cleared


def locked_message(uow: UnitOfWork, gate: Decision, now: datetime) -> str:
    """The same words for every address, real or not, after the same failures."""
    if gate.retry_at is None:
        return _("Signing in with this email address has been stopped after too many failed tries. If it is "
                 "yours, reopen it with a code to your phone, or call the Appointments team on {phone}.").format(
            phone=call_us(uow))
    return _("Signing in with this email address is locked because of too many failed tries. Try again after {when}, "
             "reopen it with a code to your phone, or call the Appointments team on {phone}.").format(
        when=_when(gate.retry_at, now), phone=call_us(uow))


def _when(moment: datetime, now: datetime) -> str:
    same_day = moment.astimezone(LONDON).date() == now.astimezone(LONDON).date()
    return nhs_time(moment) if same_day else nhs_datetime(moment)
