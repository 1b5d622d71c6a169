"""The demo hospital's places and people: two trusts, five sites, twelve clinics, their clinicians and slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.clock import LONDON
from domain.hospital import TrustCode

# Phone numbers in Ofcom's drama range (01632 960xxx): no real switchboard is ever rung from the demo.
TRUSTS = [
    dict(
        code=TrustCode.WEST_HERTS.value,
        name="West Hertfordshire Teaching Hospitals NHS Trust",
        short_name="West Herts",
        appointments_phone="01632 960 100",
        appointments_email="westherts.appointments@example.nhs.uk",
    ),
    dict(
        code=TrustCode.ROYAL_FREE.value,
        name="Royal Free London NHS Foundation Trust",
        short_name="Royal Free",
        appointments_phone="01632 960 200",
        appointments_email="royalfree.appointments@example.nhs.uk",
    ),
]

SITES = [
    ("WGH", "RWG", "Watford General Hospital", "Vicarage Road, Watford", "WD18 0HB"),
    ("SACH", "RWG", "St Albans City Hospital", "Waverley Road, St Albans", "AL3 5PN"),
    ("HHGH", "RWG", "Hemel Hempstead Hospital", "Hillfield Road, Hemel Hempstead", "HP2 4AD"),
    ("RFH", "RAL", "Royal Free Hospital", "Pond Street, London", "NW3 2QG"),
    ("BH", "RAL", "Barnet Hospital", "Wellhouse Lane, Barnet", "EN5 3DJ"),
]

LOCATIONS = {
    "WGH": ["Outpatients A", "Outpatients B", "Radiology Department", "Ward 7A"],
    "SACH": ["Outpatients 1", "Surgical Day Unit", "Pre-operative Assessment Unit", "Eye Clinic"],
    "HHGH": ["Outpatients, Ground Floor"],
    "RFH": ["Outpatients, Level 2", "Renal Outpatients"],
    "BH": ["Outpatients Zone C"],
}


@dataclass(frozen=True)
class DemoClinic:
    """A clinic, where it runs, and how its sessions are laid out."""

    code: str
    name: str
    specialty: str
    trust: str
    site: str
    location: str
    safe_in_sms: bool
    slot_minutes: int
    clinicians: tuple[tuple[str, str, str, str, str], ...]  # code, title, given, family, role


CLINICS = [
    DemoClinic("CARD", "Cardiology Outpatients", "Cardiology", "RWG", "WGH", "Outpatients A", False, 20, (
        ("C1001", "Dr", "Amara", "Okafor", "Consultant Cardiologist"),
        ("C1002", "Dr", "Rhys", "Pritchard", "Consultant Cardiologist"),
    )),
    DemoClinic("DERM", "Dermatology Outpatients", "Dermatology", "RWG", "SACH", "Outpatients 1", False, 20, (
        ("C1011", "Dr", "Priya", "Raman", "Consultant Dermatologist"),
        ("C1012", "Dr", "Tomasz", "Nowak", "Specialty Doctor in Dermatology"),
    )),
    DemoClinic("ORTH", "Fracture and Orthopaedic Clinic", "Trauma and Orthopaedics", "RWG", "WGH", "Outpatients B", True,
               30, (
        ("C1021", "Mr", "David", "Achterberg", "Consultant Orthopaedic Surgeon"),
        ("C1022", "Ms", "Nkechi", "Eze", "Consultant Orthopaedic Surgeon"),
    )),
    DemoClinic("ENT", "Ear, Nose and Throat Clinic", "Ear, Nose and Throat", "RWG", "HHGH", "Outpatients, Ground Floor",
               True, 20, (
        ("C1031", "Mr", "Gareth", "Llewellyn", "Consultant ENT Surgeon"),
    )),
    DemoClinic("OPHT", "Eye Clinic", "Ophthalmology", "RWG", "SACH", "Eye Clinic", True, 20, (
        ("C1041", "Miss", "Hannah", "Cho", "Consultant Ophthalmologist"),
        ("C1042", "Dr", "Ioana", "Popescu", "Specialty Doctor in Ophthalmology"),
    )),
    DemoClinic("GAST", "Gastroenterology Outpatients", "Gastroenterology", "RWG", "WGH", "Outpatients A", False, 30, (
        ("C1051", "Dr", "Samuel", "Mensah", "Consultant Gastroenterologist"),
    )),
    DemoClinic("RAD", "Radiology", "Radiology", "RWG", "WGH", "Radiology Department", False, 15, (
        ("C1061", "Dr", "Leah", "Fitzgerald", "Consultant Radiologist"),
    )),
    DemoClinic("POA", "Pre-operative Assessment", "Pre-operative Assessment", "RWG", "SACH",
               "Pre-operative Assessment Unit", False, 30, (
        ("C1071", "Sister", "Joan", "Adeyemi", "Pre-operative Assessment Nurse"),
    )),
    DemoClinic("DSU", "Surgical Day Unit", "General Surgery", "RWG", "SACH", "Surgical Day Unit", False, 60, (
        ("C1081", "Mr", "Ravi", "Shah", "Consultant General Surgeon"),
    )),
    DemoClinic("BRST", "Breast Diagnostic Clinic (fast track)", "Breast Surgery", "RWG", "WGH", "Outpatients B", False,
               20, (
        ("C1091", "Ms", "Claire", "Dubois", "Consultant Breast Surgeon"),
    )),
    DemoClinic("RHEU", "Rheumatology Outpatients", "Rheumatology", "RAL", "RFH", "Outpatients, Level 2", False, 20, (
        ("C2001", "Dr", "Olumide", "Bakare", "Consultant Rheumatologist"),
    )),
    DemoClinic("NEPH", "Renal Outpatients", "Nephrology", "RAL", "RFH", "Renal Outpatients", False, 30, (
        ("C2011", "Dr", "Sofia", "Marchetti", "Consultant Nephrologist"),
    )),
]

# Clinics whose slots the demo books outpatient consultations into (others are view-only kinds).
BOOKED_ELSEWHERE = {"RAD", "POA", "DSU", "BRST"}
"""Clinics the Appointments desk does not book: radiology, pre-op, day surgery and fast-track diagnostics."""

HORIZON_DAYS = 84


def london(day: date, at: time) -> datetime:
    """A clinic time on a given day, in UTC (clinics keep London hours through the clock change)."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def clinic_days(clinician_index: int) -> tuple[int, int]:
    """The two weekdays (0 = Monday) a clinician runs sessions: spread so every weekday has clinics."""
    return (clinician_index % 5, (clinician_index + 2) % 5)


def session_times(slot_minutes: int) -> list[time]:
    """A morning session 9am to 12.30pm and an afternoon 1.30pm to 4.30pm."""
    times: list[time] = []
    for start, end in ((time(9, 0), time(12, 30)), (time(13, 30), time(16, 30))):
        moment = datetime.combine(date(2000, 1, 1), start)
        while (moment + timedelta(minutes=slot_minutes)).time() <= end:
            times.append(moment.time())
            moment += timedelta(minutes=slot_minutes)
    return times


def slot_starts(clinician_index: int, slot_minutes: int, first_day: date) -> list[datetime]:
    """Every slot a clinician offers from `first_day` for the booking horizon."""
    days = clinic_days(clinician_index)
    starts: list[datetime] = []
    for offset in range(HORIZON_DAYS):
        day = first_day + timedelta(days=offset)
        if day.weekday() in days:
            starts.extend(london(day, at) for at in session_times(slot_minutes))
    return starts
