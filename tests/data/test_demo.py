"""The demo hospital: every case the rules care about is there, with synthetic identifiers only, loaded once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.demo import DEMO_PASSWORD, load_demo
from data.models import (
    AppointmentRow,
    Base,
    ClinicRow,
    DocumentRow,
    PatientAccountRow,
    PatientRow,
    ReferralRow,
    SiteRow,
    SlotRow,
    TestResultRow,
)
from data.identity.passwords import Argon2Hasher
from domain.identifiers import NhsNumber, UkMobile
from tests.conftest import FIXED_DAY, FIXED_NOW


def _load(engine) -> str:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        report = load_demo(session, FIXED_DAY, Argon2Hasher(fast=True))
        session.commit()
    return str(report)


def _everything(engine) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return {table.name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
                for table in Base.metadata.sorted_tables}


@pytest.fixture
def demo(engine):  # type: ignore[no-untyped-def]
    _load(engine)
    with Session(engine) as session:
        yield session


def test_a_second_load_changes_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    first = _load(engine)
    before = _everything(engine)
    second = _load(engine)
    assert "Loaded the demo hospital" in first and "already loaded" in second
    assert _everything(engine) == before


def test_the_hospital_has_two_trusts_sites_clinics_and_twelve_weeks_of_slots(demo: Session) -> None:
    assert demo.scalar(select(func.count(func.distinct(SiteRow.trust_code)))) == 2
    assert demo.scalar(select(func.count()).select_from(SiteRow)) >= 3
    assert demo.scalar(select(func.count()).select_from(ClinicRow)) >= 6
    first, last = demo.execute(select(func.min(SlotRow.starts_at), func.max(SlotRow.starts_at))).one()
    assert first > FIXED_NOW
    assert last > FIXED_NOW + timedelta(weeks=11)
    assert last < FIXED_NOW + timedelta(weeks=12, days=1)


def test_only_synthetic_nhs_numbers_and_drama_mobiles(demo: Session) -> None:
    numbers = demo.scalars(select(PatientRow.nhs_number).where(PatientRow.nhs_number.is_not(None))).all()
    assert numbers and all(NhsNumber.parse(n).is_synthetic for n in numbers)
    mobiles = demo.scalars(select(PatientRow.mobile).where(PatientRow.mobile.is_not(None))).all()
    assert mobiles and all(UkMobile.parse(m, allow_drama=True) and m.startswith("+447700900") for m in mobiles)
    assert demo.scalar(select(func.count()).select_from(PatientRow)) >= 50


def _appointments(demo: Session, *conditions) -> list[AppointmentRow]:  # type: ignore[no-untyped-def]
    return list(demo.scalars(select(AppointmentRow).where(*conditions)))


def test_every_case_the_rules_care_about_is_there(demo: Session) -> None:
    A = AppointmentRow
    future = A.starts_at > FIXED_NOW
    assert _appointments(demo, future, A.status == "booked", A.kind == "outpatient_follow_up", A.transport_booked.is_(False),
                         A.interpreter_language.is_(None), A.times_rescheduled == 0)
    for kind in ("pre_operative_assessment", "day_case", "elective_admission", "radiology", "fast_track_diagnostic"):
        assert _appointments(demo, future, A.kind == kind), kind
    assert _appointments(demo, future, A.transport_booked.is_(True))
    assert _appointments(demo, future, A.interpreter_language.is_not(None))
    assert _appointments(demo, future, A.status == "booked", A.times_rescheduled == A.reschedule_limit)
    assert _appointments(demo, A.status == "rescheduled")
    assert _appointments(demo, future, A.starts_at < FIXED_NOW + timedelta(days=2))
    ers = demo.scalars(select(ReferralRow.id).where(ReferralRow.booked_via_ers.is_(True))).all()
    assert _appointments(demo, future, A.kind == "outpatient_new", A.referral_id.in_(ers))
    for status in ("attended", "did_not_attend", "cancelled_by_patient", "cancelled_by_hospital"):
        assert _appointments(demo, A.status == status), status
    assert _appointments(demo, A.kind == "emergency_admission")
    assert _appointments(demo, future, A.trust_code == "RAL")
    assert demo.scalars(select(ReferralRow).where(ReferralRow.status == "discharged")).all()


def test_letters_and_results_of_every_kind(demo: Session) -> None:
    kinds = set(demo.scalars(select(DocumentRow.kind)))
    assert kinds == {"appointment_confirmation", "admission_confirmation", "clinic_outcome", "discharge_summary"}
    assert demo.scalars(select(DocumentRow).where(DocumentRow.body_markdown.is_(None),
                                                  DocumentRow.content_type == "application/pdf")).all()
    assert set(demo.scalars(select(DocumentRow.trust_code))) == {"RWG", "RAL"}
    flags = set(demo.scalars(select(TestResultRow.flag)))
    assert {"normal", "high", "low", "abnormal", "no_range"} <= flags
    assert set(demo.scalars(select(TestResultRow.trust_code))) == {"RWG", "RAL"}


def test_some_patients_are_registered_with_the_demo_password_and_some_are_not(demo: Session) -> None:
    accounts = demo.scalars(select(PatientAccountRow)).all()
    patients = demo.scalar(select(func.count()).select_from(PatientRow))
    assert 10 <= len(accounts) < patients
    assert all(Argon2Hasher().verify(account.password_hash, DEMO_PASSWORD) for account in accounts[:3])
    assert all(account.password_hash.startswith("$argon2id$") for account in accounts)


def test_live_bookings_sit_in_slots_of_their_own_clinician(demo: Session) -> None:
    rows = demo.execute(select(AppointmentRow, SlotRow).join(SlotRow, AppointmentRow.slot_id == SlotRow.id)).all()
    assert rows
    for appointment, slot in rows:
        assert (appointment.clinician_id, appointment.location_id, appointment.starts_at) == (
            slot.clinician_id, slot.location_id, slot.starts_at)


@pytest.mark.parametrize("weekday", range(7))
def test_whatever_day_it_is_loaded_on_one_appointment_is_too_close_to_change(sqlite_url: str, weekday: int) -> None:
    """Fiona MacLeod's appointment is within the 48-hour cut-off: loaded on a Friday, the next clinic day is
    Monday, too far, so a time is added tomorrow (the kiosk's e2e test failed on Fridays)."""
    from datetime import UTC, datetime

    from tests.conftest import migrated_engine

    day = FIXED_DAY + timedelta(days=(weekday - FIXED_DAY.weekday()) % 7)
    engine = migrated_engine(sqlite_url)
    try:
        with Session(engine) as session:
            load_demo(session, day, Argon2Hasher(fast=True))
            session.commit()
            starts = session.scalars(select(AppointmentRow.starts_at).join(PatientRow).where(
                PatientRow.given_name == "Fiona", AppointmentRow.status == "booked")).one()
    finally:
        engine.dispose()
    evening = datetime(day.year, day.month, day.day, 23, 0, tzinfo=UTC)
    assert starts > evening and starts - datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC) < timedelta(hours=48)
