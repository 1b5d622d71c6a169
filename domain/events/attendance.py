"""Attendances and admissions the PAS reports (ADT A04, A01): which of them bring the registration invitation
the FAQ promises — an Emergency Department attendance (not an Urgent Treatment Centre) or an emergency
admission. Where the message does not say, nothing is guessed: it is accepted and no invitation goes."""

from __future__ import annotations

from dataclasses import dataclass, field

ATTENDANCE_EVENTS = frozenset({"ADT^A04", "ADT^A01", "ADT^A03"})


@dataclass(frozen=True, slots=True)
class FeedRules:
    """The trust's reference data and settings the feed needs."""

    ed_locations: frozenset[str] = field(default_factory=frozenset)
    """PV1-3 point-of-care codes that are Emergency Departments, beyond the reference data's (location kind ed)."""
    utc_locations: frozenset[str] = field(default_factory=frozenset)
    """Those that are Urgent Treatment Centres (never an invitation), beyond the reference data's."""
    portal_url: str = "https://patientportal.westhertshospitals.nhs.uk"
    allow_drama: bool = False


def invitation_reason(message_type: str, patient_class: str, location: str, admission_type: str,
                      rules: FeedRules, kind: str | None = None) -> tuple[bool, str]:
    """(whether this event brings an invitation, why or why not, in words for the message's record). `kind` is
    what the trust's reference data says the location is ('ed', 'utc', …); the settings' lists add codes the
    reference data does not hold, and a UTC in either is never an ED."""
    where = location.strip().upper()
    if message_type == "ADT^A04":
        if patient_class.strip().upper() != "E":
            return False, "a registration that is not an emergency attendance"
        if where and (kind == "utc" or where in rules.utc_locations):
            return False, f"an Urgent Treatment Centre attendance ({where}): no invitation"
        if where and (kind == "ed" or where in rules.ed_locations):
            return True, f"an Emergency Department attendance ({where})"
        return False, f"the message does not say {where or 'its location'} is an Emergency Department"
    if message_type == "ADT^A01":
        if admission_type.strip().upper() in ("E", "EM", "EMER", "EMERGENCY"):
            return True, "an emergency admission"
        return False, "an admission that is not an emergency"
    return False, "a discharge"
