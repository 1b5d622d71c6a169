"""The hospital's places and people: trusts, sites, locations, clinics, clinicians and slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class TrustCode(StrEnum):
    """The two trusts whose records the portal shows; the values are their ODS codes."""

    WEST_HERTS = "RWG"
    ROYAL_FREE = "RAL"

    @property
    def short_name(self) -> str:
        """How a narrow column or a summary line names the trust."""
        return "West Herts" if self is TrustCode.WEST_HERTS else "Royal Free"


@dataclass(frozen=True, slots=True)
class Trust:
    """An NHS trust, with the Appointments team's contact details that patients are told to use."""

    code: TrustCode
    name: str
    short_name: str
    appointments_phone: str
    appointments_email: str


@dataclass(frozen=True, slots=True)
class Site:
    """A hospital site, such as Watford General Hospital."""

    id: int
    trust: TrustCode
    code: str
    name: str
    address: str
    postcode: str


@dataclass(frozen=True, slots=True)
class Location:
    """A place on a site where patients are seen: 'Outpatients B, Clinic 4'."""

    id: int
    site_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Clinic:
    """A clinic of one specialty at one trust; `name_safe_in_sms` says whether a text may name it."""

    id: int
    code: str
    name: str
    specialty: str
    trust: TrustCode
    site_id: int
    name_safe_in_sms: bool = False
    outpatient: bool = True
    """An outpatient clinic, booked at the Appointments desk (radiology, pre-op, day surgery and fast-track
    diagnostics have their own booking teams)."""


@dataclass(frozen=True, slots=True)
class Clinician:
    """A clinician whom patients see: 'Dr Amara Okafor, Consultant Cardiologist'."""

    id: int
    code: str
    title: str
    given_name: str
    family_name: str
    role: str
    trust: TrustCode

    @property
    def display_name(self) -> str:
        """As a letter names them: title and full name."""
        return f"{self.title} {self.given_name} {self.family_name}"


@dataclass(frozen=True, slots=True)
class Slot:
    """A time a clinician can see one patient at one location; free until a live booking holds it."""

    id: int
    clinic_id: int
    clinician_id: int
    location_id: int
    starts_at: datetime
    duration_minutes: int
    clinician: str | None = None
    """Who, in words ('Dr Amara Okafor, Consultant Cardiologist'): given where staff choose across a clinic."""
    place: str | None = None
    """Where, in words ('Outpatients B, Watford General Hospital'), likewise."""

    @property
    def ends_at(self) -> datetime:
        """When the slot's time is up."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)
