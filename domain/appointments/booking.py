"""What only the desk does with appointments: book a new outpatient appointment into a free slot for a patient
(a follow-up under an open referral, or a first appointment with its e-RS referral number), and tick off the
transport or interpreter a change left to rebook by hand.

Booking writes, in one transaction: the appointment (the database allows one live booking per slot, so a patient
moving into the same slot at the same moment, or another desk, cannot also have it), the confirmation letter (a
paper copy queued unless the patient is paperless), the confirmation text, and the registration invitation the
FAQ promises when one is due. Reminders follow in due course from the reminders' run, as for every booking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.appointments.changes import (
    STAFF_REASON_LIMIT,
    Letter,
    letter_route,
    SlotTaken,
    audit,
    confirmation_letter,
    nearest,
    new_reference,
    patient_of,
    text_for,
)
from domain.appointments.model import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AppointmentView,
    Referral,
    ReferralStatus,
)
from domain.appointments.rules import OnlinePolicy
from domain.clock import LONDON
from domain.errors import Conflict, InvalidValue, NotFound, Refused
from domain.hospital import Clinic, Slot, TrustCode
from domain.identity.access import require_access
from domain.identity.invitations import invite
from domain.identity.session import StaffSession
from domain.messaging.model import SmsMessage, SmsTemplate
from domain.messaging.wording import booking_confirmation_sms
from domain.ports import Clock, UnitOfWork
from domain.text import clean_line

_PREFIX = {TrustCode.WEST_HERTS: "WH", TrustCode.ROYAL_FREE: "RF"}


class BookingKind(StrEnum):
    """A follow-up under the clinic's open referral, or a first appointment of a new (e-RS) referral."""

    FOLLOW_UP = "follow_up"
    NEW_REFERRAL = "new_referral"


@dataclass(frozen=True, slots=True)
class ClinicChoice:
    """A clinic the desk can book into for this patient, and their open referral there, if any."""

    clinic: Clinic
    trust_name: str
    referral: Referral | None

    @property
    def can_follow_up(self) -> bool:
        """The patient is under this clinic: a follow-up needs no new referral."""
        return self.referral is not None


@dataclass(frozen=True, slots=True)
class Booked:
    """A booking made: the appointment, the texts queued (None without a mobile), whether a paper copy goes."""

    view: AppointmentView
    sms: SmsMessage | None
    invitation: SmsMessage | None
    posted: bool
    letter: str = "portal"
    """How the letter goes (Letter): "too_late" tells the desk to phone the patient."""


def booking_clinics(uow: UnitOfWork, clock: Clock, staff: StaffSession, patient_id: int) -> list[ClinicChoice]:
    """Every outpatient clinic of both trusts, those the patient is under first."""
    with uow:
        require_access(uow, clock, staff, patient_id, "booking_clinics")
        choices = [ClinicChoice(c, uow.trusts.get(c.trust).name, uow.referrals.open_for(patient_id, c.id))
                   for c in uow.appointments.clinics() if c.outpatient]
    return sorted(choices, key=lambda c: (not c.can_follow_up, c.clinic.trust != TrustCode.WEST_HERTS, c.clinic.name))


def booking_slots(uow: UnitOfWork, clock: Clock, staff: StaffSession, patient_id: int, clinic_id: int,
                  policy: OnlinePolicy) -> list[Slot]:
    """The clinic's free times, every clinician and place, from now to the booking horizon."""
    now = clock.now()
    with uow:
        require_access(uow, clock, staff, patient_id, "booking_slots")
        return uow.appointments.free_slots_in_clinic(clinic_id, now, now + policy.horizon)


