"""A minimal hospital for data tests: one trust, site, clinic, clinician, slot and patient."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data.models import (
    HospitalNumberRow,
    AppointmentRow,
    ClinicianRow,
    ClinicRow,
    LocationRow,
    PatientRow,
    SiteRow,
    SlotRow,
    TrustRow,
)

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def tiny_hospital(engine: Engine, patients: int = 2) -> dict[str, int]:
    """Returns the ids: slot, clinic, clinician, location, and patient_1 … patient_N."""
    with Session(engine) as s:
        s.add(TrustRow(code="RWG", name="West Herts", short_name="West Herts", appointments_phone="01632 960 100",
                       appointments_email="a@example.nhs.uk"))
        s.flush()  # no relationship() tells the ORM that sites come after trusts
        site = SiteRow(code="WGH", trust_code="RWG", name="Watford General", address="Vicarage Road",
                       postcode="WD18 0HB")
        s.add(site)
        s.flush()
        location = LocationRow(site_id=site.id, name="Outpatients A")
        clinic = ClinicRow(code="CARD", name="Cardiology", specialty="Cardiology", trust_code="RWG", site_id=site.id)
        person = ClinicianRow(code="C1", title="Dr", given_name="A", family_name="B", role="Consultant",
                              trust_code="RWG")
        s.add_all([location, clinic, person])
        s.flush()
        slot = SlotRow(clinic_id=clinic.id, clinician_id=person.id, location_id=location.id, starts_at=WHEN,
                       duration_minutes=20)
        s.add(slot)
        ids = {"slot": 0, "clinic": clinic.id, "clinician": person.id, "location": location.id}
        for n in range(1, patients + 1):
            row = PatientRow(nhs_number=None, hospital_number=f"RWG{n:07d}", trust_code="RWG", given_name="Pat",
                             family_name=f"Number{n}", date_of_birth=date(1970, 1, n % 28 + 1), postcode="WD18 0HB",
                             letter_preference="paper")
            s.add(row)
            s.flush()
            s.add(HospitalNumberRow(patient_id=row.id, trust_code="RWG", value=row.hospital_number))
            ids[f"patient_{n}"] = row.id
        s.flush()
        ids["slot"] = slot.id
        s.commit()
    return ids


def booking(ids: dict[str, int], patient: int, reference: str, **overrides: object) -> AppointmentRow:
    values: dict[str, object] = dict(
        reference=reference, patient_id=ids[f"patient_{patient}"], trust_code="RWG", clinic_id=ids["clinic"],
        clinician_id=ids["clinician"], location_id=ids["location"], slot_id=ids["slot"], kind="outpatient_follow_up",
        status="booked", starts_at=WHEN, duration_minutes=20, booked_at=WHEN, transport_booked=False,
        times_rescheduled=0, reschedule_limit=2,
    )
    values.update(overrides)
    return AppointmentRow(**values)
