"""A patient's appointments: see them, move one to another free time, or cancel it.

Reschedule and cancel each run in one transaction that re-reads the appointment under a lock and asks the rules
again, so two terminals acting on the same booking or the same slot cannot both win. Book-then-release: the new
booking takes its slot (the database allows one live booking per slot) before the old one lets go of its own."""

from __future__ import annotations

from enum import StrEnum
from dataclasses import dataclass, replace
from datetime import date, datetime

from domain.language import _, ENGLISH
from domain.records import letters
from domain.identity.access import require_access, target_patient
from domain.appointments.rules import (
    Action,
    ActionDecision,
    OnlinePolicy,
    StaffDecision,
    decide,
    decisions,
    staff_decide,
)
from domain.appointments.model import (
    AppointmentEvent,
    AppointmentStatus,
    AppointmentView,
    CancelledBy,
    ReferralStatus,
    next_status,
)
from domain.audit import AuditEvent, Outcome
from domain.clock import LONDON
from domain.text import clean_line
from domain.errors import Conflict, InvalidValue, NotFound, Refused
from domain.formatting import nhs_datetime
from domain.hospital import Slot, Trust
from domain.records.post import TOO_LATE_TO_POST, can_arrive
from domain.messaging.wording import (cancellation_confirmation_sms, hospital_cancellation_sms,
                                      reschedule_confirmation_sms)
from domain.messaging.model import SmsMessage, SmsStatus, SmsTemplate
from domain.identity.patients import LetterPreference, Patient
from domain.ports import Clock, UnitOfWork
from domain.records.model import Document, DocumentKind, PostStatus
from domain.identity.session import Actor, PatientSession, StaffRole, StaffSession

REASON_LIMIT = 500
"""The most characters of an optional cancellation reason that are kept."""

STAFF_REASON_LIMIT = 200
"""The most characters of the reason the desk gives for a change (required there)."""

PATIENT_REASONS = ("the patient asked, at the desk", "the patient asked, on the phone",
                   "the patient asked, by letter or email")
"""Why a patient's cancellation was made at the desk (or the desk types its own)."""
HOSPITAL_REASONS = ("the clinic asked", "the clinician is not available", "the clinic is closed that day")
"""Why the hospital cancelled: the patient stays under the clinic and is rebooked."""
CHANGE_REASONS = PATIENT_REASONS + HOSPITAL_REASONS
"""The usual reasons the desk gives for moving an appointment (or it types its own)."""
REBOOK = "Rebook: the hospital cancelled it"
"""The to-do a hospital's cancellation leaves until the patient has a new time."""

NEAREST = 5
"""How many other times are offered when the chosen one was taken meanwhile."""

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread over the phone


@dataclass(frozen=True, slots=True)
class AppointmentPage:
    """Everything an appointment's page shows: the booking, what the patient may do, and its letters."""

    view: AppointmentView
    decisions: dict[Action, ActionDecision]
    reschedules_left: int
    letters: list[Document]
    trust: Trust
    """The trust holding the appointment, whose Appointments team makes any change the portal cannot."""
    staff: dict[Action, StaffDecision] | None = None
    """At the desk: what the member of staff may do, which is more than the patient may online."""
    ubrn: str | None = None
    """A first appointment booked through the NHS e-Referral Service: its booking reference (UBRN), which the
    patient needs to change it there."""


@dataclass(frozen=True, slots=True)
class Rescheduled:
    """A change that has been made; `sms` is the confirmation queued (None without a mobile on record)."""

    old: AppointmentView
    new: AppointmentView
    reschedules_left: int
    sms: SmsMessage | None
    posted: bool
    """A paper copy of the confirmation letter is queued for posting."""
    arrangements: tuple[str, ...] = ()
    """At the desk: transport or an interpreter booked for the old time, to rebook by hand."""
    letter: str = "portal"
    """How the letter goes (Letter): "too_late" tells the desk to phone the patient."""


