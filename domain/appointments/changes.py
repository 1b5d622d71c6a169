"""A patient's appointments: see them, move one to another free time, or cancel it.

Reschedule and cancel each run in one transaction that re-reads the appointment under a lock and asks the rules
again, so two terminals acting on the same booking or the same slot cannot both win. Book-then-release: the new
booking takes its slot (the database allows one live booking per slot) before the old one lets go of its own."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime

from domain.records import letters
from domain.identity.access import require_access, target_patient
from domain.appointments.rules import Action, ActionDecision, OnlinePolicy, decide, decisions
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
from domain.errors import Conflict, NotFound, Refused
from domain.formatting import nhs_datetime
from domain.hospital import Slot, Trust
from domain.messaging.wording import cancellation_confirmation_sms, reschedule_confirmation_sms
from domain.messaging.model import SmsMessage, SmsStatus, SmsTemplate
from domain.identity.patients import LetterPreference, Patient
from domain.ports import Clock, UnitOfWork
from domain.records.model import Document, DocumentKind, PostStatus
from domain.identity.session import Actor, PatientSession

REASON_LIMIT = 500
"""The most characters of an optional cancellation reason that are kept."""

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


@dataclass(frozen=True, slots=True)
class Rescheduled:
    """A change that has been made; `sms` is the confirmation queued (None without a mobile on record)."""

    old: AppointmentView
    new: AppointmentView
    reschedules_left: int
    sms: SmsMessage | None
    posted: bool
    """A paper copy of the confirmation letter is queued for posting."""


@dataclass(frozen=True, slots=True)
class Cancelled:
    """A cancellation that has been made, with the reference to quote."""

    view: AppointmentView
    reference: str
    sms: SmsMessage | None


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
        return uow.appointments.views_for_patient(target)


def appointment_page(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int,
                     policy: OnlinePolicy) -> AppointmentPage:
    """One appointment, the actions open to the patient, and for each closed one why and what to do instead."""
    with uow:
        view = _visible(uow, clock, actor, appointment_id, "view_appointment")
        a = view.appointment
        referral = uow.referrals.get(a.referral_id) if a.referral_id else None
        trust = uow.trusts.get(a.trust)
        return AppointmentPage(view, decisions(a, referral, trust, clock.now(), policy), policy.reschedules_left(a),
                               uow.documents.for_appointment(a.id), trust)


def open_letter(uow: UnitOfWork, clock: Clock, actor: Actor, document_id: int) -> Document:
    """A letter of the patient's; opening it marks it read and is audited."""
    with uow:
        document = uow.documents.get(document_id)
        if document is None:
            raise NotFound("That letter could not be found.")
        require_access(uow, clock, actor, document.patient_id, "open_letter",
                       hidden_as="That letter could not be found.")
        now = clock.now()
        if document.read_at is None and isinstance(actor, PatientSession):
            uow.documents.mark_read(document_id, now)
            document = replace(document, read_at=now)
        _audit(uow, actor, now, "open_letter", document.patient_id, f"document {document_id}")
        uow.commit()
        return document


def reschedule_options(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int,
                       policy: OnlinePolicy) -> list[Slot]:
    """Free times of the same clinician at the same location, from the cut-off to the booking horizon."""
    with uow:
        view = _visible(uow, clock, actor, appointment_id, "reschedule_options")
        _allowed(uow, clock, Action.RESCHEDULE, view, policy)
        return _free_for(uow, clock, view, policy)


# --- changing --------------------------------------------------------------------------------------------


