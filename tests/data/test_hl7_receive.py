"""The HL7 v2 feed's front door on the real databases: every message stored first, ignored when the portal has
no use for it, a resend acknowledged again without a second row acted on, a reused control id refused and kept,
a frame that is not HL7 refused with its control id where it can be read — and files split as PAS exports come."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.events import receive as feed
from domain.events.profile import Profile
from tests.data.feed import ingest, messages, receive
from data.models import Hl7MessageRow
from domain.events.feed import Outcome

A02 = ("MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261201101500||ADT^A02^ADT_A02|MSG0001|P|2.4\r"
       "PID|1||RWG1000001^^^RWG^MR~9990000018^^^NHS^NH||THOMPSON^MARGARET||19591022|F\r")
"""A transfer (A02): well-formed, and of no use to the portal."""


def rows(engine) -> list[tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return [(r.outcome, r.control_id, r.message_type or "") for r in
                session.scalars(select(Hl7MessageRow).order_by(Hl7MessageRow.id))]


def test_a_message_the_portal_has_no_use_for_is_kept_and_acknowledged(engine) -> None:  # type: ignore[no-untyped-def]
    receipt = receive(engine, A02, "test")
    assert receipt.outcome is Outcome.IGNORED and receipt.control_id == "MSG0001"
    assert "MSA|AA|MSG0001" in receipt.ack and receipt.ack.startswith("MSH|^~\\&|PORTAL")
    assert rows(engine) == [("ignored", "MSG0001", "ADT^A02")]


def test_a_resend_is_a_duplicate_and_a_reused_id_is_refused(engine) -> None:  # type: ignore[no-untyped-def]
    receive(engine, A02, "test")
    again = receive(engine, A02, "test")
    assert again.outcome is Outcome.DUPLICATE and "MSA|AA|MSG0001" in again.ack
    reused = receive(engine, A02.replace("MARGARET", "MAGGIE"), "test")
    assert reused.outcome is Outcome.REFUSED and "MSA|AR|MSG0001|control id reused" in reused.ack
    assert "\rERR|" in reused.ack
    assert [outcome for outcome, _, _ in rows(engine)] == ["ignored", "duplicate", "refused"]


def test_a_frame_that_is_not_hl7_is_refused_with_its_control_id(engine) -> None:  # type: ignore[no-untyped-def]
    broken = receive(engine, "MSH|^~\\&|PAS|RWG|||2026||ADT^A02|MSG0009|P\rthis is not a segment\r", "test")
    assert broken.outcome is Outcome.REFUSED, broken.reason
    assert "MSA|AR|MSG0009|" in broken.ack
    nothing = receive(engine, "hello", "test")
    assert nothing.outcome is Outcome.REFUSED and nothing.control_id is None and "MSA|AR||" in nothing.ack


def test_files_as_pas_exports_come(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    second = A02.replace("MSG0001", "MSG0002").replace("\r", "\r\n")
    third = A02.replace("MSG0001", "MSG0003").replace("\r", "\n")
    batch = ("FHS|^~\\&|PAS\rBHS|^~\\&|PAS\r" + A02 + second + third + "BTS|3\rFTS|1\r").encode()
    assert len(list(messages(b"\xef\xbb\xbf" + batch))) == 3
    framed = b"\x0b" + A02.replace("MSG0001", "MSG0004").encode() + b"\x1c\r"
    (tmp_path / "batch.hl7").write_bytes(b"\xef\xbb\xbf" + batch)
    (tmp_path / "framed.hl7").write_bytes(framed)
    report = ingest(engine, [str(tmp_path / "batch.hl7"), str(tmp_path / "framed.hl7"), str(tmp_path / "none")])
    assert report.counts == {"accepted": 0, "ignored": 4, "duplicate": 0, "refused": 1}
    assert report.refusals[0]["reason"].startswith("cannot be read")
    assert [control for _, control, _ in rows(engine)] == ["MSG0001", "MSG0002", "MSG0003", "MSG0004"]


def test_the_shared_samples(demo_engine) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from tests.conftest import SHARED_DATA

    folder = SHARED_DATA / "hl7"
    if not folder.is_dir():
        pytest.skip(f"the shared HL7 samples are not here ({folder})")
    files = [str(p) for p in sorted(folder.iterdir())]
    # Their senders are no trust's the settings name: every message refused with that reason, nothing changed.
    unnamed = ingest(demo_engine, files)
    assert unnamed.counts["refused"] == 3 and all("not a sending system the settings name" in r["reason"]
                                                   for r in unnamed.refusals)
    # A trust whose settings name them (as its integration team would, with `hl7_senders`) takes them.
    profile = Profile(senders={"SE050^050": "RWG", "WHI_AUTOMATION^IBM_TORONTO_LAB": "RWG"})
    report = feed.ingest(demo_engine, files, profile=profile)
    # The ORU is kept and ignored; the Unix ADT^A01 (an elective admission, PV1-4 EL) adds its patient and
    # invites no one; the Windows copy of that ADT carries the same control id with a doubled backslash in its
    # encoding characters: different content under a used id, so refused.
    assert (report.counts["ignored"], report.counts["accepted"], report.invitations) == (1, 1, 0)
    assert [(r["file"].rsplit("/", 1)[-1], r["control_id"], r["reason"].split(":")[0]) for r in report.refusals] == [
        ("linuxforhealth-sample_win.hl7", "102", "control id reused")]


def person_message(event: str, control: str, pid: str) -> str:
    return (f"MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261201101500||ADT^{event}|{control}|P|2.4\r"
            f"EVN|{event}|20261201101500\r{pid}\rPV1|1|N\r")


def test_people_added_and_updated_from_the_pas(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """A28 adds a person the portal has not met; A08 updates one it has (matched by NHS number, else hospital
    number) in the same transaction as the message; what cannot be used safely is refused, with the reason."""
    from data.models import PatientRow
    from tests.data.demo_fixtures import patient

    margaret = patient(demo_engine, "Margaret", "Thompson")
    moved = receive(demo_engine, person_message("A08", "P1", (
        f"PID|1||{margaret.hospital_number}^^^RWG^MR~9990000018^^^NHS^NH||THOMPSON^MARGARET^ANN||19591022|F|||"
        "1 New Road^^Watford^^wd25 7hq||07700 900001^PRN^PH~07700 900456^PRN^CP")), "test", allow_drama=True)
    assert moved.outcome is Outcome.ACCEPTED and "MSA|AA|P1" in moved.ack, moved.reason
    added = receive(demo_engine, person_message("A28", "P2", (
        "PID|1||RWG7000001^^^RWG^MR||NEWMAN^NINA||19900101|F|||^^^^AL1 3HD")), "test")
    assert added.outcome is Outcome.ACCEPTED and "added" in added.reason
    # At go-live most people's first message is an update: it carries a whole PID, so they are added.
    unknown = receive(demo_engine, person_message("A08", "P3", "PID|1||RWG7999999^^^RWG^MR||NOBODY^NO||19900101"),
                      "test")
    assert unknown.outcome is Outcome.ACCEPTED and "patient added (RWG7999999 at RWG)" in unknown.reason
    numberless = receive(demo_engine, person_message("A08", "P3b", "PID|1||12345^^^USA^SS||NOBODY^NED||19900101"),
                         "test")
    assert numberless.outcome is Outcome.REFUSED and "needs a hospital number of RWG" in numberless.ack
    bad = receive(demo_engine, person_message("A28", "P4", "PID|1||9990000019^^^NHS^NH~X1^^^RWG^MR||A^B||19900101"),
                  "test")
    assert bad.outcome is Outcome.REFUSED and "fails its check digit" in bad.reason
    other = receive(demo_engine, person_message("A31", "P5", (
        f"PID|1||{margaret.hospital_number}^^^RWG^MR~9990000026^^^NHS^NH||THOMPSON^MARGARET||19591022|F")), "test")
    assert other.outcome is Outcome.REFUSED and "two different patients'" in other.reason  # that NHS number is someone
    # else's
    unverified = receive(demo_engine, person_message("A31", "P6", (
        f"PID|1||{margaret.hospital_number}^^^RWG^MR~9990000026^^^NHS^NH||THOMPSON^MARGARET||19591022|F"
        + "|" * 24 + "02")), "test")  # PID-32: the NHS number is not verified, so it is not used
    assert unverified.outcome is Outcome.ACCEPTED, unverified.reason
    with Session(demo_engine) as session:
        row = session.get(PatientRow, margaret.id)
        assert (row.postcode, row.mobile, row.nhs_number) == ("WD25 7HQ", "+447700900456", "9990000018")
        nina = session.scalars(select(PatientRow).where(PatientRow.hospital_number == "RWG7000001")).one()
        assert (nina.given_name, nina.postcode, nina.date_of_birth.isoformat()) == ("NINA", "AL1 3HD", "1990-01-01")
    # Every change the feed made to a person is in the audit trail, with the PAS as the actor, old and new.
    changes = feed_audit(demo_engine)
    assert changes[0][:3] == ("hl7:PAS^RWG", margaret.id, "feed_person_changed")
    assert "postcode: WD17 1LS → WD25 7HQ" in changes[0][3] and "date of birth: 1959-10-15 → 1959-10-22" in changes[0][3]
    assert "mobile: *****001 → *****456" in changes[0][3]  # a mobile as staff screens show it
    assert changes[1][:3] == ("hl7:PAS^RWG", nina.id, "feed_person_added")
    assert all(change[2] != "feed_person_changed" or change[1] != margaret.id for change in changes[2:]), \
        "an update that changes nothing is not audited as a change"
    # Margaret sees it, as a clerk on the phone with her does: which details the hospital's system changed.
    from data.uow import SqlUnitOfWork, session_factory
    from domain.clock import FixedClock
    from domain.identity.my_details import who_looked
    from domain.identity.session import PatientSession
    from datetime import UTC, datetime

    now = FixedClock(datetime.now(UTC))
    looks = who_looked(SqlUnitOfWork(session_factory(demo_engine)), now, PatientSession(margaret.id, now.now()))
    [changed] = [look for look in looks if look.who == "The hospital's records"]
    assert changed.what == "Changed your given name, family name, date of birth, postcode, address, mobile"


def feed_audit(engine) -> list[tuple[str, int, str, str]]:  # type: ignore[no-untyped-def]
    from data.models import AuditEventRow

    with Session(engine) as session:
        return [(r.actor_id, r.patient_id, r.action, r.detail) for r in session.scalars(
            select(AuditEventRow).where(AuditEventRow.action.like("feed_person_%")).order_by(AuditEventRow.id))]


def test_a_refused_message_is_taken_again_once_what_refused_it_is_fixed(demo_engine) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from tests.data.feed import retry

    # A merge of two records neither of which the portal knows: refused, until the one merged away arrives.
    update = (person_message("A40", "R1", "PID|1||RWG7100001^^^RWG^MR||LATE^LUCY||19800202")
              + "MRG|RWG7100002^^^RWG^MR\r")
    first = receive(demo_engine, update, "test")
    assert first.outcome is Outcome.REFUSED and first.message_id is not None, first.reason
    with pytest.raises(LookupError, match="no refused message"):
        retry(demo_engine, first.message_id + 100)
    receive(demo_engine, person_message("A28", "R0", "PID|1||RWG7100002^^^RWG^MR||LATE^LUCY||19800202"), "test")
    again = retry(demo_engine, first.message_id)
    # The surviving record was never received: the one merged away becomes it, and both numbers find it.
    assert again.outcome is Outcome.ACCEPTED and "becomes it" in again.reason, again.reason
    later = receive(demo_engine, person_message("A08", "R2", "PID|1||RWG7100002^^^RWG^MR||LATE^LUCINDA||19800202"),
                    "test")
    assert later.outcome is Outcome.ACCEPTED and "updated" in later.reason, later.reason



def test_invitations_after_the_emergency_department_or_an_emergency_admission(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """The FAQ's promise: an ED attendance (not a UTC) or an emergency admission invites a patient who may
    register and has not — at 08:00 if it happens at night, and not twice in 30 days; each decision says why."""
    from datetime import UTC, datetime

    from data.models import InvitationRow, SmsMessageRow
    from domain.events.attendance import FeedRules

    rules = FeedRules(frozenset({"WGH-ED"}), frozenset({"SACH-UTC"}), "https://portal.example.nhs.uk", True)
    night = lambda: datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # noqa: E731

    def visit(event: str, control: str, pid: str, pv1: str) -> str:
        return (f"MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124233000||ADT^{event}|{control}|P|2.4\r"
                f"EVN|{event}|20261124233000\r{pid}\r{pv1}\r")

    adult = "PID|1||RWG8000001^^^RWG^MR||WALKER^WENDY||19800101|F|||||07700 900801^PRN^CP"
    ed = receive(demo_engine, visit("A04", "V1", adult, "PV1|1|E|WGH-ED^^^RWG"), "test", night, rules=rules)
    assert ed.outcome is Outcome.ACCEPTED and "registration invitation queued after an Emergency Department" \
        in ed.reason, ed.reason
    again = receive(demo_engine, visit("A01", "V2", adult, "PV1|1|I|WARD5^^^RWG|E"), "test", night, rules=rules)
    assert "no invitation after an emergency admission" in again.reason and "less than 30 days" in again.reason
    utc = receive(demo_engine, visit("A04", "V3", adult.replace("8000001", "8000002").replace("801", "802"),
                                     "PV1|1|E|SACH-UTC^^^RWG"), "test", night, rules=rules)
    assert "no invitation: an Urgent Treatment Centre attendance" in utc.reason
    unsaid = receive(demo_engine, visit("A04", "V4", adult.replace("8000001", "8000003").replace("801", "803"),
                                        "PV1|1|E|FRONT^^^RWG"), "test", night, rules=rules)
    assert "does not say FRONT is an Emergency Department" in unsaid.reason
    child = receive(demo_engine, visit("A04", "V5", "PID|1||RWG8000004^^^RWG^MR||YOUNG^YASMIN||20200101|F|||||"
                                       "07700 900804^PRN^CP", "PV1|1|E|WGH-ED"), "test", night, rules=rules)
    assert "under 18" in child.reason
    landline = receive(demo_engine, visit("A04", "V6", "PID|1||RWG8000005^^^RWG^MR||LAND^LEN||19700101|M|||||"
                                          "01923 244366^PRN^PH", "PV1|1|E|WGH-ED"), "test", night, rules=rules)
    assert "no UK mobile" in landline.reason
    with Session(demo_engine) as session:
        texts = session.scalars(select(SmsMessageRow).where(SmsMessageRow.template == "registration_invitation",
                                                            SmsMessageRow.to_number == "+447700900801")).all()
        assert len(texts) == 1 and texts[0].send_after.hour == 8  # quiet hours: 08:00 the next morning
        assert "portal.example.nhs.uk" in texts[0].body and "Emergency" not in texts[0].body
        assert len(session.scalars(select(InvitationRow)).all()) >= 1


def test_many_at_once_are_committed_together_each_with_its_own_outcome(engine) -> None:  # type: ignore[no-untyped-def]
    """The listener's group commit: what arrived on several connections during the last commit goes in one."""
    from tests.data.feed import receive_all

    other = A02.replace("MSG0001", "MSG0002")
    receipts = receive_all(engine, [(A02, "one"), (other, "two"), (A02, "three"), ("hello", "four"),
                                    (A02.replace("MARGARET", "MAGGIE"), "five")])
    assert [r.outcome for r in receipts] == [Outcome.IGNORED, Outcome.IGNORED, Outcome.DUPLICATE, Outcome.REFUSED,
                                             Outcome.REFUSED]
    assert rows(engine) == [("ignored", "MSG0001", "ADT^A02"), ("ignored", "MSG0002", "ADT^A02"),
                            ("duplicate", "MSG0001", "ADT^A02"), ("refused", None, ""),
                            ("refused", "MSG0001", "ADT^A02")]
    assert [r.message_id for r in receipts] == sorted(r.message_id for r in receipts)


