"""Signing in: email and password, then a one-time code to the registered mobile. Lock-out after 10 failures."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from domain.audit import Outcome
from domain.challenges import CHALLENGE_LIFETIME, Challenge
from domain.codes import CodePurpose
from domain.errors import Refused
from domain.formatting import nhs_time
from domain.hospital import TrustCode
from domain.identifiers import EmailAddress
from domain.patients import PatientAccount
from domain.ports import Clock, PasswordHasher, UnitOfWork
from domain.session import PatientSession
from domain.verification import CodeSent, check, kiosk_audit, open_challenge, send_code

MAX_FAILED_SIGN_INS = 10
LOCKOUT = timedelta(minutes=15)
WRONG_DETAILS = "Your email address or password is not right. Check them and try again."


def begin(uow: UnitOfWork, clock: Clock, hasher: PasswordHasher, email: EmailAddress, password: str,
          dummy_hash: str) -> CodeSent:
    """Check email and password; send the code. An unknown email costs the same hash and gets the same words."""
    with uow:
        account = uow.accounts.by_email(email.normalized.lower())
        now = clock.now()
        if account is None:
            hasher.verify(dummy_hash, password)
            uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.DENIED, None, "unknown email"))
            uow.commit()
            raise Refused(WRONG_DETAILS)
        uow.patients.lock(account.patient_id)
        account = uow.accounts.for_patient(account.patient_id) or account  # re-read under the lock
        if account.locked_until is not None and account.locked_until > now:
            uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.DENIED, account.patient_id, "locked"))
            uow.commit()
            raise Refused(_locked_message(uow, account))
        if not hasher.verify(account.password_hash, password):
            _failed(uow, clock, account)
        patient = uow.patients.get(account.patient_id)
        assert patient is not None
        if patient.mobile is None:
            uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.DENIED, patient.id, "no mobile on record"))
            uow.commit()
            phone = uow.trusts.get(TrustCode.WEST_HERTS).appointments_phone
            raise Refused(f"We do not have a mobile number to send your code to. Call the Appointments team on {phone}.")
        challenge = Challenge(id=secrets.token_urlsafe(24), patient_id=patient.id, purpose=CodePurpose.SIGN_IN,
                              created_at=now, expires_at=now + CHALLENGE_LIFETIME)
        uow.challenges.add(challenge)
        sent = send_code(uow, clock, challenge, patient)
        uow.commit()
        return sent


def finish(uow: UnitOfWork, clock: Clock, ticket: str, typed: str) -> PatientSession:
    """Check the code; on success the patient is signed in and their failure count starts again."""
    with uow:
        challenge = open_challenge(uow, clock, ticket)
        check(uow, clock, challenge, typed)
        now = clock.now()
        uow.challenges.save(replace(challenge, verified_at=now, completed_at=now))
        account = uow.accounts.for_patient(challenge.patient_id)
        assert account is not None
        uow.accounts.save(replace(account, failed_sign_ins=0, locked_until=None))
        uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.SUCCESS, challenge.patient_id, "signed in"))
        uow.commit()
        return PatientSession(patient_id=challenge.patient_id, started_at=now)


def _failed(uow: UnitOfWork, clock: Clock, account: PatientAccount) -> None:
    failures = account.failed_sign_ins + 1
    locked = failures >= MAX_FAILED_SIGN_INS
    updated = replace(account, failed_sign_ins=0 if locked else failures,
                      locked_until=clock.now() + LOCKOUT if locked else account.locked_until)
    uow.accounts.save(updated)
    uow.audit.record(kiosk_audit(clock, "sign_in", Outcome.DENIED, account.patient_id,
                                 "wrong password; account locked" if locked else "wrong password"))
    uow.commit()
    raise Refused(_locked_message(uow, updated) if locked else WRONG_DETAILS)


def _locked_message(uow: UnitOfWork, account: PatientAccount) -> str:
    assert account.locked_until is not None
    phone = uow.trusts.get(TrustCode.WEST_HERTS).appointments_phone
    return (f"Your account is locked for 15 minutes because of too many failed sign-ins. "
            f"Try again after {nhs_time(account.locked_until)}, or call the Appointments team on {phone}.")