def reschedule(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int, slot_id: int,
               policy: OnlinePolicy) -> Rescheduled:
    """Move the booking to the chosen slot: everything below happens together, or none of it does."""
    with uow:
        view = _visible(uow, clock, actor, appointment_id, "reschedule_appointment")
        old = uow.appointments.lock(appointment_id)  # waits for any other terminal changing it
        if old is None:
            raise NotFound("That appointment could not be found.")
        view = replace(view, appointment=old)
        _allowed(uow, clock, Action.RESCHEDULE, view, policy)
        now = clock.now()
        slot = uow.appointments.slot(slot_id)
        after, before = policy_window(now, policy)
        if (slot is None or slot.clinician_id != old.clinician_id or slot.location_id != old.location_id
                or not after < slot.starts_at < before):
            raise Refused("That time cannot be chosen for this appointment. Please choose one of the times shown.")
        if not uow.appointments.slot_is_free(slot_id):
            raise SlotTaken(_nearest(_free_for(uow, clock, view, policy), slot))
        moved = next_status(old.status, AppointmentEvent.RESCHEDULE)  # the status machine agrees, or raises
        try:
            new = uow.appointments.add(replace(
                old, id=0, reference=new_reference(old.reference[:2]), slot_id=slot.id, status=AppointmentStatus.BOOKED,
                starts_at=slot.starts_at, duration_minutes=slot.duration_minutes, booked_at=now,
                times_rescheduled=old.times_rescheduled + 1, reschedule_limit=policy.reschedule_limit,
                rescheduled_from_id=old.id, rescheduled_to_id=None, cancelled_by=None, cancelled_at=None,
                cancellation_reason=None, cancellation_reference=None))
            uow.appointments.mark_rescheduled(old.id, new.id)
            uow.outbox.withdraw_reminders(old.id)
            patient = _patient(uow, old.patient_id)
            trust = uow.trusts.get(old.trust)
            new_view = replace(view, appointment=new, rescheduled_from=old.reference, rescheduled_to=None)
            sms = None
            if patient.mobile is not None:
                sms = _sms(now, patient, new.id, SmsTemplate.RESCHEDULE_CONFIRMATION, reschedule_confirmation_sms(
                    trust, new.starts_at, view.site or trust.short_name, view.clinic if view.clinic_safe_in_sms else None))
                uow.outbox.add(sms)
            posted = _confirmation_letter(uow, now, patient, trust.name, trust.appointments_phone, new_view,
                                          old.reference)
            _audit(uow, actor, now, "reschedule_appointment", old.patient_id,
                   f"{old.reference} ({nhs_datetime(old.starts_at)}) -> {new.reference} "
                   f"({nhs_datetime(new.starts_at)}), slot {slot.id}")
            uow.commit()
        except Conflict:
            # Another terminal took the slot (or changed this booking) between our check and our write.
            raise _lost_race(uow, clock, appointment_id, slot, policy) from None
        return Rescheduled(replace(view, rescheduled_to=new.reference, appointment=replace(old, status=moved)),
                           new_view, policy.reschedules_left(new), sms, posted)


def cancel(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int, reason: str | None,
           policy: OnlinePolicy) -> Cancelled:
    """Cancel the booking and discharge the referral: the slot is freed for someone else."""
    reason = " ".join(clean_line(reason or "").split())[:REASON_LIMIT] or None
    with uow:
        view = _visible(uow, clock, actor, appointment_id, "cancel_appointment")
        a = uow.appointments.lock(appointment_id)
        if a is None:
            raise NotFound("That appointment could not be found.")
        view = replace(view, appointment=a)
        _allowed(uow, clock, Action.CANCEL, view, policy)
        now = clock.now()
        by = CancelledBy.PATIENT if isinstance(actor, PatientSession) else CancelledBy.STAFF
        next_status(a.status, AppointmentEvent.CANCEL_BY_PATIENT)
        reference = new_reference("CX")
        uow.appointments.mark_cancelled(a.id, by, now, reason, reference)
        if a.referral_id is not None:
            referral = uow.referrals.get(a.referral_id)
            if referral is not None and referral.status is ReferralStatus.OPEN:
                uow.referrals.discharge(a.referral_id, now)
        uow.outbox.withdraw_reminders(a.id)
        patient = _patient(uow, a.patient_id)
        trust = uow.trusts.get(a.trust)
        sms = None
        if patient.mobile is not None:
            sms = _sms(now, patient, a.id, SmsTemplate.CANCELLATION_CONFIRMATION,
                       cancellation_confirmation_sms(trust, a.starts_at))
            uow.outbox.add(sms)
        _audit(uow, actor, now, "cancel_appointment", a.patient_id,
               f"{a.reference} ({nhs_datetime(a.starts_at)}) cancelled, reference {reference}; referral discharged"
               + (f"; reason: {reason}" if reason else ""))
        try:
            uow.commit()
        except Conflict:
            raise Refused("This appointment was changed at another screen at the same moment. "
                          "Please look at it again.") from None
        done = replace(a, status=next_status(a.status, AppointmentEvent.CANCEL_BY_PATIENT), cancelled_by=by,
                       cancelled_at=now, cancellation_reason=reason)
        return Cancelled(replace(view, appointment=done), reference, sms)


# --- helpers ---------------------------------------------------------------------------------------------


def policy_window(now: datetime, policy: OnlinePolicy) -> tuple[datetime, datetime]:
    """New times lie after the cut-off (so they could still be changed) and within the booking horizon."""
    return now + policy.cutoff, now + policy.horizon