def test_the_ack_is_the_one_python_hl7_makes_in_the_senders_own_separators() -> None:
    import hl7

    from data.events.receive import _ack

    for raw in (A02, "MSH#$~\\&#PAS$1.2$ISO#RWG#PORTAL#RWG#20261124101500##ADT$A28#X2#P#2.3\r"):
        message = hl7.parse(raw.split("\r")[0] + "\r")
        ours, theirs = _ack(message, Outcome.IGNORED, ""), str(message.create_ack("AA", application="PORTAL",
                                                                                  facility="PORTAL"))
        separator = raw[3]
        mine, python_hl7 = ours.split("\r")[0].split(separator), theirs.split("\r")[0].split(separator)
        mine[6:7] = python_hl7[6:7] = ["time"]
        mine[9:10] = python_hl7[9:10] = ["control id"]
        assert mine == python_hl7 and ours.split("\r")[1:] == theirs.rstrip("\r").split("\r")[1:] + [""]
    refused = _ack(hl7.parse(A02.split("\r")[0] + "\r"), Outcome.REFUSED, "no such patient | here")
    assert "\rMSA|AR|MSG0001|no such patient \\F\\ here\rERR|||207^Application internal error^HL70357|E||||" in refused


def test_a_resend_is_found_by_the_index_not_by_reading_every_message(sqlite_url: str) -> None:
    """Asked with bound parameters, SQLite could not see that the partial index applies, and read the whole table
    for each message: the listener slowed as the feed grew."""
    from data.events.receive import _taken_query
    from tests.conftest import migrated_engine

    engine = migrated_engine(sqlite_url)
    asked = _taken_query(2).params(sender_0="LAB^RWG", control_ids_0=["MSG0003"], sender_1="PAS^RWG",
                                   control_ids_1=["MSG0001", "MSG0002"])
    try:
        with engine.connect() as connection:
            compiled = asked.compile(connection, compile_kwargs={"literal_binds": True})
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    finally:
        engine.dispose()
    searches = [str(step) for step in plan if "hl7_message" in str(step)]
    assert len(searches) == 2 and all("uq_hl7_message_first" in step for step in searches), plan