@dataclass(frozen=True, slots=True)
class Cancelled:
    """A cancellation that has been made, with the reference to quote."""

    view: AppointmentView
    reference: str
    sms: SmsMessage | None
    arrangements: tuple[str, ...] = ()
    """At the desk: transport or an interpreter booked for it, to cancel by hand."""
    by_hospital: bool = False
    """The hospital cancelled: the referral stays open, and the patient is to be rebooked."""


class SlotTaken(Conflict):
    """The chosen time went to someone else first; `nearest` are the closest free times instead."""

    def __init__(self, nearest: list[Slot]) -> None:
        super().__init__("uq_appointment_live_slot")
        self.args = ("Sorry, that time has just been taken by someone else. "
                     + ("Please choose another: the nearest free times are shown." if nearest else
                        "There are no other free times with this clinician at the moment."),)
        self.nearest = nearest


def free_days(slots: list[Slot]) -> dict[date, list[Slot]]:
    """Free slots by day in the hospital's time zone, in order."""
    days: dict[date, list[Slot]] = {}
    for slot in sorted(slots, key=lambda s: s.starts_at):
        days.setdefault(slot.starts_at.astimezone(LONDON).date(), []).append(slot)
    return days


# --- seeing ----------------------------------------------------------------------------------------------


def appointment_list(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None) -> list[AppointmentView]:
    """The patient's appointments and admissions from both trusts, soonest first."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "list_appointments")
        return [_for(actor, view) for view in uow.appointments.views_for_patient(target)]


def appointment_page(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int,
                     policy: OnlinePolicy) -> AppointmentPage:
    """One appointment, the actions open to the patient, and for each closed one why and what to do instead."""
    with uow:
        view = _visible(uow, clock, actor, appointment_id, "view_appointment")
        a = view.appointment
        referral = uow.referrals.get(a.referral_id) if a.referral_id else None
        trust = uow.trusts.get(a.trust)
        now = clock.now()
        staff = ({action: staff_decide(action, a, referral, now, actor.role, policy) for action in Action}
                 if isinstance(actor, StaffSession) else None)
        ubrn = referral.ubrn if referral is not None and referral.booked_via_ers else None
        return AppointmentPage(_for(actor, view), decisions(a, referral, trust, now, policy),
                               policy.reschedules_left(a), uow.documents.for_appointment(a.id), trust, staff, ubrn)


def open_letter(uow: UnitOfWork, clock: Clock, actor: Actor, document_id: int) -> Document:
    """A letter of the patient's; opening it marks it read and is audited."""
    with uow:
        document = uow.documents.get(document_id)
        if document is None:
            raise NotFound(_("That letter could not be found."))
        require_access(uow, clock, actor, document.patient_id, "open_letter",
                       hidden_as="That letter could not be found.")
        now = clock.now()
        if document.read_at is None and isinstance(actor, PatientSession):
            uow.documents.mark_read(document_id, now)
            document = replace(document, read_at=now)
        audit(uow, actor, now, "open_letter", document.patient_id, f"document {document_id}")
        uow.commit()
        return document


def reschedule_options(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int,
                       policy: OnlinePolicy) -> list[Slot]:
    """Free times of the same clinician at the same location, from the cut-off to the booking horizon. At the
    desk: any clinician at any place of the same clinic (a supervisor also inside the cut-off)."""
    with uow:
        view = _visible(uow, clock, actor, appointment_id, "reschedule_options")
        _allowed(uow, clock, actor, Action.RESCHEDULE, view, policy)
        return _free_for(uow, clock, actor, view, policy)


# --- changing --------------------------------------------------------------------------------------------


