"""Bookings the PAS makes and changes (SIU S12–S15, S26), as the profile in the README reads them, checked before
anything is written. The PAS is the hospital's record of its bookings: the portal follows it, and tells the
patient of a move or cancellation as it would after a change made at the desk.

What a message says is read by the data layer into `BookingFields`; `booking` checks them (a time that cannot be
read, a clinic with no code, an appointment type outside the profile) and gives `BookingFacts`, or NotUsable with
the reason the message is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from domain.appointments.model import AppointmentKind
from domain.clock import LONDON
from domain.events.person import NotUsable
from domain.text import clean_line

NEW_BOOKING, MOVED, MODIFIED, CANCELLED, NOT_ATTENDED = "SIU^S12", "SIU^S13", "SIU^S14", "SIU^S15", "SIU^S26"
BOOKING_EVENTS = frozenset({NEW_BOOKING, MOVED, MODIFIED, CANCELLED, NOT_ATTENDED})

KINDS = {"NEW": AppointmentKind.OUTPATIENT_NEW, "FIRST": AppointmentKind.OUTPATIENT_NEW,
         "FU": AppointmentKind.OUTPATIENT_FOLLOW_UP, "FOLLOWUP": AppointmentKind.OUTPATIENT_FOLLOW_UP,
         "REVIEW": AppointmentKind.OUTPATIENT_FOLLOW_UP}
"""SCH-8 appointment type codes of the profile; an empty SCH-8 is a follow-up."""

_MOMENT = re.compile(r"^(\d{8})(\d{2})?(\d{2})?(\d{2})?(?:\.\d{1,4})?([+-]\d{4})?$")


@dataclass(frozen=True, slots=True)
class FeedActor:
    """The PAS, as the audit trail records it: a change made by the hospital's own system."""

    sender: str

    @property
    def audit_identity(self) -> tuple[str, str, str | None]:
        return ("system", f"hl7:{self.sender}"[:40], None)


@dataclass(frozen=True, slots=True)
class BookingFields:
    """The raw values of the SCH, TQ1, AIS, AIG, AIL, AIP and ZAP segments the profile reads."""

    filler_id: str
    """SCH-2.1 (else SCH-1.1): the PAS's own number for the booking, the same through every change."""
    event_reason: str
    """SCH-6.2 (else .1): why, in words, e.g. 'Consultant on leave'."""
    appointment_type: str
    """SCH-8.1."""
    starts: str
    """TQ1-7, else SCH-11.4, else AIS-4."""
    duration: str
    """SCH-9, else AIS-7."""
    duration_units: str
    """SCH-10.1, else AIS-8.1: MIN (the default) or H."""
    clinic: str
    """AIS-3.1: the clinic's code in the reference data."""
    clinician: str
    """AIP-3.1, else AIG-3.1."""
    location: str
    """AIL-3.1: the point of care's code."""
    transport: str
    """ZAP-1: Y when hospital transport is booked."""
    interpreter: str
    """ZAP-2.2 (else .1): the language an interpreter is booked for."""


@dataclass(frozen=True, slots=True)
class BookingFacts:
    filler_id: str
    reason: str
    kind: AppointmentKind
    starts_at: datetime | None
    duration_minutes: int | None
    clinic: str
    clinician: str | None
    location: str | None
    transport: bool
    interpreter: str | None


def booking(event: str, fields: BookingFields) -> BookingFacts:
    """The booking the message describes, or NotUsable. A cancellation or did-not-attend needs only its id."""
    filler = clean_line(fields.filler_id).strip()[:60]
    if not filler:
        raise NotUsable("SCH-2 gives no appointment number (the filler appointment id)")
    code = clean_line(fields.appointment_type).strip().upper().replace("-", "").replace(" ", "")
    if code and code not in KINDS:
        raise NotUsable(f"SCH-8 appointment type {code!r} is not in the profile (NEW or FU)")
    starts = hl7_moment(fields.starts) if fields.starts.strip() else None
    if fields.starts.strip() and starts is None:
        raise NotUsable(f"the start time {clean_line(fields.starts)[:30]!r} cannot be read (YYYYMMDDHHMM)")
    minutes = _minutes(fields.duration, fields.duration_units)
    clinic = clean_line(fields.clinic).strip().upper()[:16]
    if event in (NEW_BOOKING, MOVED):
        if starts is None:
            raise NotUsable("the message gives no start time (TQ1-7, SCH-11.4 or AIS-4)")
        if not clinic:
            raise NotUsable("AIS-3 gives no clinic code")
    interpreter = " ".join(clean_line(fields.interpreter).split())[:40] or None
    return BookingFacts(filler, " ".join(clean_line(fields.event_reason).split())[:200], KINDS.get(
        code, AppointmentKind.OUTPATIENT_FOLLOW_UP), starts, minutes, clinic,
        clean_line(fields.clinician).strip().upper()[:16] or None,
        clean_line(fields.location).strip().upper()[:24] or None,
        fields.transport.strip().upper() in ("Y", "YES", "1", "TRUE"), interpreter)


def hl7_moment(text: str) -> datetime | None:
    """An HL7 DTM ('202612091030', '20261209103000+0000') as UTC; without an offset it is London time."""
    found = _MOMENT.match((text or "").strip())
    if found is None:
        return None
    day, hours, minutes, seconds, offset = found.groups()
    try:
        local = datetime(int(day[:4]), int(day[4:6]), int(day[6:8]), int(hours or 0), int(minutes or 0),
                         int(seconds or 0))
    except ValueError:
        return None
    if offset:
        sign = 1 if offset[0] == "+" else -1
        zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
        return local.replace(tzinfo=zone).astimezone(UTC)
    return local.replace(tzinfo=LONDON).astimezone(UTC)


def _minutes(duration: str, units: str) -> int | None:
    text = (duration or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise NotUsable(f"the duration {clean_line(text)[:20]!r} is not a number") from None
    minutes = round(value * (60 if units.strip().upper() in ("H", "HR", "HOURS") else 1))
    if not 1 <= minutes <= 24 * 60:
        raise NotUsable(f"a duration of {minutes} minutes is not an appointment's")
    return minutes