def test_a_round_audits_what_it_changed_of_each_person(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """The listener's group commit writes people at the round's end: each one's change is audited all the same."""
    from tests.data.feed import receive_all
    from tests.data.demo_fixtures import patient

    margaret = patient(demo_engine, "Margaret", "Thompson")
    pid = f"PID|1||{margaret.hospital_number}^^^RWG^MR||THOMPSON^MARGARET||19600101|F"
    receipts = receive_all(demo_engine, [(person_message("A31", "R1", pid), "one"),
                                         (person_message("A28", "R2", "PID|1||RWG7000002^^^RWG^MR||NEW^NED||19900101"),
                                          "two")])
    assert [r.outcome for r in receipts] == [Outcome.ACCEPTED, Outcome.ACCEPTED]
    changes = feed_audit(demo_engine)
    assert sorted((who, action) for who, _, action, _ in changes) == [("hl7:PAS^RWG", "feed_person_added"),
                                                                     ("hl7:PAS^RWG", "feed_person_changed")]
    [changed] = [c for c in changes if c[2] == "feed_person_changed"]
    assert changed[1] == margaret.id and changed[3].endswith("date of birth: 1959-10-15 → 1960-01-01")


def test_a_round_sees_its_own_changes(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """In one group commit, a patient added by one message is the one the next updates, and a resend of a message
    earlier in the same round is a repeat of it — as if each had been committed alone."""
    from tests.data.feed import receive_all
    from data.models import PatientRow

    added = person_message("A28", "R1", "PID|1||RWG7100001^^^RWG^MR||NEWMAN^NORA||19900101|F|||^^^^AL1 3HD")
    moved = person_message("A08", "R2", "PID|1||RWG7100001^^^RWG^MR||NEWMAN^NORA||19900101|F|||^^^^WD18 0HB")
    receipts = receive_all(demo_engine, [(added, "one"), (moved, "two"), (added, "one again")])
    assert [(r.outcome, r.reason.split(" (")[0]) for r in receipts] == [
        (Outcome.ACCEPTED, "patient added"), (Outcome.ACCEPTED, "patient updated"),
        (Outcome.DUPLICATE, "received before: acknowledged again, nothing changed")]
    with Session(demo_engine) as session:
        nora = session.scalars(select(PatientRow).where(PatientRow.hospital_number == "RWG7100001")).one()
        assert nora.postcode == "WD18 0HB" and nora.letter_preference == "paper"


def test_a_change_the_database_refuses_is_refused_alone(engine) -> None:  # type: ignore[no-untyped-def]
    """A person's row is written without a savepoint of its own; should the database refuse it (here: no trust set
    up for the patient to belong to), the round is taken again one message at a time, that one refused with the
    database's reason and every message stored."""
    from tests.data.feed import receive_all

    added = person_message("A28", "R3", "PID|1||RWG7100002^^^RWG^MR||NEWMAN^NED||19900101|M")
    receipts = receive_all(engine, [(A02, "one"), (added, "two"), (A02.replace("MSG0001", "MSG0002"), "three")])
    assert [r.outcome for r in receipts] == [Outcome.IGNORED, Outcome.REFUSED, Outcome.IGNORED]
    assert receipts[1].reason.startswith("the database refused the change")
    assert rows(engine) == [("ignored", "MSG0001", "ADT^A02"), ("refused", "R3", "ADT^A28"),
                            ("ignored", "MSG0002", "ADT^A02")]


def test_a_patient_is_found_by_the_indexes_not_by_reading_every_patient(engine) -> None:  # type: ignore[no-untyped-def]
    """Each message looks its patient up by NHS number and hospital number — or a number merged into another
    record. Asked with OR, PostgreSQL read the whole patient table for every message (a trust has hundreds of
    thousands); each lookup is now an index search, for one message and for a whole round, on both databases."""
    from data.events.adt import _FINDING

    asked = [_FINDING.params(nhs=[], numbers=["RWG1000001"]),
             _FINDING.params(nhs=["9990000018"], numbers=["RWG1000001", "RWG1000002"])]
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        if postgres:
            connection.exec_driver_sql("SET enable_seqscan = off")  # on an empty table a scan is as good
        for query in asked:
            compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
            plan = " / ".join(str(step) for step in connection.exec_driver_sql(
                f"{'EXPLAIN' if postgres else 'EXPLAIN QUERY PLAN'} {compiled}").all())
            assert "Seq Scan" not in plan and "SCAN patient" not in plan, plan
            assert plan.count("uq_hospital_number_value" if postgres else "sqlite_autoindex_hospital_number_1") >= 1, \
                plan


def test_a_message_never_changes_a_patient_through_another_trusts_hospital_number(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """The wrong-patient hazard: a Royal Free message for its own patient whose hospital number has the same
    digits as a West Herts patient's changed the West Herts patient's name, date of birth, postcode and mobile.
    A hospital number is matched among the sending trust's own patients only — alone, and in a round."""
    from tests.data.feed import receive_all
    from data.models import PatientRow
    from tests.data.demo_fixtures import patient

    margaret = patient(demo_engine, "Margaret", "Thompson")
    stranger = (f"PID|1||{margaret.hospital_number}^^^RAL^MR||STRANGER^SAM||19800101|M|||"
                "9 Other Road^^London^^NW3 2QG||07700 900999^PRN^CP")
    royal_free = [person_message(event, f"RF{event}", stranger).replace("|PAS|RWG|", "|CERNER|RAL|")
                  for event in ("A08", "A31", "A01")]
    alone = [receive(demo_engine, message, "test", allow_drama=True) for message in royal_free]
    together = receive_all(demo_engine, [(m.replace("|RF", "|RG"), "round") for m in royal_free[:2]],
                           allow_drama=True)
    # The Royal Free's patient is the Royal Free's: added under its number there, then updated — never Margaret.
    assert [r.reason.split(";")[0] for r in alone + together] == [
        f"patient added ({margaret.hospital_number} at RAL)"] + [
        f"patient updated ({margaret.hospital_number} at RAL)"] * 4, [r.reason for r in alone + together]
    with Session(demo_engine) as session:
        row = session.get(PatientRow, margaret.id)
        assert (row.family_name, row.date_of_birth, row.postcode, row.mobile) == (
            margaret.family_name, margaret.date_of_birth, margaret.postcode, margaret.mobile)
        sam = session.scalars(select(PatientRow).where(PatientRow.family_name == "STRANGER")).one()
        assert (sam.trust_code, sam.hospital_number) == ("RAL", margaret.hospital_number) and sam.id != margaret.id
    assert [c for c in feed_audit(demo_engine) if c[1] == margaret.id] == []
    # The desk's search by that number finds both, each naming its trust.
    from sqlalchemy.orm import sessionmaker

    from data.uow import SqlUnitOfWork

    with SqlUnitOfWork(sessionmaker(demo_engine)) as uow:
        found = uow.patients.by_hospital_number(margaret.hospital_number)
    assert sorted((trust.value, p.family_name) for trust, p in found) == [("RAL", "STRANGER"), ("RWG", "Thompson")]


def test_an_nhs_number_naming_another_person_is_an_identity_conflict_kept_for_a_person(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """Margaret's NHS number on a message about someone else by name and date of birth (a mistyped number at the
    PAS): refused with the reason, kept among the refused messages for a person to resolve, never applied."""
    from data.models import PatientRow
    from tests.data.demo_fixtures import patient

    margaret = patient(demo_engine, "Margaret", "Thompson")
    wrong = receive(demo_engine, person_message("A31", "IC1", (
        f"PID|1||RWG7100001^^^RWG^MR~{margaret.nhs_number}^^^NHS^NH||STRANGER^SAM||19800101|M|||"
        "9 Other Road^^London^^NW3 2QG||07700 900999^PRN^CP")), "test", allow_drama=True)
    assert wrong.outcome is Outcome.REFUSED and wrong.reason.startswith("identity conflict"), wrong.reason
    assert "MSA|AR|IC1|identity conflict" in wrong.ack
    assert ("refused", "IC1", "ADT^A31") in rows(demo_engine)  # kept: `hl7 list --status refused`
    with Session(demo_engine) as session:
        row = session.get(PatientRow, margaret.id)
        assert (row.family_name, row.date_of_birth, row.mobile) == (margaret.family_name, margaret.date_of_birth,
                                                                     margaret.mobile)


def test_refusals_say_what_is_wrong_in_words() -> None:
    """An unreadable frame is described, never by a Python exception's text; an NHS number whose check digit is
    right but whose range is not England's, Wales's or the Isle of Man's says so — not "check digit"."""
    from data.events.receive import _read
    from domain.events.person import NotUsable, person
    from data.events.adt import read_pid

    said = [_read(raw, "t").unreadable for raw in ("", "hello", "MSH|", "MSH|^~\\&|A|B")]
    assert said == ["cannot be read as HL7 v2: the frame is empty",
                    "cannot be read as HL7 v2: it does not start with an MSH segment (it starts 'hello')",
                    "cannot be read as HL7 v2: its MSH segment is cut short: no field separator and encoding "
                    "characters (MSH-1, MSH-2)",
                    "cannot be read as HL7 v2: its MSH segment stops before MSH-12 (the version): a header needs "
                    "MSH-1 to MSH-12"]
    assert not any("index" in s or "Error" in s for s in said)
    for number, words in (("9990000019", "fails its check digit"), ("3002999903", "not a date of birth")):
        with pytest.raises(NotUsable, match=words):
            person(read_pid(person_message("A31", "N1", f"PID|1||X1^^^RWG^MR~{number}^^^NHS^NH||A^B||19900101")))