def book(uow: UnitOfWork, clock: Clock, staff: StaffSession, patient_id: int, slot_id: int, kind: BookingKind,
         reason: str, policy: OnlinePolicy, portal_url: str, ubrn: str | None = None) -> Booked:
    """Book the slot for the patient; everything happens together or none of it does."""
    why = " ".join(clean_line(reason or "").split())[:STAFF_REASON_LIMIT]
    if not why:
        raise InvalidValue("Say why you are booking this appointment: choose a reason or type one.")
    number = _ubrn(ubrn) if kind is BookingKind.NEW_REFERRAL else None
    with uow:
        require_access(uow, clock, staff, patient_id, "book_appointment")
        patient = patient_of(uow, patient_id)
        if patient.date_of_death is not None:
            raise Refused("This patient's record says they have died: no appointment can be booked.")
        now = clock.now()
        slot = uow.appointments.slot(slot_id)
        if slot is None or not now < slot.starts_at < now + policy.horizon:
            raise Refused("That time cannot be booked. Please choose one of the times shown.")
        clinic = next((c for c in uow.appointments.clinics() if c.id == slot.clinic_id), None)
        if clinic is None:
            raise NotFound("That clinic could not be found.")
        if not clinic.outpatient:
            raise Refused(f"{clinic.name} is booked by its own team, not at the Appointments desk.")
        if (closed := uow.appointments.closed_reason(slot_id)) is not None:
            raise Refused(f"The clinic is closed that day ({closed}). Please choose another time.")
        if not uow.appointments.slot_is_free(slot_id):
            raise SlotTaken(nearest(uow.appointments.free_slots_in_clinic(clinic.id, now, now + policy.horizon), slot))
        if kind is BookingKind.FOLLOW_UP:
            referral = uow.referrals.open_for(patient_id, clinic.id)
            if referral is None:
                raise Refused(f"{patient.full_name} is not under {clinic.name} (no open referral): a follow-up "
                              "cannot be booked. Book a first appointment with its e-RS referral number instead.")
        else:
            referral = uow.referrals.add(Referral(0, patient_id, clinic.id, ReferralStatus.OPEN,
                                                  now.astimezone(LONDON).date(), booked_via_ers=True, ubrn=number))
        appointment_kind = (AppointmentKind.OUTPATIENT_FOLLOW_UP if kind is BookingKind.FOLLOW_UP
                            else AppointmentKind.OUTPATIENT_NEW)
        try:
            new = uow.appointments.add(Appointment(
                id=0, reference=new_reference(_PREFIX[clinic.trust]), patient_id=patient_id, trust=clinic.trust,
                clinic_id=clinic.id, clinician_id=slot.clinician_id, location_id=slot.location_id, slot_id=slot.id,
                referral_id=referral.id, kind=appointment_kind, status=AppointmentStatus.BOOKED,
                starts_at=slot.starts_at, duration_minutes=slot.duration_minutes, booked_at=now,
                reschedule_limit=policy.reschedule_limit))
            uow.appointments.stamp_staff(new.id, staff.username, why, None)
            view = uow.appointments.view(new.id)
            assert view is not None
            trust = uow.trusts.get(clinic.trust)
            sms = None
            route = letter_route(uow, now, patient, new.starts_at, policy)
            if patient.mobile is not None:  # the text says where the letter is only where it truly is
                sms = text_for(now, patient, new.id, SmsTemplate.BOOKING_CONFIRMATION, booking_confirmation_sms(
                    trust, new.starts_at, view.site or trust.short_name, view.clinic if view.clinic_safe_in_sms else None,
                    letter_in_portal={Letter.PORTAL: True, Letter.POST: False}.get(route), language=patient.language))
                uow.outbox.add(sms)
            posted = confirmation_letter(uow, now, patient, trust.name, trust.appointments_phone, view, None, route)
            invitation = invite(uow, patient, trust, now, portal_url, new.id)
            audit(uow, staff, now, "book_appointment", patient_id,
                  f"{new.reference} ({appointment_kind.label}, {clinic.name}, slot {slot.id}); reason: {why}"
                  + (f"; UBRN {number}" if number else "") + ("; registration invitation sent" if invitation else ""))
            uow.commit()
        except Conflict:
            # Another desk, or a patient moving their own booking, took the slot between our check and our write.
            uow.rollback()
            raise SlotTaken(nearest(uow.appointments.free_slots_in_clinic(clinic.id, now, now + policy.horizon),
                                    slot)) from None
        return Booked(view, sms, invitation, posted, route)


def arrangements_done(uow: UnitOfWork, clock: Clock, staff: StaffSession, appointment_id: int) -> None:
    """Tick off the transport or interpreter a change left to rebook (or cancel): it no longer shows as to do."""
    with uow:
        view = uow.appointments.view(appointment_id)
        if view is None:
            raise NotFound("That appointment could not be found.")
        a = view.appointment
        require_access(uow, clock, staff, a.patient_id, "arrangements_done")
        if not a.arrangements_pending:
            raise Refused("There is nothing left to do for this appointment.")
        now = clock.now()
        uow.appointments.arrangements_done(a.id, now, staff.username)
        audit(uow, staff, now, "arrangements_done", a.patient_id, f"{a.reference}: {a.arrangements} (done)")
        uow.commit()


def _ubrn(text: str | None) -> str:
    digits = re.sub(r"[\s-]", "", text or "")
    if not re.fullmatch(r"\d{12}", digits):
        raise InvalidValue("A first appointment needs its e-RS referral number (UBRN): 12 digits, "
                           "for example 0001 2345 6789.")
    return digits