def reschedule(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int, slot_id: int,
               policy: OnlinePolicy, reason: str | None = None) -> Rescheduled:
    """Move the booking to the chosen slot: everything below happens together, or none of it does. At the desk
    a reason is required, and is kept on the new booking and in the audit trail."""
    why = _staff_reason(actor, reason)
    with uow:
        view = _visible(uow, clock, actor, appointment_id, "reschedule_appointment")
        old = uow.appointments.lock(appointment_id)  # waits for any other terminal changing it
        if old is None:
            raise NotFound(_("That appointment could not be found."))
        if patient_of(uow, old.patient_id).date_of_death is not None:
            raise Refused("This patient's record says they have died: no appointment can be moved.")
        view = replace(view, appointment=old)
        staff = _allowed(uow, clock, actor, Action.RESCHEDULE, view, policy)
        now = clock.now()
        slot = uow.appointments.slot(slot_id)
        after, before = _window(now, actor, policy)
        same_place = slot is not None and (slot.clinic_id == old.clinic_id if staff is not None else
                                           slot.clinician_id == old.clinician_id and slot.location_id == old.location_id)
        if slot is None or not same_place or not after < slot.starts_at < before:
            raise Refused(_("That time cannot be chosen for this appointment. Please choose one of the times shown."))
        if (closed := uow.appointments.closed_reason(slot_id)) is not None:
            raise Refused(_("The clinic is closed that day ({why}). Please choose another time.").format(why=closed))
        if not uow.appointments.slot_is_free(slot_id):
            raise SlotTaken(nearest(_free_for(uow, clock, actor, view, policy), slot))
        moved = next_status(old.status, AppointmentEvent.RESCHEDULE)  # the status machine agrees, or raises
        times = old.times_rescheduled + 1
        try:
            new = uow.appointments.add(replace(
                old, id=0, reference=new_reference(old.reference[:2]), slot_id=slot.id, status=AppointmentStatus.BOOKED,
                clinician_id=slot.clinician_id, location_id=slot.location_id,
                starts_at=slot.starts_at, duration_minutes=slot.duration_minutes, booked_at=now,
                # A supervisor's move past the online limit raises this booking's own limit to match: the
                # database holds every booking within its limit.
                times_rescheduled=times, reschedule_limit=max(policy.reschedule_limit, times if staff is not None else 0),
                rescheduled_from_id=old.id, rescheduled_to_id=None, cancelled_by=None, cancelled_at=None,
                cancellation_reason=None, cancellation_reference=None, staff_by=None, staff_reason=None,
                arrangements=None, arrangements_done_at=None, arrangements_done_by=None))
            uow.appointments.mark_rescheduled(old.id, new.id)
            arrangements = staff.arrangements if staff else ()
            if staff is not None:
                assert isinstance(actor, StaffSession) and why is not None
                uow.appointments.stamp_staff(new.id, actor.username, why, _to_do(arrangements, "rebook"))
            uow.outbox.withdraw_reminders(old.id)
            patient = patient_of(uow, old.patient_id)
            trust = uow.trusts.get(old.trust)
            read = uow.appointments.view(new.id)
            assert read is not None
            new_view = _for(actor, read)
            new = new_view.appointment
            sms = None
            if patient.mobile is not None:
                sms = text_for(now, patient, new.id, SmsTemplate.RESCHEDULE_CONFIRMATION, reschedule_confirmation_sms(
                    trust, new.starts_at, new_view.site or trust.short_name,
                    new_view.clinic if new_view.clinic_safe_in_sms else None, patient.language))
                uow.outbox.add(sms)
            route = letter_route(uow, now, patient, new.starts_at, policy)
            posted = confirmation_letter(uow, now, patient, trust.name, trust.appointments_phone, new_view,
                                         old.reference, route)
            audit(uow, actor, now, "reschedule_appointment", old.patient_id,
                   f"{old.reference} ({nhs_datetime(old.starts_at)}) -> {new.reference} "
                   f"({nhs_datetime(new.starts_at)}), slot {slot.id}" + _staff_detail(why, staff, arrangements))
            uow.commit()
        except Conflict:
            # Another terminal took the slot (or changed this booking) between our check and our write.
            raise _lost_race(uow, clock, actor, appointment_id, slot, policy) from None
        return Rescheduled(replace(view, rescheduled_to=new.reference, appointment=replace(old, status=moved)),
                           new_view, policy.reschedules_left(new), sms, posted, arrangements, route)


