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
"""SCH-8 appointment type codes every trust's feed is read with; the trust's reference data adds its own
([[appointment_types]]). An empty SCH-8 is a follow-up."""


@dataclass(frozen=True, slots=True)
class AppointmentType:
    """What a PAS appointment type code is to the portal."""

    kind: AppointmentKind
    online_changes: bool = True
    mapped: bool = True
    """False: a code neither the profile nor the trust's reference data names (kept, never refused)."""


def appointment_type(code: str, trusts_own: dict[str, AppointmentType]) -> AppointmentType:
    """The type a booking's code says: the trust's own mapping first, then the profile's; an unmapped code is an
    outpatient booking the patient can see but not change online (they call the Appointments team)."""
    if code in trusts_own:
        return trusts_own[code]
    if not code or code in KINDS:
        return AppointmentType(KINDS.get(code, AppointmentKind.OUTPATIENT_FOLLOW_UP))
    return AppointmentType(AppointmentKind.OUTPATIENT_FOLLOW_UP, online_changes=False, mapped=False)

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
    """SCH-8.1, else SCH-7.1 (where a PAS puts it)."""
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
    resource: str = ""
    """AIG-3.1: a general resource (a clinic's code, where a PAS names the clinic there rather than in AIS)."""


@dataclass(frozen=True, slots=True)
class BookingFacts:
    filler_id: str
    reason: str
    type_code: str
    """The PAS's appointment type code ('' where none: a follow-up), read against the trust's mapping."""
    starts_at: datetime | None
    duration_minutes: int | None
    clinic: str
    clinician: str | None
    location: str | None
    transport: bool
    interpreter: str | None
    resource: str | None = None

    @property
    def clinic_named(self) -> bool:
        """The message names a clinic some way: AIS-3, AIG-3, or a location (AIL-3) that is a clinic's."""
        return bool(self.clinic or self.resource or self.location)


def booking(event: str, fields: BookingFields) -> BookingFacts:
    """The booking the message describes, or NotUsable. A cancellation or did-not-attend needs only its id."""
    filler = clean_line(fields.filler_id).strip()[:60]
    if not filler:
        raise NotUsable("SCH-2 gives no appointment number (the filler appointment id)")
    code = clean_line(fields.appointment_type).strip().upper().replace("-", "").replace(" ", "")[:20]
    starts = hl7_moment(fields.starts) if fields.starts.strip() else None
    if fields.starts.strip() and starts is None:
        problem = local_problem(fields.starts)
        raise NotUsable(f"the start time {clean_line(fields.starts)[:30]!r}: "
                        + (problem or "cannot be read (YYYYMMDDHHMM)"))
    minutes = _minutes(fields.duration, fields.duration_units)
    clinic = clean_line(fields.clinic).strip().upper()[:16]
    location = clean_line(fields.location).strip().upper()[:24] or None
    resource = clean_line(fields.resource).strip().upper()[:16] or None
    if event in (NEW_BOOKING, MOVED):
        if starts is None:
            raise NotUsable("the message gives no start time (TQ1-7, SCH-11.4 or AIS-4)")
        if not (clinic or resource or location):
            raise NotUsable("the message names no clinic: AIS-3 (the clinic's code), AIG-3 and AIL-3 (a location "
                            "that is a clinic's) are all empty")
    interpreter = " ".join(clean_line(fields.interpreter).split())[:40] or None
    return BookingFacts(filler, " ".join(clean_line(fields.event_reason).split())[:200], code, starts, minutes,
                        clinic, clean_line(fields.clinician).strip().upper()[:16] or None, location,
                        fields.transport.strip().upper() in ("Y", "YES", "1", "TRUE"), interpreter, resource)


def hl7_moment(text: str) -> datetime | None:
    """An HL7 DTM ('202612091030', '20261209103000+0000') as UTC; without an offset it is London time. A London
    time that does not exist (the hour the clocks skip in spring) is None, never moved an hour silently; one that
    happens twice (the hour repeated in autumn) is taken as the first, BST — send the offset to say otherwise
    (`local_problem` says which a time is)."""
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
    if london_gap(local):
        return None
    return local.replace(tzinfo=LONDON, fold=0).astimezone(UTC)


def london_gap(local: datetime) -> bool:
    """A wall-clock time that never happens in London (the spring hour the clocks skip)."""
    there = local.replace(tzinfo=LONDON, fold=0)
    return there.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != local


def london_twice(local: datetime) -> bool:
    """A wall-clock time that happens twice in London (the autumn hour the clocks repeat)."""
    return local.replace(tzinfo=LONDON, fold=0).utcoffset() != local.replace(tzinfo=LONDON, fold=1).utcoffset()


def local_problem(text: str) -> str:
    """Why an HL7 time without an offset cannot be read for certain ('' where it can)."""
    found = _MOMENT.match((text or "").strip())
    if found is None or found.group(5):
        return ""
    day, hours, minutes, seconds, _ = found.groups()
    try:
        local = datetime(int(day[:4]), int(day[4:6]), int(day[6:8]), int(hours or 0), int(minutes or 0),
                         int(seconds or 0))
    except ValueError:
        return ""
    if london_gap(local):
        return (f"{local:%H:%M} on {local:%d %B %Y} does not exist in London (the clocks go forward): send it "
                "with its offset (+0000 or +0100)")
    if london_twice(local):
        return (f"{local:%H:%M} on {local:%d %B %Y} happens twice in London (the clocks go back): read as BST "
                "unless sent with its offset")
    return ""


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
