"""Leaving the kiosk: the staff PIN checked against a lock-out every terminal keeps in the database, every try
audited. Apart from domain/identity/kiosk.py so that the kiosk's first paint loads none of the database rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from domain.audit import Outcome
from domain.formatting import nhs_time
from domain.limits import Lockout, lockout
from domain.ports import Clock, UnitOfWork
from domain.identity.verification import kiosk_audit

STAFF_PIN = Lockout("staff_pin_failure", every=5, first=timedelta(minutes=1), hard_stop=10**9,
                    longest=timedelta(hours=1))
"""Five wrong PINs lock the way out for a minute, then two, four… up to an hour; counted per terminal in the
database, so a restart forgets nothing."""


def check_staff_pin(uow: UnitOfWork, clock: Clock, matches: Callable[[str], bool], typed: str) -> tuple[bool, str]:
    """(accepted, message for the screen). Every try is audited, and the right PIN is the staff exit's record."""
    with uow:
        subject = uow.limits.subject("staff-pin", uow.limits.terminal)
        uow.limits.hold(subject)
        now = clock.now()
        failures = uow.limits.times(STAFF_PIN.name, subject)
        gate = lockout(STAFF_PIN, failures, now)
        right = matches(typed)  # checked even while locked: every try takes the same time
        if not gate:
            uow.audit.record(kiosk_audit(clock, "staff_pin", Outcome.DENIED, None, "locked"))
            uow.commit()
            return False, _locked(gate.retry_at)
        if right:
            uow.limits.clear(STAFF_PIN.name, subject)
            uow.audit.record(kiosk_audit(clock, "staff_exit", Outcome.SUCCESS, None, "kiosk closed by staff PIN"))
            uow.commit()
            return True, ""
        uow.limits.add(STAFF_PIN.name, subject, now)
        after = lockout(STAFF_PIN, [*failures, now], now)
        uow.audit.record(kiosk_audit(clock, "staff_pin", Outcome.DENIED, None,
                                     "wrong PIN" if after else "wrong PIN; locked"))
        uow.commit()
        return (False, "That PIN is not right.") if after else (False, _locked(after.retry_at))


def _locked(until) -> str:  # type: ignore[no-untyped-def]
    return f"Too many wrong PINs. Try again after {nhs_time(until)}." if until else "Too many wrong PINs."
