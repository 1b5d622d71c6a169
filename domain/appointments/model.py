"""Referrals, appointments and admissions, and the status machine every booking follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.errors import InvalidTransition
from domain.hospital import TrustCode
from domain.language import N_


class ReferralStatus(StrEnum):
    """Whether the patient is still under the clinic's care."""

    OPEN = "open"
    DISCHARGED = "discharged"


@dataclass(frozen=True, slots=True)
class Referral:
    """A referral into a clinic; `booked_via_ers` when the first appointment came through e-RS."""

    id: int
    patient_id: int
    clinic_id: int
    status: ReferralStatus
    referred_on: date
    booked_via_ers: bool = False
    ubrn: str | None = None
    discharged_at: datetime | None = None


class AppointmentKind(StrEnum):
    """What sort of booking this is; only outpatient consultations may be changed online."""

    OUTPATIENT_NEW = "outpatient_new"
    OUTPATIENT_FOLLOW_UP = "outpatient_follow_up"
    PRE_OPERATIVE_ASSESSMENT = "pre_operative_assessment"
    DAY_CASE = "day_case"
    ELECTIVE_ADMISSION = "elective_admission"
    EMERGENCY_ADMISSION = "emergency_admission"
    RADIOLOGY = "radiology"
    FAST_TRACK_DIAGNOSTIC = "fast_track_diagnostic"

    @property
    def changeable_online(self) -> bool:
        """Pre-op, day case, admissions, radiology and fast-track diagnostics are view-only online."""
        return self in {AppointmentKind.OUTPATIENT_NEW, AppointmentKind.OUTPATIENT_FOLLOW_UP}

    @property
    def is_admission(self) -> bool:
        """Admissions are shown with appointments but are stays, not visits."""
        return self in {
            AppointmentKind.DAY_CASE,
            AppointmentKind.ELECTIVE_ADMISSION,
            AppointmentKind.EMERGENCY_ADMISSION,
        }

    @property
    def label(self) -> str:
        """The words a letter would use."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    AppointmentKind.OUTPATIENT_NEW: N_("New outpatient appointment"),
    AppointmentKind.OUTPATIENT_FOLLOW_UP: N_("Follow-up outpatient appointment"),
    AppointmentKind.PRE_OPERATIVE_ASSESSMENT: N_("Pre-operative assessment"),
    AppointmentKind.DAY_CASE: N_("Day case admission"),
    AppointmentKind.ELECTIVE_ADMISSION: N_("Planned admission"),
    AppointmentKind.EMERGENCY_ADMISSION: N_("Emergency admission"),
    AppointmentKind.RADIOLOGY: N_("Radiology (scan or X-ray)"),
    AppointmentKind.FAST_TRACK_DIAGNOSTIC: N_("Fast-track diagnostic test"),
}


class AppointmentStatus(StrEnum):
    """Where a booking stands."""

    BOOKED = "booked"
    RESCHEDULED = "rescheduled"
    CANCELLED_BY_PATIENT = "cancelled_by_patient"
    CANCELLED_BY_HOSPITAL = "cancelled_by_hospital"
    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"

    @property
    def holds_slot(self) -> bool:
        """A live booking keeps its slot; a rescheduled or cancelled one has given it back."""
        return self in LIVE_STATUSES

    @property
    def is_cancelled(self) -> bool:
        """Cancelled by anyone."""
        return self in {AppointmentStatus.CANCELLED_BY_PATIENT, AppointmentStatus.CANCELLED_BY_HOSPITAL}


LIVE_STATUSES = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED, AppointmentStatus.DID_NOT_ATTEND})


class AppointmentEvent(StrEnum):
    """What can happen to a booking."""

    RESCHEDULE = "reschedule"
    CANCEL_BY_PATIENT = "cancel_by_patient"
    CANCEL_BY_HOSPITAL = "cancel_by_hospital"
    ATTEND = "attend"
    MISS = "miss"


_TRANSITIONS: dict[tuple[AppointmentStatus, AppointmentEvent], AppointmentStatus] = {
    (AppointmentStatus.BOOKED, AppointmentEvent.RESCHEDULE): AppointmentStatus.RESCHEDULED,
    (AppointmentStatus.BOOKED, AppointmentEvent.CANCEL_BY_PATIENT): AppointmentStatus.CANCELLED_BY_PATIENT,
    (AppointmentStatus.BOOKED, AppointmentEvent.CANCEL_BY_HOSPITAL): AppointmentStatus.CANCELLED_BY_HOSPITAL,
    (AppointmentStatus.BOOKED, AppointmentEvent.ATTEND): AppointmentStatus.ATTENDED,
    (AppointmentStatus.BOOKED, AppointmentEvent.MISS): AppointmentStatus.DID_NOT_ATTEND,
    # A clinic may correct a DNA that was recorded in error, and the other way round.
    (AppointmentStatus.DID_NOT_ATTEND, AppointmentEvent.ATTEND): AppointmentStatus.ATTENDED,
    (AppointmentStatus.ATTENDED, AppointmentEvent.MISS): AppointmentStatus.DID_NOT_ATTEND,
}


def next_status(current: AppointmentStatus, event: AppointmentEvent) -> AppointmentStatus:
    """The status after `event`, or InvalidTransition with a sentence saying why not."""
    try:
        return _TRANSITIONS[(current, event)]
    except KeyError:
        raise InvalidTransition(
            f"An appointment that is {current.value.replace('_', ' ')} cannot be changed that way."
        ) from None


class CancelledBy(StrEnum):
    """Who cancelled: the patient (online), the hospital, or staff acting for the patient."""

    PATIENT = "patient"
    HOSPITAL = "hospital"
    STAFF = "staff"


@dataclass(frozen=True, slots=True)
class Appointment:
    """A booked appointment or admission, with everything the reschedule and cancel rules look at."""

    id: int
    reference: str
    patient_id: int
    trust: TrustCode
    clinic_id: int
    clinician_id: int | None
    location_id: int | None
    slot_id: int | None
    referral_id: int | None
    kind: AppointmentKind
    status: AppointmentStatus
    starts_at: datetime
    duration_minutes: int
    booked_at: datetime
    transport_booked: bool = False
    interpreter_language: str | None = None
    times_rescheduled: int = 0
    reschedule_limit: int = 2
    rescheduled_from_id: int | None = None
    rescheduled_to_id: int | None = None
    cancelled_by: CancelledBy | None = None
    cancelled_at: datetime | None = None
    cancellation_reason: str | None = None
    cancellation_reference: str | None = None
    staff_by: str | None = None
    """The username of the member of staff who booked, moved or cancelled this booking for the patient."""
    staff_reason: str | None = None
    """Why they did, as they typed or chose it."""
    arrangements: str | None = None
    """What the change left to rebook or cancel by hand ('hospital transport; a Polish interpreter')."""
    arrangements_done_at: datetime | None = None
    arrangements_done_by: str | None = None
    online_changes: bool = True
    """False: the patient may not move or cancel it online, whatever its kind (a PAS type the trust has not
    mapped, or mapped so): the Appointments team does."""

    @property
    def arrangements_pending(self) -> bool:
        """Transport or an interpreter still to be rebooked or cancelled after a change at the desk."""
        return self.arrangements is not None and self.arrangements_done_at is None

    def pending(self, what: str) -> bool:
        """Whether a to-do still open names this ('transport', 'interpreter'): what was booked for the old time
        does not match this one yet."""
        return self.arrangements_pending and what in (self.arrangements or "").lower()

    @property
    def interpreter_booked(self) -> bool:
        """An interpreter has been booked for this appointment."""
        return self.interpreter_language is not None

    @property
    def ends_at(self) -> datetime:
        """When the appointment's time is up."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def status_words(self) -> str:
        """The status as the patient reads it, saying who cancelled."""
        if self.status.is_cancelled:
            return _CANCELLED_WORDS[self.cancelled_by or (CancelledBy.PATIENT if self.status is
                                                          AppointmentStatus.CANCELLED_BY_PATIENT else CancelledBy.HOSPITAL)]
        return _STATUS_WORDS[self.status]


