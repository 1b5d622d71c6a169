"""What a patient may do with an appointment online, and — for everything they may not — why, in plain words,
and what to do instead. Pure: the appointment, its referral, the trust's contact details and the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.appointments.model import Appointment, AppointmentKind, AppointmentStatus, Referral
from domain.hospital import Trust


class Action(StrEnum):
    """What a patient might want to do online."""

    RESCHEDULE = "reschedule"
    CANCEL = "cancel"


class Blocker(StrEnum):
    """Why an action is not open online, most fundamental first."""

    CANCELLED = "cancelled"
    NOT_BOOKED = "not_booked"
    IN_PAST = "in_past"
    VIEW_ONLY_KIND = "view_only_kind"
    ERS_FIRST_APPOINTMENT = "ers_first_appointment"
    TRANSPORT_BOOKED = "transport_booked"
    INTERPRETER_BOOKED = "interpreter_booked"
    TOO_CLOSE = "too_close"
    LIMIT_REACHED = "limit_reached"


@dataclass(frozen=True, slots=True)
class ActionDecision:
    """Yes, or no with the reason and what to do instead — fit to show as it is."""

    action: Action
    allowed: bool
    blocker: Blocker | None = None
    reason: str = ""
    instead: str = ""

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True, slots=True)
class OnlinePolicy:
    """The trust's settings for changing appointments online."""

    cutoff: timedelta = timedelta(hours=48)
    """Changes close this long before the appointment; a new time must also be at least this far off."""
    reschedule_limit: int = 2
    """How many times one booking may be moved online (the settings' limit wins over the one stored at booking)."""
    horizon: timedelta = timedelta(weeks=12)
    """How far ahead a new time may be chosen."""

    def reschedules_left(self, appointment: Appointment) -> int:
        """How many more times this booking may be moved online."""
        return max(0, self.reschedule_limit - appointment.times_rescheduled)


def decide(action: Action, appointment: Appointment, referral: Referral | None, trust: Trust, now: datetime,
           policy: OnlinePolicy = OnlinePolicy()) -> ActionDecision:
    """The first blocker that applies, in the order a patient would want to hear them, or yes."""
    blocker = _first_blocker(action, appointment, referral, now, policy)
    if blocker is None:
        return ActionDecision(action, True)
    reason, instead = _words(blocker, action, appointment, trust, policy)
    return ActionDecision(action, False, blocker, reason, instead)


def decisions(appointment: Appointment, referral: Referral | None, trust: Trust, now: datetime,
              policy: OnlinePolicy = OnlinePolicy()) -> dict[Action, ActionDecision]:
    """Both actions, for an appointment's page."""
    return {action: decide(action, appointment, referral, trust, now, policy) for action in Action}


def _first_blocker(action: Action, a: Appointment, referral: Referral | None, now: datetime,
                   policy: OnlinePolicy) -> Blocker | None:
    if a.status.is_cancelled:
        return Blocker.CANCELLED
    if a.status is not AppointmentStatus.BOOKED:
        return Blocker.NOT_BOOKED
    if a.starts_at <= now:
        return Blocker.IN_PAST
    if not a.kind.changeable_online:
        return Blocker.VIEW_ONLY_KIND
    if referral is not None and referral.booked_via_ers and a.kind is AppointmentKind.OUTPATIENT_NEW:
        return Blocker.ERS_FIRST_APPOINTMENT  # e-RS holds the booking: a change here would not reach it
    if a.transport_booked:
        return Blocker.TRANSPORT_BOOKED
    if a.interpreter_booked:
        return Blocker.INTERPRETER_BOOKED
    if a.starts_at - now < policy.cutoff:
        return Blocker.TOO_CLOSE
    if action is Action.RESCHEDULE and policy.reschedules_left(a) == 0:
        return Blocker.LIMIT_REACHED
    return None


def _words(blocker: Blocker, action: Action, a: Appointment, trust: Trust, policy: OnlinePolicy) -> tuple[str, str]:
    call = f"call the Appointments team on {trust.appointments_phone} or email {trust.appointments_email}"
    verb = "change" if action is Action.RESCHEDULE else "cancel"
    hours = int(policy.cutoff.total_seconds() // 3600)
    return {
        Blocker.CANCELLED: ("This appointment has been cancelled.", f"If you need a new appointment, {call}."),
        Blocker.NOT_BOOKED: ("This appointment has already been changed or has taken place.",
                             f"If you have a question about it, {call}."),
        Blocker.IN_PAST: ("This appointment is in the past.", f"If you have a question about it, {call}."),
        Blocker.VIEW_ONLY_KIND: (f"A {a.kind.label.lower()} cannot be changed online.", f"To {verb} it, {call}."),
        Blocker.ERS_FIRST_APPOINTMENT: (
            "This first appointment was booked through the NHS e-Referral Service.",
            f"To {verb} it, use the NHS App or the e-Referral Service website with your booking reference, "
            f"or {call}."),
        Blocker.TRANSPORT_BOOKED: ("Hospital transport is booked for this appointment, so it has to be changed "
                                   "by the Appointments team.", f"To {verb} it, {call}."),
        Blocker.INTERPRETER_BOOKED: (f"A {a.interpreter_language} interpreter is booked for this appointment, so "
                                     "it has to be changed by the Appointments team.", f"To {verb} it, {call}."),
        Blocker.TOO_CLOSE: (f"Appointments cannot be changed online less than {hours} hours before they start.",
                            f"To {verb} it now, {call}."),
        Blocker.LIMIT_REACHED: (f"This appointment has already been changed {a.times_rescheduled} times, the most "
                                "allowed online.", f"To change it again, {call}."),
    }[blocker]