def cancel(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int, reason: str | None,
           policy: OnlinePolicy, by_hospital: bool = False) -> Cancelled:
    """Cancel the booking: the slot is freed for someone else. The patient's cancellation discharges the referral;
    the hospital's (said at the desk: the clinic or clinician cannot) keeps it open, texts that a new date will
    come, and leaves the desk a to-do to rebook. At the desk the reason, and who cancelled, are required."""
    if by_hospital and not isinstance(actor, StaffSession):
        raise Refused(_("That appointment could not be found."))
    if isinstance(actor, StaffSession):
        reason = _staff_reason(actor, reason)
    reason = " ".join(clean_line(reason or "").split())[:REASON_LIMIT] or None
    with uow:
        view = _visible(uow, clock, actor, appointment_id, "cancel_appointment")
        a = uow.appointments.lock(appointment_id)
        if a is None:
            raise NotFound(_("That appointment could not be found."))
        view = replace(view, appointment=a)
        staff = _allowed(uow, clock, actor, Action.CANCEL, view, policy, by_hospital)
        arrangements = staff.arrangements if staff else ()
        now = clock.now()
        by = CancelledBy.PATIENT if isinstance(actor, PatientSession) else CancelledBy.STAFF
        event = AppointmentEvent.CANCEL_BY_PATIENT
        if by_hospital:
            by, event = CancelledBy.HOSPITAL, AppointmentEvent.CANCEL_BY_HOSPITAL
        status = next_status(a.status, event)
        reference = new_reference("CX")
        uow.appointments.mark_cancelled(a.id, by, now, reason, reference)
        if staff is not None:
            assert isinstance(actor, StaffSession) and reason is not None
            to_do = "; ".join(part for part in (REBOOK if by_hospital else None, _to_do(arrangements, "cancel"))
                              if part)
            uow.appointments.stamp_staff(a.id, actor.username, reason, to_do or None)
        if a.referral_id is not None and not by_hospital:
            referral = uow.referrals.get(a.referral_id)
            if referral is not None and referral.status is ReferralStatus.OPEN:
                uow.referrals.discharge(a.referral_id, now)
        uow.outbox.withdraw_reminders(a.id)
        patient = patient_of(uow, a.patient_id)
        trust = uow.trusts.get(a.trust)
        sms = None
        if patient.mobile is not None and patient.date_of_death is None:
            words = hospital_cancellation_sms if by_hospital else cancellation_confirmation_sms
            sms = text_for(now, patient, a.id, SmsTemplate.CANCELLATION_CONFIRMATION,
                           words(trust, a.starts_at, patient.language))
            uow.outbox.add(sms)
        audit(uow, actor, now, "cancel_appointment", a.patient_id,
              f"{a.reference} ({nhs_datetime(a.starts_at)}) cancelled, reference {reference}; "
              + ("cancelled by the hospital: referral kept open, to rebook" if by_hospital else "referral discharged")
              + (_staff_detail(reason, staff, arrangements) if staff else f"; reason: {reason}" if reason else ""))
        try:
            uow.commit()
        except Conflict:
            raise Refused(_("This appointment was changed at another screen at the same moment. "
                          "Please look at it again.")) from None
        done = replace(a, status=status, cancelled_by=by, cancelled_at=now, cancellation_reason=reason)
        return Cancelled(replace(view, appointment=done), reference, sms, arrangements, by_hospital)


# --- helpers ---------------------------------------------------------------------------------------------


def policy_window(now: datetime, policy: OnlinePolicy) -> tuple[datetime, datetime]:
    """New times lie after the cut-off (so they could still be changed) and within the booking horizon."""
    return now + policy.cutoff, now + policy.horizon


