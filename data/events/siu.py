"""Bookings from the PAS (SIU S12–S15, S26), applied in the transaction that stores the message. The PAS's
appointment number (SCH-2) is kept against the portal's booking, so each later message finds it; a move or a
cancellation withdraws the reminders and texts the patient as a change at the desk would; a new outpatient
booking brings the FAQ's registration invitation when one is due. Texts wait for 08:00 at night."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.events.adt import _escape, _segment, _separators, upsert_person
from data.messaging.reminders import withdraw_reminders
from data.models import (
    AppointmentRow,
    AppointmentTypeRow,
    ClinicianRow,
    ClinicRow,
    ClinicSessionRow,
    ExternalRecordRow,
    LocationRow,
    ReferralRow,
    SlotRow,
)
from data.uow import BoundUnitOfWork
from domain.appointments.changes import new_reference, text_for
from domain.appointments.model import AppointmentEvent, AppointmentKind, AppointmentStatus, CancelledBy, next_status
from domain.audit import AuditEvent
from domain.audit import Outcome as AuditOutcome
from domain.clock import LONDON
from domain.errors import InvalidTransition
from domain.formatting import nhs_datetime
from domain.events.attendance import FeedRules
from domain.events.bookings import (
    CANCELLED,
    MODIFIED,
    MOVED,
    NEW_BOOKING,
    NOT_ATTENDED,
    AppointmentType,
    BookingFacts,
    BookingFields,
    FeedActor,
    appointment_type,
    booking,
)
from domain.events.feed import Outcome
from domain.events.person import NotUsable
from domain.events.profile import Profile
from domain.events.profile import text as hl7_text
from domain.hospital import TrustCode
from domain.identity.invitations import invite
from domain.messaging.model import SmsTemplate
from domain.messaging.sms import outside_quiet_hours
from domain.messaging.wording import booking_confirmation_sms, hospital_cancellation_sms, reschedule_confirmation_sms

RESOURCE = "hl7_appointment"
_LIVE = (AppointmentStatus.BOOKED.value, AppointmentStatus.ATTENDED.value, AppointmentStatus.DID_NOT_ATTEND.value)


def read_booking(raw: str) -> BookingFields:
    """The profile's fields, by the message's own encoding characters."""
    _, component, repetition = _separators(raw)
    escape = _escape(raw)
    segments = {name: _segment(raw, name) for name in ("SCH", "TQ1", "AIS", "AIG", "AIL", "AIP", "ZAP")}

    def get(name: str, n: int, part: int = 0) -> str:
        fields = segments[name]
        value = fields[n].split(repetition)[0] if len(fields) > n else ""
        parts = value.split(component)
        return hl7_text(parts[part].split("&")[0], escape) if len(parts) > part else ""

    return BookingFields(
        filler_id=get("SCH", 2) or get("SCH", 1), event_reason=get("SCH", 6, 1) or get("SCH", 6),
        appointment_type=get("SCH", 8) or get("SCH", 7), starts=get("TQ1", 7) or get("SCH", 11, 3) or get("AIS", 4),
        duration=get("SCH", 9) or get("AIS", 7), duration_units=get("SCH", 10) or get("AIS", 8),
        clinic=get("AIS", 3), clinician=get("AIP", 3) or _person_resource(segments["AIG"], component, repetition),
        location=get("AIL", 3), transport=get("ZAP", 1), interpreter=get("ZAP", 2, 1) or get("ZAP", 2),
        resource=get("AIG", 3))


def _person_resource(aig: list[str], component: str, repetition: str) -> str:
    """AIG-3 where AIG-4 says the resource is a person (a clinician), else ''."""
    if len(aig) < 4:
        return ""
    kind = aig[4].split(repetition)[0].split(component)[0].strip().upper() if len(aig) > 4 else ""
    if kind and kind not in ("P", "PERSON", "PRACT", "CLINICIAN", "CONS"):
        return ""
    return aig[3].split(repetition)[0].split(component)[0].split("&")[0]


def apply_booking(session: Session, raw: str, message_type: str, trust: str, sender: str, rules: FeedRules | None,
                  now: datetime, *, allow_drama: bool = False,
                  profile: Profile | None = None) -> tuple[Outcome, str, bool]:
    """(outcome, what was done or why refused, whether a registration invitation was queued). A change to a
    booking the portal never received (made before the feed began) is ignored with that reason — acknowledged,
    counted, listed — unless the profile asks for moves and modifications of such bookings to add them."""
    try:
        facts = booking(message_type, read_booking(raw))
    except NotUsable as reason:
        return Outcome.REFUSED, str(reason), False
    mapping = session.scalars(select(ExternalRecordRow).where(
        ExternalRecordRow.trust_code == trust, ExternalRecordRow.resource_type == RESOURCE,
        ExternalRecordRow.source_id == facts.filler_id).with_for_update()).first()
    adding = (profile or Profile()).add_unknown_bookings and message_type in (MOVED, MODIFIED) and facts.clinic_named
    if mapping is None and message_type != NEW_BOOKING and not adding:
        return Outcome.IGNORED, (f"appointment {facts.filler_id} was never received (booked before the feed began, "
                                 f"or its S12 was lost): {message_type} kept, nothing changed"), False
    try:
        patient_id, said = upsert_person(session, raw, NEW_BOOKING if adding else message_type, trust,
                                         allow_drama=allow_drama, sender=sender, now=now, profile=profile)
    except NotUsable as reason:
        return Outcome.REFUSED, str(reason), False
    current = session.get(AppointmentRow, mapping.target_id, with_for_update=True) if mapping and mapping.target_id \
        else None
    feed = _Feed(session, trust, FeedActor(sender), rules, now)
    try:
        if current is not None and current.patient_id != patient_id:
            raise NotUsable(f"appointment {facts.filler_id} is another patient's")
        if message_type == NEW_BOOKING or (adding and current is None):
            if current is not None:
                raise NotUsable(f"appointment {facts.filler_id} is booked already: a change comes as S13 or S14")
            done, invited = feed.book(patient_id, facts, raw)
            return Outcome.ACCEPTED, f"{said}; {done}", invited
        if current is None:
            raise NotUsable(f"no appointment {facts.filler_id} is known: its booking (S12) has not been received")
        if message_type in (MOVED, MODIFIED):
            done = feed.change(current, facts, mapping, moved=message_type == MOVED)  # type: ignore[arg-type]
        elif message_type == CANCELLED:
            done = feed.cancel(current, facts)
        else:
            assert message_type == NOT_ATTENDED
            done = feed.not_attended(current)
    except NotUsable as reason:
        return Outcome.REFUSED, str(reason), False
    except InvalidTransition as error:
        return Outcome.REFUSED, f"appointment {facts.filler_id}: {error}", False
    return Outcome.ACCEPTED, f"{said}; {done}", False


def _unmapped(facts: BookingFacts, kind: AppointmentType) -> str:
    if kind.mapped:
        return ""
    return (f"; appointment type {facts.type_code!r} (SCH-8) is not mapped in the reference data: kept, the patient "
            "sees it but cannot change it online")


class _Feed:
    """One message's changes to bookings, inside its transaction."""

    def __init__(self, session: Session, trust: str, actor: FeedActor, rules: FeedRules | None, now: datetime) -> None:
        self.session, self.trust, self.actor, self.rules, self.now = session, trust, actor, rules, now
        self.uow = BoundUnitOfWork(session)

    def book(self, patient_id: int, facts: BookingFacts, raw: str) -> tuple[str, bool]:
        clinic, clinician, location, slot = self._place(facts, None)
        kind = self._type(facts.type_code)
        referral = self.session.scalars(select(ReferralRow).where(
            ReferralRow.patient_id == patient_id, ReferralRow.clinic_id == clinic.id,
            ReferralRow.status == "open")).first()
        if referral is None:
            referral = ReferralRow(patient_id=patient_id, clinic_id=clinic.id, status="open",
                                   referred_on=self.now.astimezone(LONDON).date(), booked_via_ers=False)
            self.session.add(referral)
            self.session.flush()
        assert facts.starts_at is not None
        row = AppointmentRow(
            reference=new_reference("WH" if clinic.trust_code == TrustCode.WEST_HERTS.value else "RF"),
            patient_id=patient_id, trust_code=clinic.trust_code, clinic_id=clinic.id,
            clinician_id=clinician.id if clinician else None, location_id=location.id if location else None,
            slot_id=slot.id if slot else None, referral_id=referral.id, kind=kind.kind.value,
            online_changes=kind.online_changes,
            status=AppointmentStatus.BOOKED.value, starts_at=facts.starts_at,
            duration_minutes=self._minutes(facts, slot, clinic), booked_at=self.now,
            transport_booked=facts.transport, interpreter_language=facts.interpreter, times_rescheduled=0,
            reschedule_limit=2)
        self.session.add(row)
        self.session.flush()
        self.session.add(ExternalRecordRow(trust_code=self.trust, resource_type=RESOURCE, source_id=facts.filler_id,
                                           content_hash=hashlib.sha256(raw.encode()).hexdigest(),
                                           patient_id=patient_id, target_table="appointment", target_id=row.id,
                                           imported_at=self.now))
        texted = self._text(row, SmsTemplate.BOOKING_CONFIRMATION)
        invited = False
        if self.rules is not None and row.starts_at > self.now:
            patient = self.uow.patients.get(patient_id)
            assert patient is not None
            invited = invite(self.uow, patient, self.uow.trusts.get(TrustCode(row.trust_code)), self.now,  # type: ignore[arg-type]
                             self.rules.portal_url, row.id, outside_quiet_hours(self.now)) is not None
        self._audit("hospital_booking", row.patient_id,
                    f"{row.reference} (PAS {facts.filler_id}, {clinic.name}, {nhs_datetime(row.starts_at)})"
                    + ("; registration invitation sent" if invited else ""))
        return (f"booked {row.reference} for {nhs_datetime(row.starts_at)}" + ("; confirmation texted" if texted else "")
                + ("; registration invitation queued" if invited else "") + _unmapped(facts, kind)), invited

    def change(self, current: AppointmentRow, facts: BookingFacts, mapping: ExternalRecordRow, moved: bool) -> str:
        """A move (S13), or a modification (S14) — which is a move too when the time or clinician changes."""
        if current.status != AppointmentStatus.BOOKED.value:
            raise NotUsable(f"appointment {facts.filler_id} is {current.status.replace('_', ' ')}: it cannot be changed")
        new_time = facts.starts_at is not None and facts.starts_at != current.starts_at
        clinician_code = facts.clinician
        same_clinician = clinician_code is None or (current.clinician_id is not None and self.session.scalar(
            select(ClinicianRow.code).where(ClinicianRow.id == current.clinician_id)) == clinician_code)
        kind = self._type(facts.type_code) if facts.type_code else AppointmentType(
            AppointmentKind(current.kind), current.online_changes)
        if not moved and not new_time and same_clinician:
            current.transport_booked = facts.transport
            current.interpreter_language = facts.interpreter
            current.kind, current.online_changes = kind.kind.value, kind.online_changes
            if facts.duration_minutes:
                current.duration_minutes = facts.duration_minutes
            self._audit("hospital_change", current.patient_id, f"{current.reference} (PAS {facts.filler_id}) updated")
            return f"{current.reference} updated" + _unmapped(facts, kind)
        clinic, clinician, location, slot = self._place(
            replace(facts, clinic=facts.clinic or ("" if facts.resource or facts.location
                                                   else self._code(ClinicRow, current.clinic_id)),
                    starts_at=facts.starts_at or current.starts_at), current)
        next_status(AppointmentStatus(current.status), AppointmentEvent.RESCHEDULE)
        new = AppointmentRow(
            reference=new_reference(current.reference[:2]), patient_id=current.patient_id,
            trust_code=clinic.trust_code, clinic_id=clinic.id, clinician_id=clinician.id if clinician else None,
            location_id=location.id if location else None, slot_id=slot.id if slot else None,
            referral_id=current.referral_id, kind=kind.kind.value, online_changes=kind.online_changes,
            status=AppointmentStatus.BOOKED.value,
            starts_at=facts.starts_at or current.starts_at, duration_minutes=self._minutes(facts, slot, clinic),
            booked_at=self.now, transport_booked=facts.transport, interpreter_language=facts.interpreter,
            # The hospital's move is not the patient's: it does not use up one of their online changes.
            times_rescheduled=current.times_rescheduled, reschedule_limit=current.reschedule_limit,
            rescheduled_from_id=current.id)
        current.status = AppointmentStatus.RESCHEDULED.value
        self.session.flush()  # the old booking gives its slot back before the new one takes a slot
        self.session.add(new)
        self.session.flush()
        current.rescheduled_to_id = new.id
        mapping.target_id = new.id
        withdraw_reminders(self.session, current.id)
        texted = self._text(new, SmsTemplate.RESCHEDULE_CONFIRMATION)
        self._audit("hospital_reschedule", current.patient_id,
                    f"{current.reference} ({nhs_datetime(current.starts_at)}) -> {new.reference} "
                    f"({nhs_datetime(new.starts_at)}) by the hospital (PAS {facts.filler_id})"
                    + (f"; reason: {facts.reason}" if facts.reason else ""))
        return f"{current.reference} moved to {new.reference} ({nhs_datetime(new.starts_at)})" + (
            "; patient texted" if texted else "") + _unmapped(facts, kind)

    def cancel(self, current: AppointmentRow, facts: BookingFacts) -> str:
        if current.status in (AppointmentStatus.CANCELLED_BY_HOSPITAL.value,
                              AppointmentStatus.CANCELLED_BY_PATIENT.value):
            return f"{current.reference} was cancelled already: nothing changed"
        current.status = next_status(AppointmentStatus(current.status), AppointmentEvent.CANCEL_BY_HOSPITAL).value
        current.cancelled_by = CancelledBy.HOSPITAL.value
        current.cancelled_at = self.now
        current.cancellation_reason = facts.reason or "Cancelled by the hospital"
        current.cancellation_reference = new_reference("CX")
        self.session.flush()
        withdraw_reminders(self.session, current.id)
        texted = self._text(current, SmsTemplate.CANCELLATION_CONFIRMATION)
        self._audit("hospital_cancellation", current.patient_id,
                    f"{current.reference} ({nhs_datetime(current.starts_at)}) cancelled by the hospital "
                    f"(PAS {facts.filler_id}); reason: {current.cancellation_reason}")
        return f"{current.reference} cancelled by the hospital" + ("; patient texted" if texted else "")

    def not_attended(self, current: AppointmentRow) -> str:
        current.status = next_status(AppointmentStatus(current.status), AppointmentEvent.MISS).value
        withdraw_reminders(self.session, current.id)
        self._audit("hospital_did_not_attend", current.patient_id, f"{current.reference} recorded as not attended")
        return f"{current.reference} recorded as not attended"

    # --- helpers ----------------------------------------------------------------------------------------

    def _place(self, facts: BookingFacts, current: AppointmentRow | None
               ) -> tuple[ClinicRow, ClinicianRow | None, LocationRow | None, SlotRow | None]:
        """The clinic, clinician, location and slot the message names, all from the reference data."""
        clinic = self._clinic(facts)
        clinician = None
        if facts.clinician:
            clinician = self.session.scalars(select(ClinicianRow).where(ClinicianRow.code == facts.clinician)).first()
            if clinician is None and facts.clinician != facts.resource:  # AIG-3 may name the clinic, not a person
                raise NotUsable(f"clinician {facts.clinician} (AIP-3) is not in the reference data")
        elif current is not None and current.clinician_id is not None and current.clinic_id == clinic.id:
            clinician = self.session.get(ClinicianRow, current.clinician_id)
        location = None
        if facts.location:
            location = self.session.scalars(select(LocationRow).where(LocationRow.code == facts.location)).first()
            if location is None:
                raise NotUsable(f"location {facts.location} is not in the reference data")
        elif clinic.location_id is not None:
            location = self.session.get(LocationRow, clinic.location_id)
        slot = None
        if clinician is not None and location is not None and facts.starts_at is not None:
            slot = self.session.scalars(select(SlotRow).where(SlotRow.clinician_id == clinician.id,
                                                              SlotRow.starts_at == facts.starts_at)).first()
            if slot is not None:
                holder = self.session.scalars(select(AppointmentRow).where(
                    AppointmentRow.slot_id == slot.id, AppointmentRow.status.in_(_LIVE),
                    AppointmentRow.id != (current.id if current is not None else -1))).first()
                if holder is not None:
                    raise NotUsable(f"the time {nhs_datetime(facts.starts_at)} with {clinician.code} is held by "
                                    f"appointment {holder.reference}: the PAS and the portal disagree")
            else:  # a time the PAS booked outside the templates: kept as a slot, so no one else is offered it
                slot = SlotRow(clinic_id=clinic.id, clinician_id=clinician.id, location_id=location.id,
                               starts_at=facts.starts_at, duration_minutes=self._minutes(facts, None, clinic))
                self.session.add(slot)
                self.session.flush()
        return clinic, clinician, location, slot

    def _clinic(self, facts: BookingFacts) -> ClinicRow:
        """By AIS-3's code; else AIG-3 where it is a clinic's code; else the trust's one clinic at AIL-3's
        location. NotUsable names what the message gave and why none of it is a clinic."""
        for code in (facts.clinic, facts.resource):
            if code:
                clinic = self.session.scalars(select(ClinicRow).where(ClinicRow.code == code)).first()
                if clinic is not None:
                    return clinic
        if facts.location:
            at = self.session.scalars(select(ClinicRow).join(LocationRow, LocationRow.id == ClinicRow.location_id)
                                      .where(LocationRow.code == facts.location, ClinicRow.trust_code == self.trust,
                                             ClinicRow.retired.is_(False))).all()
            if len(at) == 1:
                return at[0]
        said = [f"AIS-3 {facts.clinic!r}" if facts.clinic else "no AIS-3",
                f"AIG-3 {facts.resource!r}" if facts.resource else "no AIG-3",
                f"AIL-3 {facts.location!r}" if facts.location else "no AIL-3"]
        raise NotUsable(f"no clinic in the reference data matches the message ({', '.join(said)}): load the "
                        "clinic's code (portal-tui reference load), or map its location to one clinic")

    def _type(self, code: str) -> AppointmentType:
        own = {row.code: AppointmentType(AppointmentKind(row.kind), row.online_changes) for row in self.session.scalars(
            select(AppointmentTypeRow).where(AppointmentTypeRow.trust_code == self.trust))}
        return appointment_type(code, own)

    def _minutes(self, facts: BookingFacts, slot: SlotRow | None, clinic: ClinicRow) -> int:
        if facts.duration_minutes:
            return facts.duration_minutes
        if slot is not None:
            return slot.duration_minutes
        template = self.session.scalar(select(ClinicSessionRow.slot_minutes).where(
            ClinicSessionRow.clinic_id == clinic.id).limit(1))
        return template or 20

    def _code(self, model, row_id: int) -> str:  # type: ignore[no-untyped-def]
        return self.session.scalar(select(model.code).where(model.id == row_id)) or ""

    def _text(self, row: AppointmentRow, template: SmsTemplate) -> bool:
        """The patient's text about this booking (none for a time gone by, a death recorded, or no mobile)."""
        if row.starts_at <= self.now:
            return False
        patient = self.uow.patients.get(row.patient_id)
        if patient is None or patient.mobile is None or patient.date_of_death is not None:
            return False
        trust = self.uow.trusts.get(TrustCode(row.trust_code))
        view = self.uow.appointments.view(row.id)
        assert view is not None
        site = view.site or trust.short_name
        clinic = view.clinic if view.clinic_safe_in_sms else None
        language = patient.language
        body = {SmsTemplate.BOOKING_CONFIRMATION: lambda: booking_confirmation_sms(trust, row.starts_at, site, clinic,
                                                                                     letter_in_portal=False,
                                                                                     language=language),
                SmsTemplate.RESCHEDULE_CONFIRMATION: lambda: reschedule_confirmation_sms(trust, row.starts_at, site,
                                                                                         clinic, language),
                SmsTemplate.CANCELLATION_CONFIRMATION: lambda: hospital_cancellation_sms(trust, row.starts_at,
                                                                                         language)}[template]()
        sms = replace(text_for(self.now, patient, row.id, template, body), send_after=outside_quiet_hours(self.now))
        self.uow.outbox.add(sms)
        return True

    def _audit(self, action: str, patient_id: int, detail: str) -> None:
        kind, actor_id, role = self.actor.audit_identity
        self.uow.audit.record(AuditEvent(at=self.now, actor_kind=kind, actor_id=actor_id, actor_role=role,
                                         action=action, outcome=AuditOutcome.SUCCESS, patient_id=patient_id,
                                         detail=detail))
