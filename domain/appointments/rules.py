"""What a patient may do with an appointment online, and — for everything they may not — why, in plain words,
and what to do instead. Pure: the appointment, its referral, the trust's contact details and the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.appointments.model import Appointment, AppointmentKind, AppointmentStatus, Referral
from domain.hospital import Trust
from domain.identity.session import StaffRole
from domain.language import _, ngettext


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
    TEAM_ONLY = "team_only"
    """A booking of a PAS appointment type the trust has not mapped, or mapped as not changeable online."""
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
    post_working_days: int = 3
    """Working days a letter takes by post (second class: Royal Mail's target is three): a paper letter that
    cannot arrive before its appointment is not sent, and the desk is told to phone."""

    def reschedules_left(self, appointment: Appointment) -> int:
        """How many more times this booking may be moved online."""
        return max(0, self.reschedule_limit - appointment.times_rescheduled)


def decide(action: Action, appointment: Appointment, referral: Referral | None, trust: Trust, now: datetime,
           policy: OnlinePolicy = OnlinePolicy()) -> ActionDecision:
    """The first blocker that applies, in the order a patient would want to hear them, or yes."""
    blocker = _first_blocker(action, appointment, referral, now, policy)
    if blocker is None:
        return ActionDecision(action, True)
    reason, instead = _words(blocker, action, appointment, trust, policy, referral)
    return ActionDecision(action, False, blocker, reason, instead)


def decisions(appointment: Appointment, referral: Referral | None, trust: Trust, now: datetime,
              policy: OnlinePolicy = OnlinePolicy()) -> dict[Action, ActionDecision]:
    """Both actions, for an appointment's page."""
    return {action: decide(action, appointment, referral, trust, now, policy) for action in Action}


def _first_blocker(action: Action, a: Appointment, referral: Referral | None, now: datetime,
                   policy: OnlinePolicy) -> Blocker | None:
    return next(iter(blockers(action, a, referral, now, policy)), None)


def blockers(action: Action, a: Appointment, referral: Referral | None, now: datetime,
             policy: OnlinePolicy) -> list[Blocker]:
    """Every reason the patient may not do this online, most fundamental first (a cancelled booking stops there)."""
    if a.status.is_cancelled:
        return [Blocker.CANCELLED]
    if a.status is not AppointmentStatus.BOOKED:
        return [Blocker.NOT_BOOKED]
    if a.starts_at <= now:
        return [Blocker.IN_PAST]
    found = []
    if not a.kind.changeable_online:
        found.append(Blocker.VIEW_ONLY_KIND)
    elif not a.online_changes:
        found.append(Blocker.TEAM_ONLY)
    if referral is not None and referral.booked_via_ers and a.kind is AppointmentKind.OUTPATIENT_NEW:
        found.append(Blocker.ERS_FIRST_APPOINTMENT)  # e-RS holds the booking: a change here would not reach it
    if a.transport_booked:
        found.append(Blocker.TRANSPORT_BOOKED)
    if a.interpreter_booked:
        found.append(Blocker.INTERPRETER_BOOKED)
    if a.starts_at - now < policy.cutoff:
        found.append(Blocker.TOO_CLOSE)
    if action is Action.RESCHEDULE and policy.reschedules_left(a) == 0:
        found.append(Blocker.LIMIT_REACHED)
    return found


# --- at the desk -----------------------------------------------------------------------------------------

_STAFF_CANNOT = {Blocker.CANCELLED, Blocker.NOT_BOOKED, Blocker.IN_PAST, Blocker.VIEW_ONLY_KIND,
                 Blocker.ERS_FIRST_APPOINTMENT}
_SUPERVISORS_ONLY = {Blocker.TOO_CLOSE, Blocker.LIMIT_REACHED}


@dataclass(frozen=True, slots=True)
class StaffDecision:
    """What the Appointments team may do for the patient: yes or no with the reason, what a supervisor's yes
    overrides, and what the change leaves to rebook or cancel by hand."""

    action: Action
    allowed: bool
    reason: str = ""
    overrides: tuple[str, ...] = ()
    """The online rules this change goes past (said on the check page and kept in the audit trail)."""
    arrangements: tuple[str, ...] = ()
    """Transport or an interpreter booked for the old time: to rebook (or cancel) once the change is made."""

    def __bool__(self) -> bool:
        return self.allowed


def staff_decide(action: Action, appointment: Appointment, referral: Referral | None, now: datetime,
                 role: StaffRole, policy: OnlinePolicy = OnlinePolicy()) -> StaffDecision:
    """The desk may do what the patient may not online — with transport or an interpreter booked, and (a
    supervisor only) inside the cut-off or past the online limit — but not to a booking that is over, that
    another team books, or that the e-Referral Service holds."""
    a = appointment
    found = blockers(action, a, referral, now, policy)
    verb = "change" if action is Action.RESCHEDULE else "cancel"
    hard = [b for b in found if b in _STAFF_CANNOT]
    if hard:
        return StaffDecision(action, False, _staff_words(hard[0], verb, a, referral))
    overrides = tuple(_override_words(b, a, policy) for b in found if b in _SUPERVISORS_ONLY)
    if overrides and role is not StaffRole.APPOINTMENTS_SUPERVISOR:
        return StaffDecision(action, False, f"This appointment is {' and '.join(overrides)}: only an "
                                            f"appointments supervisor can {verb} it now.", overrides)
    arrangements = tuple(_arrangement(b, a) for b in found if b in {Blocker.TRANSPORT_BOOKED,
                                                                   Blocker.INTERPRETER_BOOKED})
    return StaffDecision(action, True, "", overrides, arrangements)


def _staff_words(blocker: Blocker, verb: str, a: Appointment, referral: Referral | None) -> str:
    return {
        Blocker.CANCELLED: "This appointment has been cancelled: book a new one instead.",
        Blocker.NOT_BOOKED: "This appointment has already been moved or has taken place.",
        Blocker.IN_PAST: "This appointment is in the past.",
        Blocker.VIEW_ONLY_KIND: f"A {a.kind.label.lower()} is booked by the ward or department's own team, "
                                "not at this desk.",
        Blocker.ERS_FIRST_APPOINTMENT: (
            f"This first appointment is held by the NHS e-Referral Service: {verb} it there"
            + (f" (UBRN {referral.ubrn})" if referral and referral.ubrn else "")
            + ", so that e-RS and the hospital agree."),
    }[blocker]


def _override_words(blocker: Blocker, a: Appointment, policy: OnlinePolicy) -> str:
    hours = int(policy.cutoff.total_seconds() // 3600)
    if blocker is Blocker.TOO_CLOSE:
        return f"less than {hours} hours away"
    return f"already moved {a.times_rescheduled} times (the online limit is {policy.reschedule_limit})"


def _arrangement(blocker: Blocker, a: Appointment) -> str:
    if blocker is Blocker.TRANSPORT_BOOKED:
        return "hospital transport"
    return f"the {a.interpreter_language} interpreter"


def ubrn_words(ubrn: str) -> str:
    """A UBRN as e-RS prints it: three groups of four digits."""
    digits = "".join(c for c in ubrn if c.isdigit())
    return " ".join(digits[n:n + 4] for n in range(0, len(digits), 4)) if len(digits) == 12 else ubrn


def _words(blocker: Blocker, action: Action, a: Appointment, trust: Trust, policy: OnlinePolicy,
           referral: Referral | None = None) -> tuple[str, str]:
    """What the patient is told, in the screen's language: why not, and what to do instead (whole sentences, so
    that each language can order its words)."""
    contact = dict(phone=trust.appointments_phone, email=trust.appointments_email)
    change = action is Action.RESCHEDULE
    to_do = (_("To change it, call the Appointments team on {phone} or email {email}.") if change else
             _("To cancel it, call the Appointments team on {phone} or email {email}.")).format(**contact)
    question = _("If you have a question about it, call the Appointments team on {phone} or email {email}.").format(
        **contact)
    hours = int(policy.cutoff.total_seconds() // 3600)
    if blocker is Blocker.CANCELLED:
        return (_("This appointment has been cancelled."),
                _("If you need a new appointment, call the Appointments team on {phone} or email {email}.").format(
                    **contact))
    if blocker is Blocker.NOT_BOOKED:
        return _("This appointment has already been changed or has taken place."), question
    if blocker is Blocker.IN_PAST:
        return _("This appointment is in the past."), question
    if blocker is Blocker.VIEW_ONLY_KIND:
        return _("A {kind} cannot be changed online.").format(kind=_(a.kind.label).lower()), to_do
    if blocker is Blocker.TEAM_ONLY:
        return _("This appointment can only be changed by the Appointments team."), to_do
    if blocker is Blocker.ERS_FIRST_APPOINTMENT:
        ubrn = ubrn_words(referral.ubrn) if referral is not None and referral.ubrn else None
        if ubrn is None:
            return (_("This first appointment was booked through the NHS e-Referral Service."),
                    (_("To change it, use the NHS App or the e-Referral Service website with your booking reference, "
                       "or call the Appointments team on {phone} or email {email}.") if change else
                     _("To cancel it, use the NHS App or the e-Referral Service website with your booking reference, "
                       "or call the Appointments team on {phone} or email {email}.")).format(**contact))
        return (_("This first appointment was booked through the NHS e-Referral Service."),
                (_("To change it, use the NHS App or the e-Referral Service website with your booking reference "
                   "(UBRN) {ubrn}, or call the Appointments team on {phone} or email {email}.") if change else
                 _("To cancel it, use the NHS App or the e-Referral Service website with your booking reference "
                   "(UBRN) {ubrn}, or call the Appointments team on {phone} or email {email}.")).format(
                    ubrn=ubrn, **contact))
    if blocker is Blocker.TRANSPORT_BOOKED:
        return (_("Hospital transport is booked for this appointment, so it has to be changed by the Appointments "
                  "team."), to_do)
    if blocker is Blocker.INTERPRETER_BOOKED:
        return (_("A {language} interpreter is booked for this appointment, so it has to be changed by the "
                  "Appointments team.").format(language=a.interpreter_language), to_do)
    if blocker is Blocker.TOO_CLOSE:
        return (_("Appointments cannot be changed online less than {hours} hours before they start.").format(
                    hours=hours),
                (_("To change it now, call the Appointments team on {phone} or email {email}.") if change else
                 _("To cancel it now, call the Appointments team on {phone} or email {email}.")).format(**contact))
    assert blocker is Blocker.LIMIT_REACHED
    return (ngettext("This appointment has already been changed {count} time, the most allowed online.",
                     "This appointment has already been changed {count} times, the most allowed online.",
                     a.times_rescheduled).format(count=a.times_rescheduled),
            _("To change it again, call the Appointments team on {phone} or email {email}.").format(**contact))