def new_reference(prefix: str) -> str:
    """'WH' + 8 characters no one misreads over the phone: unique in the database, unguessable."""
    import secrets  # where a change is made: a desk that only shows the pages never loads it (nor OpenSSL's hashes)

    return prefix + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def _window(now: datetime, actor: Actor, policy: OnlinePolicy) -> tuple[datetime, datetime]:
    after, before = policy_window(now, policy)
    if isinstance(actor, StaffSession) and actor.role is StaffRole.APPOINTMENTS_SUPERVISOR:
        after = now  # a supervisor may book inside the cut-off
    return after, before


def _free_for(uow: UnitOfWork, clock: Clock, actor: Actor, view: AppointmentView, policy: OnlinePolicy) -> list[Slot]:
    a = view.appointment
    after, before = _window(clock.now(), actor, policy)
    if isinstance(actor, StaffSession):
        return [s for s in uow.appointments.free_slots_in_clinic(a.clinic_id, after, before) if s.id != a.slot_id]
    if a.clinician_id is None or a.location_id is None:
        return []
    return uow.appointments.free_slots(a.clinician_id, a.location_id, after, before)


def _for(actor: Actor, view: AppointmentView) -> AppointmentView:
    """What the actor is given: a patient does not learn staff's names ("the Appointments team" changed it)."""
    return view if isinstance(actor, StaffSession) or view.staff_name is None else replace(view, staff_name=None)


def _staff_reason(actor: Actor, reason: str | None) -> str | None:
    if not isinstance(actor, StaffSession):
        return None
    why = " ".join(clean_line(reason or "").split())[:STAFF_REASON_LIMIT]
    if not why:
        raise InvalidValue(_("Say why you are making this change: choose a reason or type one."))
    return why


def _to_do(arrangements: tuple[str, ...], verb: str) -> str | None:
    return f"{verb.capitalize()} {' and '.join(arrangements)}" if arrangements else None


def _staff_detail(why: str | None, staff: StaffDecision | None, arrangements: tuple[str, ...]) -> str:
    if staff is None:
        return ""
    return (f"; reason: {why}" + (f"; overrides: {', '.join(staff.overrides)}" if staff.overrides else "")
            + (f"; to do by hand: {', '.join(arrangements)}" if arrangements else ""))


def nearest(free: list[Slot], wanted: Slot) -> list[Slot]:
    return sorted(sorted(free, key=lambda s: abs((s.starts_at - wanted.starts_at).total_seconds()))[:NEAREST],
                  key=lambda s: s.starts_at)


def _lost_race(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int, slot: Slot,
               policy: OnlinePolicy) -> Refused:
    # The commit was refused: either the slot went to another booking, or this appointment was changed elsewhere.
    uow.rollback()
    old = uow.appointments.get(appointment_id)
    view = uow.appointments.view(appointment_id)
    if old is not None and view is not None and old.status.holds_slot and not uow.appointments.slot_is_free(slot.id):
        return SlotTaken(nearest(_free_for(uow, clock, actor, view, policy), slot))
    return Refused(_("This appointment was changed at another screen at the same moment. Please look at it again."))


def _allowed(uow: UnitOfWork, clock: Clock, actor: Actor, action: Action, view: AppointmentView,
             policy: OnlinePolicy, by_hospital: bool = False) -> StaffDecision | None:
    """Go on (at the desk, with what the staff rules said), or Refused with the rule's own words. The online
    rules' cut-off and limit are the patient's: a cancellation by the hospital goes past them at any desk."""
    a = view.appointment
    referral = uow.referrals.get(a.referral_id) if a.referral_id else None
    if isinstance(actor, StaffSession):
        role = StaffRole.APPOINTMENTS_SUPERVISOR if by_hospital else actor.role
        staff = staff_decide(action, a, referral, clock.now(), role, policy)
        if not staff:
            raise Refused(staff.reason)
        return staff
    decision = decide(action, a, referral, uow.trusts.get(a.trust), clock.now(), policy)
    if not decision:
        raise Refused(f"{decision.reason} {decision.instead}")
    return None


