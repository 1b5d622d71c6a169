"""Registering for the portal: match the record, prove the mobile, choose email, password and letters."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date

from domain.audit import Outcome
from domain.identity.challenges import CHALLENGE_LIFETIME, Challenge, RegistrationRoute
from domain.clock import LONDON
from domain.identity.codes import CodePurpose, invitation_hash
from domain.errors import Conflict, Refused
from domain.limits import Decision, first_refusal, within
from domain.hospital import TrustCode
from domain.identifiers import EmailAddress, NhsNumber, Postcode
from domain.identity.passwords import password_problem
from domain.identity.patients import LetterPreference, Patient, PatientAccount
from domain.ports import Clock, PasswordHasher, UnitOfWork
from domain.typed import HospitalNumber
from domain.identity.verification import CodeSent, check, kiosk_audit, open_challenge, person_subject, send_code
from domain.language import _

ADULT_AGE = 18


class NoMatch(Refused):
    """The one message for every failed match, so that no one can learn who is a patient here."""


def no_match_message(phone: str) -> str:
    """The same words whatever the real reason (which goes to the audit trail)."""
    return (f"We could not match those details to a hospital record. Check them and try again, "
            f"or call the Appointments team on {phone}.")


def ineligibility(uow: UnitOfWork, patient: Patient, today: date) -> str | None:
    """Why this record may not register (for the audit trail only), or None if it may."""
    if patient.date_of_death is not None:
        return "deceased"
    if patient.date_of_birth is None:
        return "no date of birth on the record (the PAS sent none): one is needed to register"
    if patient.age_on(today) < ADULT_AGE:
        return "under 18"
    if patient.mobile is None:
        return "no UK mobile on the record"
    if uow.accounts.for_patient(patient.id) is not None:
        return "already registered"
    return None


def start_with_invitation(uow: UnitOfWork, clock: Clock, code: str, date_of_birth: date) -> CodeSent:
    """Route 1: the code from the invitation text finds the record; the date of birth confirms it."""
    with uow:
        guard = _IdentityGuard(uow, clock, "invitation", invitation_hash(code))
        invitation = uow.invitations.by_hash(invitation_hash(code))
        now = clock.now()
        guard.check(None if invitation is None else invitation.patient_id)
        if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
            reason = "no such invitation" if invitation is None else "invitation used or expired"
            guard.failed(None if invitation is None else invitation.patient_id, reason)
        assert invitation is not None
        patient = uow.patients.get(invitation.patient_id)
        assert patient is not None
        if patient.date_of_birth != date_of_birth:
            guard.failed(patient.id, "invitation: date of birth does not match")
        return _matched(uow, clock, patient, RegistrationRoute.INVITATION, invitation.id)


def start_with_details(uow: UnitOfWork, clock: Clock, identifier: NhsNumber | HospitalNumber, date_of_birth: date,
                       postcode: Postcode) -> CodeSent:
    """Route 2: NHS number (or hospital number), date of birth and postcode, compared on normalised values."""
    with uow:
        number = identifier.digits if isinstance(identifier, NhsNumber) else identifier.value
        guard = _IdentityGuard(uow, clock, type(identifier).__name__, number)
        if isinstance(identifier, NhsNumber):
            patient = uow.patients.by_nhs_number(identifier)
        else:
            patient = _by_hospital_number(uow, identifier.value, date_of_birth, postcode)
        guard.check(None if patient is None else patient.id)
        if patient is None:
            guard.failed(None, f"no record for {type(identifier).__name__}")
        assert patient is not None
        if patient.date_of_birth != date_of_birth:
            guard.failed(patient.id, "date of birth does not match")
        if _compact(patient.postcode) != _compact(postcode.value):
            guard.failed(patient.id, "postcode does not match")
        return _matched(uow, clock, patient, RegistrationRoute.DETAILS, None)


def _by_hospital_number(uow: UnitOfWork, number: str, date_of_birth: date, postcode: Postcode) -> Patient | None:
    """A hospital number is its trust's own: the same digits may be a patient at each trust. Both are tried, and
    the one whose date of birth and postcode are those typed is the one meant (else the only one, to be refused
    by the comparison that follows; else none)."""
    found = [patient for _, patient in uow.patients.by_hospital_number(number)]
    meant = [p for p in found if p.date_of_birth == date_of_birth and _compact(p.postcode) == _compact(postcode.value)]
    if len(meant) == 1:
        return meant[0]
    return found[0] if len(found) == 1 else None


def verify_mobile(uow: UnitOfWork, clock: Clock, ticket: str, typed: str) -> None:
    """Check the code sent for a registration."""
    with uow:
        challenge = open_challenge(uow, clock, ticket, CodePurpose.REGISTRATION)
        check(uow, clock, challenge, typed)
        uow.commit()


@dataclass(frozen=True, slots=True)
class Registered:
    """What the confirmation page says."""

    given_name: str
    email: str
    letter_preference: LetterPreference


def complete(uow: UnitOfWork, clock: Clock, hasher: PasswordHasher, ticket: str, email: EmailAddress,
             password: str, preference: LetterPreference) -> Registered:
    """Create the account, set the letter preference and use up the invitation — all in one commit."""
    problem = password_problem(password, email.normalized)
    if problem:
        raise Refused(problem)
    with uow:
        challenge = open_challenge(uow, clock, ticket, CodePurpose.REGISTRATION)
        if challenge.verified_at is None:
            uow.audit.record(kiosk_audit(clock, "register", Outcome.DENIED, challenge.patient_id, "mobile not proven"))
            uow.commit()
            raise Refused(_("Enter the code we sent to your mobile first."))
        uow.patients.lock(challenge.patient_id)
        _email_free(uow, clock, challenge, email.normalized.lower())
        if uow.accounts.for_patient(challenge.patient_id) is not None:
            uow.audit.record(kiosk_audit(clock, "register", Outcome.DENIED, challenge.patient_id, "already registered"))
            uow.commit()
            raise Refused(_("You are already registered. Sign in with your email address and password."))
        patient = uow.patients.get(challenge.patient_id)
        assert patient is not None
        problem = password_problem(password, email.normalized, (patient.given_name, patient.family_name),
                                   patient.date_of_birth)
        if problem:
            uow.audit.record(kiosk_audit(clock, "register", Outcome.DENIED, patient.id, "password refused"))
            uow.commit()
            raise Refused(problem)
        now = clock.now()
        uow.accounts.add(PatientAccount(challenge.patient_id, EmailAddress(email.normalized.lower()),
                                        hasher.hash(password), registered_at=now))
        uow.patients.set_letter_preference(challenge.patient_id, preference)
        if challenge.invitation_id is not None:
            uow.invitations.mark_used(challenge.invitation_id, now)
        uow.challenges.save(replace(challenge, completed_at=now))
        uow.audit.record(kiosk_audit(clock, "register", Outcome.SUCCESS, challenge.patient_id,
                                     f"route {challenge.route}; letters {preference}"))
        try:
            uow.commit()
        except Conflict:
            raise Refused(_("An account already uses this email address, or you are already registered.")) from None
        return Registered(patient.given_name, email.normalized.lower(), preference)


def _matched(uow: UnitOfWork, clock: Clock, patient: Patient, route: RegistrationRoute,
             invitation_id: int | None) -> CodeSent:
    reason = ineligibility(uow, patient, clock.now().astimezone(LONDON).date())
    if reason:
        _refuse(uow, clock, patient.id, reason)
    now = clock.now()
    challenge = Challenge(id=secrets.token_urlsafe(24), patient_id=patient.id, purpose=CodePurpose.REGISTRATION,
                          created_at=now, expires_at=now + CHALLENGE_LIFETIME, route=route,
                          invitation_id=invitation_id)
    uow.challenges.add(challenge)
    uow.audit.record(kiosk_audit(clock, "registration_match", Outcome.SUCCESS, patient.id, f"route {route}"))
    sent = send_code(uow, clock, challenge, patient)
    uow.commit()
    return sent


class _IdentityGuard:
    """Failed matches counted per number (or invitation code), per terminal, and per person whichever of their
    numbers named them. Past any limit every try gets the mismatch's words — even a right one — so guessing a date
    of birth gets nowhere; each try is audited."""

    def __init__(self, uow: UnitOfWork, clock: Clock, kind: str, value: str) -> None:
        self.uow, self.clock, self.now = uow, clock, clock.now()
        limits = uow.limits
        self.number = limits.subject(f"identity:{kind}", value)
        self.terminal = limits.subject("terminal", limits.terminal)
        limits.hold(self.number, self.terminal)

    def check(self, patient_id: int | None) -> None:
        rules, limits = self.uow.limits.rules, self.uow.limits
        per_number = within(rules.identity_failures, limits.times(rules.identity_failures.name, self.number,
                                                                  self.now - rules.identity_failures.window), self.now)
        at_terminal = within(rules.identity_failures_per_terminal,
                             limits.times(rules.identity_failures_per_terminal.name, self.terminal,
                                          self.now - rules.identity_failures_per_terminal.window), self.now)
        decision = first_refusal(per_number, at_terminal, self._for_person(patient_id))
        if not decision:
            _refuse(self.uow, self.clock, patient_id, f"limit: {decision.reason}")

    def failed(self, patient_id: int | None, reason: str) -> None:
        rules = self.uow.limits.rules
        self.uow.limits.add(rules.identity_failures.name, self.number, self.now)
        self.uow.limits.add(rules.identity_failures_per_terminal.name, self.terminal, self.now)
        if patient_id is not None:
            self.uow.limits.add(rules.identity_failures_per_person.name, person_subject(self.uow, patient_id),
                                self.now)
        _refuse(self.uow, self.clock, patient_id, reason)

    def _for_person(self, patient_id: int | None) -> Decision:
        if patient_id is None:
            return Decision(True)
        rule, limits = self.uow.limits.rules.identity_failures_per_person, self.uow.limits
        subject = person_subject(self.uow, patient_id)
        limits.hold(subject)
        return within(rule, limits.times(rule.name, subject, self.now - rule.window), self.now)



EMAIL_IN_USE = "An account already uses this email address. Use a different one, or sign in."


def _email_free(uow: UnitOfWork, clock: Clock, challenge: Challenge, address: str) -> None:
    """'Already in use' is an answer about someone else: counted per terminal, audited, and past the limit given
    for every address tried, so that the step cannot be used to learn who has an account."""
    limits, rules = uow.limits, uow.limits.rules
    terminal, now = limits.subject("terminal", limits.terminal), clock.now()
    limits.hold(terminal)
    asked = limits.times(rules.email_in_use_per_terminal.name, terminal, now - rules.email_in_use_per_terminal.window)
    if not within(rules.email_in_use_per_terminal, asked, now):
        uow.audit.record(kiosk_audit(clock, "register", Outcome.DENIED, challenge.patient_id, "limit: email in use"))
        uow.commit()
        raise Refused(EMAIL_IN_USE)
    if uow.accounts.by_email(address) is not None:
        limits.add(rules.email_in_use_per_terminal.name, terminal, now)
        uow.audit.record(kiosk_audit(clock, "register", Outcome.DENIED, challenge.patient_id, "email in use"))
        uow.commit()
        raise Refused(EMAIL_IN_USE)


def _refuse(uow: UnitOfWork, clock: Clock, patient_id: int | None, reason: str) -> None:
    uow.audit.record(kiosk_audit(clock, "registration_match", Outcome.DENIED, patient_id, reason))
    uow.commit()
    raise NoMatch(no_match_message(uow.trusts.get(TrustCode.WEST_HERTS).appointments_phone))


def _compact(postcode: str) -> str:
    return postcode.replace(" ", "").upper()