_STATUS_WORDS = {
    AppointmentStatus.BOOKED: N_("Booked"),
    AppointmentStatus.RESCHEDULED: N_("Moved to a new time"),
    AppointmentStatus.ATTENDED: N_("Attended"),
    AppointmentStatus.DID_NOT_ATTEND: N_("Not attended"),
}
_CANCELLED_WORDS = {
    CancelledBy.PATIENT: N_("Cancelled by you"),
    CancelledBy.HOSPITAL: N_("Cancelled by the hospital"),
    CancelledBy.STAFF: N_("Cancelled for you by the Appointments team"),
}


@dataclass(frozen=True, slots=True)
class AppointmentView:
    """An appointment with the names a person reads: clinic, clinician, place and trust."""

    appointment: Appointment
    clinic: str
    clinic_safe_in_sms: bool
    clinician: str | None
    """'Dr Amara Okafor, Consultant Cardiologist'."""
    location: str | None
    site: str | None
    address: str | None
    trust_name: str
    rescheduled_to: str | None = None
    """The reference of the booking this one was moved to."""
    rescheduled_from: str | None = None
    """The reference of the booking this one replaced."""
    staff_name: str | None = None
    """Who at the desk booked, moved or cancelled it, by name: for staff only (a patient reads "the Appointments
    team"), so the use cases leave it out of what a patient is given."""

    @property
    def where(self) -> str:
        """'Outpatients B, Watford General Hospital'."""
        return ", ".join(part for part in (self.location, self.site) if part) or "To be confirmed"
