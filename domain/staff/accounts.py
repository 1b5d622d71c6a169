"""Staff accounts and how staff sign in: username, password (argon2id, the kiosk's rules), then a 6-digit TOTP
code from an authenticator app (RFC 6238), each code used once. The kiosk's lock-outs apply through the same
limits: an unknown username gets the same words, after the same tries, in the same time as a real one."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from domain.audit import AuditEvent, Outcome
from domain.errors import InvalidValue, Refused
from domain.limits import Decision, lockout
from domain.identity.passwords import password_problem
from domain.ports import Clock, PasswordHasher, UnitOfWork
from domain.identity.session import StaffRole, StaffSession

ISSUER = "West Herts Patient Portal"
"""What an authenticator app shows beside the code."""

WRONG_DETAILS = "Your username, password or code is not right. Check them and try again."

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,39}$")


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A member of staff's account. The TOTP secret is kept sealed; only the sign-in opens it."""

    id: int | None
    username: str
    display_name: str
    role: StaffRole
    password_hash: str
    sealed_secret: str
    active: bool = True
    last_step: int | None = None
    """The TOTP time step of the last code accepted: that code, and every earlier one, is spent."""

    @property
    def account(self) -> StaffAccount:
        """What a supervisor's list shows: never the password's hash or the sealed secret."""
        return StaffAccount(self.username, self.display_name, self.role, self.active)


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A member of staff's account as the staff list shows it."""

    username: str
    display_name: str
    role: StaffRole
    active: bool


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What the person needs to set up their authenticator app: shown once, never stored in the clear."""

    username: str
    secret: str
    uri: str


class SecondFactor(Protocol):
    """TOTP codes (RFC 6238: 6 digits, 30 seconds), from a maintained library in data/."""

    def new_secret(self) -> str: ...

    def uri(self, secret: str, username: str) -> str:
        """The otpauth:// address an authenticator app reads (as text or as a QR code)."""
        ...

    def matching_step(self, secret: str, code: str, at: datetime) -> int | None:
        """The time step (now, or one either side) whose code this is; None if it is no such code."""
        ...


class SecretBox(Protocol):
    """Seals secrets with a key from settings, so a stolen copy of the database alone does not give them away."""

    def seal(self, secret: str) -> str: ...

    def open(self, sealed: str) -> str: ...


def parse_username(text: str) -> str:
    """3 to 40 characters: small letters, digits, dots, dashes or underscores, starting with a letter."""
    name = (text or "").strip().lower()
    if not _USERNAME.match(name):
        raise InvalidValue("A username is 3 to 40 small letters, digits, dots, dashes or underscores, "
                           "starting with a letter (for example sam.patel).")
    return name


def add_staff(uow: UnitOfWork, clock: Clock, hasher: PasswordHasher, factor: SecondFactor, box: SecretBox,
              username: str, display_name: str, role: StaffRole, password: str, by: str) -> Enrolment:
    """A new account with its second factor enrolled; a duplicate username or a weak password is refused."""
    name = parse_username(username)
    _check_password(password, name, display_name)
    secret = factor.new_secret()
    with uow:
        if uow.staff.by_username(name) is not None:
            raise Refused(f"There is already a member of staff with the username {name}.")
        uow.staff.add(StaffMember(None, name, display_name.strip(), role, hasher.hash(password), box.seal(secret)))
        uow.audit.record(_admin_audit(clock, by, "staff_added", f"{name} as {role.value}"))
        uow.commit()
    return Enrolment(name, secret, factor.uri(secret, name))


def reset_staff(uow: UnitOfWork, clock: Clock, hasher: PasswordHasher, factor: SecondFactor, box: SecretBox,
                username: str, password: str, by: str) -> Enrolment:
    """A new password and a new second factor (the old app entry stops working); the account is active again."""
    with uow:
        member = _existing(uow, username)
        _check_password(password, member.username, member.display_name)
        secret = factor.new_secret()
        uow.staff.save(replace(member, password_hash=hasher.hash(password), sealed_secret=box.seal(secret),
                               active=True, last_step=None))
        uow.limits.clear(uow.limits.rules.sign_in.name, _subject(uow, member.username))
        uow.audit.record(_admin_audit(clock, by, "staff_reset", member.username))
        uow.commit()
    return Enrolment(member.username, secret, factor.uri(secret, member.username))


def disable_staff(uow: UnitOfWork, clock: Clock, username: str, by: str) -> None:
    """The account can no longer sign in (it stays, for the audit trail's sake)."""
    with uow:
        member = _existing(uow, username)
        uow.staff.save(replace(member, active=False))
        uow.audit.record(_admin_audit(clock, by, "staff_disabled", member.username))
        uow.commit()


def list_staff(uow: UnitOfWork) -> list[StaffMember]:
    with uow:
        return uow.staff.all()