def _visible(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int, action: str) -> AppointmentView:
    view = uow.appointments.view(appointment_id)
    if view is None:
        raise NotFound(_("That appointment could not be found."))
    require_access(uow, clock, actor, view.appointment.patient_id, action,
                   hidden_as="That appointment could not be found.")
    return view


def patient_of(uow: UnitOfWork, patient_id: int) -> Patient:
    patient = uow.patients.get(patient_id)
    if patient is None:
        raise NotFound(_("That record could not be found."))
    return patient


def text_for(now: datetime, patient: Patient, appointment_id: int, template: SmsTemplate, body: str) -> SmsMessage:
    import secrets

    assert patient.mobile is not None
    return SmsMessage(id=secrets.token_hex(16), to_number=patient.mobile.e164, template=template, body=body,
                      status=SmsStatus.QUEUED, created_at=now, send_after=now, patient_id=patient.id,
                      appointment_id=appointment_id, language=patient.language or ENGLISH)


class Letter(StrEnum):
    """How the confirmation letter reaches the patient."""

    PORTAL = "portal"
    """Paperless, with a portal account to read it in."""
    POST = "post"
    """A paper copy is queued for the post room."""
    TOO_LATE = "too_late"
    """Paper, but it cannot arrive before the appointment: not sent; the desk is to phone (a to-do)."""


def letter_route(uow: UnitOfWork, now: datetime, patient: Patient, starts_at: datetime, policy: OnlinePolicy) -> Letter:
    """Paperless only for a patient with a portal account to read it in (else paper, whatever they chose); paper
    only where it can arrive in time."""
    if patient.letter_preference is LetterPreference.PAPERLESS and uow.accounts.for_patient(patient.id) is not None:
        return Letter.PORTAL
    return Letter.POST if can_arrive(now, starts_at, policy.post_working_days) else Letter.TOO_LATE


def confirmation_letter(uow: UnitOfWork, now: datetime, patient: Patient, trust_name: str, phone: str,
                        view: AppointmentView, replaces: str | None, route: Letter) -> bool:
    """The letter for the new time, in the portal; a paper copy is queued too where it goes by post, and where it
    cannot arrive in time the appointment is left a to-do to phone the patient instead. Whether it is posted."""
    a = view.appointment
    ctx = letters.LetterContext(f"{patient.given_name} {patient.family_name}",
                                patient.nhs_number.formatted if patient.nhs_number else "not recorded",
                                trust_name, phone)
    place = ", ".join(part for part in (view.location, view.site, view.address) if part)
    body = letters.appointment_confirmation(ctx, kind_label=a.kind.label, starts_at=a.starts_at, clinic=view.clinic,
                                            clinician=view.clinician or "a member of the clinic's team",
                                            place=place or "to be confirmed", reference=a.reference, replaces=replaces)
    paper = route is Letter.POST
    if route is Letter.TOO_LATE:
        uow.appointments.add_to_do(a.id, TOO_LATE_TO_POST)
    uow.documents.add(Document(
        id=0, patient_id=patient.id, trust=a.trust, kind=DocumentKind.APPOINTMENT_CONFIRMATION,
        title=f"{a.kind.label}{' (new time)' if replaces else ''} – {view.clinic}", written_at=now, content_type="text/markdown",
        size_bytes=len(body.encode()), body_markdown=body, appointment_id=a.id,
        post_status=PostStatus.QUEUED if paper else None))
    return paper


def audit(uow: UnitOfWork, actor: Actor, now: datetime, action: str, patient_id: int, detail: str) -> None:
    kind, actor_id, role = actor.audit_identity
    uow.audit.record(AuditEvent(at=now, actor_kind=kind, actor_id=actor_id, actor_role=role, action=action,
                                outcome=Outcome.SUCCESS, patient_id=patient_id, detail=detail))