def new_reference(prefix: str) -> str:
    """'WH' + 8 characters no one misreads over the phone: unique in the database, unguessable."""
    return prefix + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def _free_for(uow: UnitOfWork, clock: Clock, view: AppointmentView, policy: OnlinePolicy) -> list[Slot]:
    a = view.appointment
    if a.clinician_id is None or a.location_id is None:
        return []
    after, before = policy_window(clock.now(), policy)
    return uow.appointments.free_slots(a.clinician_id, a.location_id, after, before)


def _nearest(free: list[Slot], wanted: Slot) -> list[Slot]:
    return sorted(sorted(free, key=lambda s: abs((s.starts_at - wanted.starts_at).total_seconds()))[:NEAREST],
                  key=lambda s: s.starts_at)


def _lost_race(uow: UnitOfWork, clock: Clock, appointment_id: int, slot: Slot, policy: OnlinePolicy) -> Refused:
    # The commit was refused: either the slot went to another booking, or this appointment was changed elsewhere.
    uow.rollback()
    old = uow.appointments.get(appointment_id)
    view = uow.appointments.view(appointment_id)
    if old is not None and view is not None and old.status.holds_slot and not uow.appointments.slot_is_free(slot.id):
        return SlotTaken(_nearest(_free_for(uow, clock, view, policy), slot))
    return Refused("This appointment was changed at another screen at the same moment. Please look at it again.")


def _allowed(uow: UnitOfWork, clock: Clock, action: Action, view: AppointmentView, policy: OnlinePolicy) -> None:
    a = view.appointment
    referral = uow.referrals.get(a.referral_id) if a.referral_id else None
    decision = decide(action, a, referral, uow.trusts.get(a.trust), clock.now(), policy)
    if not decision:
        raise Refused(f"{decision.reason} {decision.instead}")


def _visible(uow: UnitOfWork, clock: Clock, actor: Actor, appointment_id: int, action: str) -> AppointmentView:
    view = uow.appointments.view(appointment_id)
    if view is None:
        raise NotFound("That appointment could not be found.")
    require_access(uow, clock, actor, view.appointment.patient_id, action,
                   hidden_as="That appointment could not be found.")
    return view


def _patient(uow: UnitOfWork, patient_id: int) -> Patient:
    patient = uow.patients.get(patient_id)
    if patient is None:
        raise NotFound("That record could not be found.")
    return patient


def _sms(now: datetime, patient: Patient, appointment_id: int, template: SmsTemplate, body: str) -> SmsMessage:
    assert patient.mobile is not None
    return SmsMessage(id=secrets.token_hex(16), to_number=patient.mobile.e164, template=template, body=body,
                      status=SmsStatus.QUEUED, created_at=now, send_after=now, patient_id=patient.id,
                      appointment_id=appointment_id)


def _confirmation_letter(uow: UnitOfWork, now: datetime, patient: Patient, trust_name: str, phone: str,
                         view: AppointmentView, replaces: str) -> bool:
    """The letter for the new time, in the portal; a paper copy is queued too unless the patient is paperless."""
    a = view.appointment
    ctx = letters.LetterContext(f"{patient.given_name} {patient.family_name}",
                                patient.nhs_number.formatted if patient.nhs_number else "not recorded",
                                trust_name, phone)
    place = ", ".join(part for part in (view.location, view.site, view.address) if part)
    body = letters.appointment_confirmation(ctx, kind_label=a.kind.label, starts_at=a.starts_at, clinic=view.clinic,
                                            clinician=view.clinician or "a member of the clinic's team",
                                            place=place or "to be confirmed", reference=a.reference, replaces=replaces)
    paper = patient.letter_preference is LetterPreference.PAPER
    uow.documents.add(Document(
        id=0, patient_id=patient.id, trust=a.trust, kind=DocumentKind.APPOINTMENT_CONFIRMATION,
        title=f"{a.kind.label} (new time) – {view.clinic}", written_at=now, content_type="text/markdown",
        size_bytes=len(body.encode()), body_markdown=body, appointment_id=a.id,
        post_status=PostStatus.QUEUED if paper else None))
    return paper


def _audit(uow: UnitOfWork, actor: Actor, now: datetime, action: str, patient_id: int, detail: str) -> None:
    kind, actor_id, role = actor.audit_identity
    uow.audit.record(AuditEvent(at=now, actor_kind=kind, actor_id=actor_id, actor_role=role, action=action,
                                outcome=Outcome.SUCCESS, patient_id=patient_id, detail=detail))
