"""The desk's search and opening a record, against the demo hospital on SQLite and PostgreSQL: every look
audited with its reason; a system administrator does not act for patients."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import AuditEventRow
from domain.staff import desk
from domain.errors import AccessDenied, InvalidValue
from domain.identity.session import StaffRole, StaffSession
from tests.conftest import FIXED_DAY, FIXED_NOW
from tests.data.demo_fixtures import patient

CLERK = StaffSession(1, "clerk.demo", StaffRole.APPOINTMENTS_CLERK, FIXED_NOW)


def names(found: list[desk.PatientMatch]) -> list[str]:
    return [match.full_name for match in found]


def test_search_by_nhs_number_hospital_number_and_surname_with_birth(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    margaret = patient(demo_engine, "Margaret", "Thompson")
    born = margaret.date_of_birth
    assert names(desk.find_patients(uow(), clock, CLERK, "999 000 0018", FIXED_DAY)) == ["Margaret Thompson"]
    assert names(desk.find_patients(uow(), clock, CLERK, margaret.hospital_number.lower(), FIXED_DAY)) == [
        "Margaret Thompson"]
    for query in (f"thompson {born.day}/{born.month}/{born.year}", f"THOM {born:%d %B %Y}", f"Thom {born.isoformat()}"):
        found = desk.find_patients(uow(), clock, CLERK, query, FIXED_DAY)
        assert "Margaret Thompson" in names(found), query
    match = desk.find_patients(uow(), clock, CLERK, "9990000018", FIXED_DAY)[0]
    assert match.masked_mobile and "*" in match.masked_mobile and match.nhs_number == "999 000 0018"


def test_accents_and_apostrophes_are_ignored(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    rosa = patient(demo_engine, "Rosa", "Fernández")
    brian = patient(demo_engine, "Brian", "O'Connor")
    assert "Rosa Fernández" in names(desk.find_patients(uow(), clock, CLERK, f"fernandez {rosa.date_of_birth}",
                                                        FIXED_DAY))
    assert "Brian O'Connor" in names(desk.find_patients(uow(), clock, CLERK, f"oconnor {brian.date_of_birth}",
                                                        FIXED_DAY))


def test_what_cannot_be_searched_says_how(uow, clock) -> None:  # type: ignore[no-untyped-def]
    for query in ("", "Thompson", "943 476 5918", "6 8 1958"):
        with pytest.raises(InvalidValue, match="Search by NHS number"):
            desk.find_patients(uow(), clock, CLERK, query, FIXED_DAY)
    assert desk.find_patients(uow(), clock, CLERK, "Nobody 1 1 1950", FIXED_DAY) == []


def test_opening_a_record_needs_a_reason_and_is_audited(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    margaret = patient(demo_engine, "Margaret", "Thompson")
    with pytest.raises(InvalidValue, match="Say why"):
        desk.open_patient(uow(), clock, CLERK, margaret.id, "  ")
    record = desk.open_patient(uow(), clock, CLERK, margaret.id, desk.OpenReason.ON_PHONE)
    assert record.patient.full_name == "Margaret Thompson" and record.appointments
    with Session(demo_engine) as session:
        rows = session.execute(select(AuditEventRow.actor_id, AuditEventRow.actor_role, AuditEventRow.detail).where(
            AuditEventRow.action == "staff_open", AuditEventRow.patient_id == margaret.id)).all()
    assert [tuple(row) for row in rows] == [("clerk.demo", "appointments_clerk", "patient on the phone")]


def test_a_system_administrator_does_not_act_for_patients(uow, clock) -> None:  # type: ignore[no-untyped-def]
    admin = StaffSession(3, "admin.demo", StaffRole.SYSTEM_ADMIN, FIXED_NOW)
    with pytest.raises(AccessDenied, match="does not act for patients"):
        desk.find_patients(uow(), clock, admin, "999 000 0018", FIXED_DAY)


def test_the_patient_sees_who_looked_at_their_record_and_why(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    from domain.identity.my_details import who_looked
    from domain.identity.session import PatientSession

    margaret = patient(demo_engine, "Margaret", "Thompson")
    me = PatientSession(margaret.id, FIXED_NOW)
    assert who_looked(uow(), clock, me) == []
    desk.open_patient(uow(), clock, CLERK, margaret.id, desk.OpenReason.ON_PHONE)
    clock.advance(60)
    desk.open_patient(uow(), clock, CLERK, margaret.id, "other: checking a letter she asked about")
    looks = who_looked(uow(), clock, me)
    assert [(look.who, look.what, look.why) for look in looks] == [
        ("The Appointments team", "Opened your record", "other: checking a letter she asked about"),
        ("The Appointments team", "Opened your record", "patient on the phone")]
    assert all("clerk.demo" not in f"{look.who} {look.why}" for look in looks)  # a role, not a name
    clock.advance(366 * 24 * 3600)
    assert who_looked(uow(), clock, me) == []  # the last 12 months


def test_a_hospital_number_is_searched_at_every_trust_naming_the_trust_of_each_match(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    """A hospital number is its trust's own: the same digits at the Royal Free are another patient, and the desk
    shows both, each with the trust whose number it is. A PAS's own numbers (digits only) are searched too."""
    from tests.data.feed import receive
    from tests.data.test_hl7_profile import adt

    margaret = patient(demo_engine, "Margaret", "Thompson")
    for number, control in ((margaret.hospital_number, "D1"), ("843124", "D2")):
        receive(demo_engine, adt("A28", control, f"PID|1||{number}^^^RAL^MR||STRANGER^SAM||19800101|M",
                                 msh="MSH|^~\\&|CERNER|RAL|PORTAL|RAL|20261201101500||ADT^{event}|{control}|P|2.4\r"),
                "test")
    found = desk.find_patients(uow(), clock, CLERK, margaret.hospital_number, FIXED_DAY)
    assert sorted((m.full_name, m.hospital_number) for m in found) == [
        ("Margaret Thompson", f"{margaret.hospital_number} (West Herts)"),
        ("SAM STRANGER", f"{margaret.hospital_number} (Royal Free)")]
    assert [(m.full_name, m.hospital_number) for m in desk.find_patients(uow(), clock, CLERK, "843124", FIXED_DAY)] \
        == [("SAM STRANGER", "843124 (Royal Free)")]
