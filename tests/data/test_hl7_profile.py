"""The feed as real trusts send it (issue 31), on SQLite and PostgreSQL: identifiers by their issuer, senders
mapped to trusts by the settings, the profile's PID-3 shapes, HL7's escapes and `""`, go-live's messages out of
order, unmapped appointment types and clinics named by their location."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.events import receive as feed
from data.models import AppointmentRow, HospitalNumberRow, PatientRow, VisitRow
from domain.events.attendance import FeedRules
from domain.events.feed import Outcome
from domain.events.profile import Profile
from tests.data.feed import PROFILE, receive
from tests.data.test_hl7_bookings import NOON, RULES, newest_for, siu

MSH = "MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261201101500||ADT^{event}|{control}|P|2.4\r"


def adt(event: str, control: str, pid: str, rest: str = "PV1|1|N\r", msh: str = MSH) -> str:
    return msh.format(event=event, control=control) + f"EVN|{event}|20261201101500\r{pid}\r{rest}"


def numbers(engine, patient_id: int) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return sorted((r.trust_code, r.value, r.state) for r in session.scalars(
            select(HospitalNumberRow).where(HospitalNumberRow.patient_id == patient_id)))


def test_a_sender_the_settings_do_not_name_is_refused_never_filed_under_west_herts(demo_engine) -> None:  # type: ignore[no-untyped-def]
    stranger = adt("A28", "S1", "PID|1||ZZ1^^^RWG^MR||NOBODY^NOLA||19900101",
                   msh=MSH.replace("|PAS|RWG|", "|OTHERPAS|XYZ|"))
    refused = receive(demo_engine, stranger, "test")
    assert refused.outcome is Outcome.REFUSED and "'OTHERPAS^XYZ' is not a sending system" in refused.reason
    with Session(demo_engine) as session:
        assert session.scalars(select(PatientRow).where(PatientRow.family_name == "NOBODY")).first() is None
    # Named, with the trust it is: taken, and its numbers are that trust's.
    named = feed.receive(demo_engine, stranger.replace("ZZ1^^^RWG^MR", "ZZ1^^^XYZ^MR"), "test",
                         profile=Profile(senders={"OTHERPAS^XYZ": "RAL"}))
    assert named.outcome is Outcome.ACCEPTED and "ZZ1 at RAL" in named.reason, named.reason


def test_another_trusts_number_is_recorded_as_theirs_and_found_only_by_their_messages(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """A West Herts message naming the Royal Free's MRN by its authority: the patient has both numbers, each under
    its trust. A later Royal Free message by that MRN alone finds them; a West Herts message by the same digits
    does not (those digits are no West Herts number)."""
    from tests.data.demo_fixtures import patient

    margaret = patient(demo_engine, "Margaret", "Thompson")
    told = receive(demo_engine, adt("A08", "O1", (
        f"PID|1||{margaret.hospital_number}^^^RWG^MR~843124^^^RAL^MR~9990000018^^^NHS^NH||THOMPSON^MARGARET||"
        "19591022|F")), "test")
    assert told.outcome is Outcome.ACCEPTED, told.reason
    assert numbers(demo_engine, margaret.id) == [("RAL", "843124", "current"),
                                                 ("RWG", margaret.hospital_number, "current")]
    royal_free = receive(demo_engine, adt("A08", "O2", "PID|1||843124^^^RAL^MR||THOMPSON^MARGARET||19591022|F|||"
                                                      "^^^^NW3 2QG", msh=MSH.replace("|PAS|RWG|", "|CERNER|RAL|")),
                         "test")
    assert royal_free.outcome is Outcome.ACCEPTED and "updated (843124 at RAL)" in royal_free.reason
    west_herts = receive(demo_engine, adt("A08", "O3", "PID|1||843124^^^RWG^MR||THOMPSON^MARGARET||19591022|F"),
                         "test")
    assert west_herts.outcome is Outcome.ACCEPTED and "added (843124 at RWG)" in west_herts.reason
    with Session(demo_engine) as session:
        assert session.get(PatientRow, margaret.id).postcode == "NW3 2QG"
    # The same Royal Free number named for a second person: refused, kept for a person to resolve.
    clash = receive(demo_engine, adt("A31", "O4", (
        "PID|1||RWG7300001^^^RWG^MR~843124^^^RAL^MR||OTHER^OLIVE||19800101|F")), "test")
    assert clash.outcome is Outcome.REFUSED and "RAL hospital number 843124 in PID-3 is another patient's" in \
        clash.reason


def test_the_profile_takes_the_shapes_english_pas_systems_send(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """Types MRN/PAS/PI and no type with the trust's authority; the NHS number by its OID or type NHS; PID-32
    '1' verified; escapes decoded; `""` deletes what it stands in."""
    shapes = [
        ("RWG7400001^^^RWG^MRN~9997000005^^^2.16.840.1.113883.2.1.4.1^NH", "RWG7400001"),
        ("X^^^USA^SS~RWG7400002^^^^PAS~9997000013^^^^NHS", "RWG7400002"),
        ("RWG7400003^^^RWG", "RWG7400003"),
        ("4400004^^^WHHT^PI", "4400004"),
    ]
    for n, (pid3, number) in enumerate(shapes):
        got = receive(demo_engine, adt("A28", f"F{n}", f"PID|1||{pid3}||O\\X27\\BRIEN^SE\\T\\AN||19700101|M"
                                                       + "|" * 25 + "1"), "test")
        assert got.outcome is Outcome.ACCEPTED and f"added ({number} at RWG)" in got.reason, (pid3, got.reason)
    with Session(demo_engine) as session:
        row = session.scalars(select(PatientRow).where(PatientRow.hospital_number == "RWG7400001")).one()
        assert (row.family_name, row.given_name, row.nhs_number) == ("O'BRIEN", "SE&AN", "9997000005")
        assert session.scalars(select(PatientRow.nhs_number).where(
            PatientRow.hospital_number == "RWG7400002")).one() == "9997000013"
    moved = receive(demo_engine, adt("A08", "F9", 'PID|1||RWG7400003^^^RWG^MR||O\'BRIEN^SEAN||19700101|M|||""'
                                                  '||""'), "test")
    assert moved.outcome is Outcome.ACCEPTED, moved.reason
    with Session(demo_engine) as session:
        row = session.scalars(select(PatientRow).where(PatientRow.hospital_number == "RWG7400003")).one()
        assert (row.postcode, row.address_lines, row.mobile) == ("", None, None)


def test_go_live_messages_out_of_order_are_taken(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """A discharge (A03) for a stay and a person the portal never heard of: the person added and the stay kept as
    ended. A person without a date of birth: kept, and never invited."""
    left = receive(demo_engine, adt("A03", "G1", "PID|1||RWG7500001^^^RWG^MR||LATE^LEO||19600101|M",
                                    "PV1|1|I|WGH-W7A^^^RWG||||||||||||||||V75001|" + "|" * 24 +
                                    "20261128090000|20261201100000\r"), "test", NOON, rules=RULES)
    assert left.outcome is Outcome.ACCEPTED and "visit V75001 kept as ended" in left.reason, left.reason
    with Session(demo_engine) as session:
        visit = session.scalars(select(VisitRow).join(PatientRow).where(
            PatientRow.hospital_number == "RWG7500001")).one()
        assert visit.status == "finished" and visit.ended_at is not None
    undated = receive(demo_engine, adt("A04", "G2", "PID|1||RWG7500002^^^RWG^MR||NODATE^NINA||||||||"
                                                    "07700 900752^PRN^CP", "PV1|1|E|WGH-ED^^^RWG\r"),
                      "test", NOON, rules=FeedRules(frozenset({"WGH-ED"}), portal_url="https://p.example", allow_drama=True))
    assert undated.outcome is Outcome.ACCEPTED and not undated.invited, undated.reason
    assert "no date of birth on the record" in undated.reason, undated.reason
    with Session(demo_engine) as session:
        assert session.scalars(select(PatientRow.date_of_birth).where(
            PatientRow.hospital_number == "RWG7500002")).one() is None
    # Its date of birth arrives: kept (an empty PID-7 later never unlearns it).
    dated = receive(demo_engine, adt("A08", "G3", "PID|1||RWG7500002^^^RWG^MR||NODATE^NINA||19800404"), "test")
    again = receive(demo_engine, adt("A08", "G4", "PID|1||RWG7500002^^^RWG^MR||NODATE^NINA||"), "test")
    assert dated.outcome is again.outcome is Outcome.ACCEPTED
    with Session(demo_engine) as session:
        assert session.scalars(select(PatientRow.date_of_birth).where(
            PatientRow.hospital_number == "RWG7500002")).one() == date(1980, 4, 4)


def test_unmapped_types_and_clinics_named_by_their_location(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """An appointment type the trust has not mapped is kept, and only the Appointments team changes it; a type
    mapped as not-online likewise; a booking without AIS finds its clinic by AIL's location."""
    from domain.appointments.rules import Action, Blocker, OnlinePolicy, blockers
    from data.convert import appointment

    walk_in = receive(demo_engine, siu("S12", "U1", "PAS700", kind="WALKIN"), "test", NOON, rules=RULES)
    assert walk_in.outcome is Outcome.ACCEPTED and "'WALKIN' (SCH-8) is not mapped" in walk_in.reason
    row = newest_for(demo_engine, "RWG9100001")
    assert not row.online_changes
    assert Blocker.TEAM_ONLY in blockers(Action.RESCHEDULE, appointment(row), None, NOON(), OnlinePolicy())
    phone = receive(demo_engine, siu("S12", "U2", "PAS701", kind="TEL", starts="202612021000"), "test", NOON,
                    rules=RULES)
    assert phone.outcome is Outcome.ACCEPTED and "not mapped" not in phone.reason
    assert not newest_for(demo_engine, "RWG9100001").online_changes
    by_place = siu("S12", "U3", "PAS702", starts="202612031000", clinician="C1031").replace(
        "AIS|1||CARD^Cardiology|202612031000\r", "AIL|1||HHGH-OPG^^^HHGH\r")
    placed = receive(demo_engine, by_place, "test", NOON, rules=RULES)
    assert placed.outcome is Outcome.ACCEPTED, placed.reason
    with Session(demo_engine) as session:
        clinic = session.scalars(select(AppointmentRow.clinic_id).where(
            AppointmentRow.id == newest_for(demo_engine, "RWG9100001").id)).one()
        from data.models import ClinicRow
        assert session.get(ClinicRow, clinic).code == "ENT"
    nowhere = receive(demo_engine, siu("S12", "U4", "PAS703", starts="202612041000").replace(
        "AIS|1||CARD^Cardiology|202612041000\r", "AIL|1||NOWHERE\r"), "test", NOON, rules=RULES)
    assert nowhere.outcome is Outcome.REFUSED and "AIL-3 'NOWHERE'" in nowhere.reason, nowhere.reason


def test_changes_to_bookings_made_before_the_feed_are_ignored_or_added_as_the_trust_says(demo_engine) -> None:  # type: ignore[no-untyped-def]
    moved = siu("S13", "K1", "PAS800", starts="202612051000")
    ignored = receive(demo_engine, moved, "test", NOON, rules=RULES)
    assert ignored.outcome is Outcome.IGNORED and "was never received" in ignored.reason
    added = feed.receive(demo_engine, moved.replace("|K1|", "|K2|"), "test", NOON, rules=RULES,
                         profile=Profile(senders=PROFILE.senders, add_unknown_bookings=True))
    assert added.outcome is Outcome.ACCEPTED and "booked" in added.reason, added.reason
    assert newest_for(demo_engine, "RWG9100001").starts_at == datetime(2026, 12, 5, 10, tzinfo=UTC)