def sign_in(uow: UnitOfWork, clock: Clock, hasher: PasswordHasher, factor: SecondFactor, box: SecretBox,
            username: str, password: str, code: str, dummy_hash: str) -> StaffSession:
    """All three checked together, one answer for any of them wrong; every try audited with the terminal."""
    with uow:
        now = clock.now()
        name = (username or "").strip().lower()
        subject = _subject(uow, name)
        uow.limits.hold(subject)
        rules = uow.limits.rules.sign_in
        failures = uow.limits.times(rules.name, subject)
        member = uow.staff.by_username(name)
        right = hasher.verify(member.password_hash if member else dummy_hash, password)
        gate = lockout(rules, failures, now)
        if not gate:
            uow.audit.record(_sign_in_audit(clock, name, member, Outcome.DENIED, f"locked: {gate.reason}"))
            uow.commit()
            raise Refused(_locked(gate))
        step = factor.matching_step(box.open(member.sealed_secret), code, now) if member and right else None
        why = _why_not(member, right, step)
        if why:
            uow.limits.add(rules.name, subject, now)
            after = lockout(rules, [*failures, now], now)
            uow.audit.record(_sign_in_audit(clock, name, member, Outcome.DENIED, why))
            uow.commit()
            raise Refused(WRONG_DETAILS if after else _locked(after))
        assert member is not None and member.id is not None and step is not None
        uow.staff.save(replace(member, last_step=step))
        uow.limits.clear(rules.name, subject)
        uow.audit.record(_sign_in_audit(clock, name, member, Outcome.SUCCESS, "signed in"))
        uow.commit()
        return StaffSession(member.id, member.username, member.role, now)


def _why_not(member: StaffMember | None, right: bool, step: int | None) -> str:
    if member is None:
        return "unknown username"
    if not right:
        return "wrong password"
    if not member.active:
        return "account disabled"
    if step is None:
        return "wrong code"
    if member.last_step is not None and step <= member.last_step:
        return "code already used"
    return ""


def _check_password(password: str, username: str, display_name: str) -> None:
    problem = password_problem(password, None, (username, *display_name.split()))
    if problem:
        raise InvalidValue(problem)


def _existing(uow: UnitOfWork, username: str) -> StaffMember:
    member = uow.staff.by_username((username or "").strip().lower())
    if member is None:
        raise Refused(f"There is no member of staff with the username {username}.")
    return member


def _subject(uow: UnitOfWork, username: str) -> str:
    return uow.limits.subject("staff", username)


def _locked(gate: Decision) -> str:
    if gate.retry_at is None:
        return "Signing in with this username has been stopped after too many failed tries. Ask a system administrator."
    return "Signing in with this username is locked because of too many failed tries. Try again later."


def _sign_in_audit(clock: Clock, username: str, member: StaffMember | None, outcome: Outcome,
                   detail: str) -> AuditEvent:
    """A try at signing in. An unknown username is recorded as "unknown", never as typed: what lands in the
    username box is now and then a password, and the audit trail keeps everything for good."""
    return AuditEvent(at=clock.now(), actor_kind="staff", actor_id=member.username if member else "unknown",
                      actor_role=member.role.value if member else None, action="staff_sign_in", outcome=outcome,
                      detail=detail)


def _admin_audit(clock: Clock, by: str, action: str, detail: str) -> AuditEvent:
    return AuditEvent(at=clock.now(), actor_kind="staff", actor_id=by[:40], actor_role="system_admin",
                      action=action, outcome=Outcome.SUCCESS, detail=detail)


def unlock(uow: UnitOfWork, clock: Clock, hasher: PasswordHasher, session: StaffSession, password: str) -> None:
    """The desk was covered while idle: the same person's password uncovers it (counted like a sign-in)."""
    with uow:
        now = clock.now()
        subject = _subject(uow, session.username)
        uow.limits.hold(subject)
        rules = uow.limits.rules.sign_in
        failures = uow.limits.times(rules.name, subject)
        member = uow.staff.by_username(session.username)
        right = member is not None and hasher.verify(member.password_hash, password) and member.active
        gate = lockout(rules, failures, now)
        if not gate:
            uow.audit.record(_sign_in_audit(clock, session.username, member, Outcome.DENIED, "unlock: locked"))
            uow.commit()
            raise Refused(_locked(gate))
        if not right:
            uow.limits.add(rules.name, subject, now)
            after = lockout(rules, [*failures, now], now)
            uow.audit.record(_sign_in_audit(clock, session.username, member, Outcome.DENIED, "unlock: wrong password"))
            uow.commit()
            raise Refused("That password is not right." if after else _locked(after))
        uow.limits.clear(rules.name, subject)
        uow.audit.record(_sign_in_audit(clock, session.username, member, Outcome.SUCCESS, "unlocked"))
        uow.commit()


def session_problem(now: StaffMember | None, session: StaffSession, at_sign_in: StaffMember) -> str:
    """Why a signed-in member of staff may no longer act, from their account as it is now ('' while they may):
    disabled, reset (a new password or authenticator) or given another role since they signed in."""
    if now is None or now.id != session.staff_id:
        return "account removed"
    if not now.active:
        return "account disabled"
    if now.role is not session.role:
        return "role changed"
    if (now.password_hash, now.sealed_secret) != (at_sign_in.password_hash, at_sign_in.sealed_secret):
        return "account reset"
    return ""


def session_audit(clock: Clock, session: StaffSession, action: str, detail: str) -> AuditEvent:
    """A staff session's end or cover (signed out, hung up, covered, expired, ended by the service)."""
    return AuditEvent(at=clock.now(), actor_kind="staff", actor_id=session.username[:40],
                      actor_role=session.role.value, action=action, outcome=Outcome.SUCCESS, detail=detail)
