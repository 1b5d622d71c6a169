"""The PAS's bookings (SIU S12–S15, S26), merges (A40) and visits (A04/A01/A03) on the real databases, with
UK-shaped messages built here: each change made in the transaction that stores the message, the patient texted
as a change at the desk would text them, and what cannot be used safely refused with nothing half-written."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.data.feed import receive
from data.models import (
    AppointmentRow,
    AuditEventRow,
    PatientAccountRow,
    PatientRow,
    SlotRow,
    SmsMessageRow,
    VisitRow,
)
from domain.events.attendance import FeedRules
from domain.events.feed import Outcome

RULES = FeedRules(portal_url="https://portal.example.nhs.uk", allow_drama=True)
EVENING = lambda: datetime(2026, 11, 23, 22, 15, tzinfo=UTC)  # noqa: E731
NOON = lambda: datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # noqa: E731
NEWCOMER = "PID|1||RWG9100001^^^RWG^MR~9999900003^^^NHS^NH||BOOKER^BELLA||19750505|F|||||07700 900911^PRN^CP"


def siu(event: str, control: str, filler: str, pid: str = NEWCOMER, *, starts: str = "202612020900",
        clinic: str = "CARD", clinician: str = "C1001", kind: str = "NEW", reason: str = "",
        zap: str = "") -> str:
    return (f"MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124221500||SIU^{event}^SIU_S12|{control}|P|2.5\r"
            f"SCH|{'P' + filler if filler else ''}|{filler}||||^{reason}||{kind}|20|MIN|^^20^{starts}\r{pid}\rPV1|1|O\r"
            f"RGS|1\rAIS|1||{clinic}^Cardiology|{starts}\rAIP|1||{clinician}^OKAFOR^AMARA\r"
            + (f"ZAP|{zap}\r" if zap else ""))


def appointment(engine, reference_or_id):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        column = AppointmentRow.id if isinstance(reference_or_id, int) else AppointmentRow.reference
        row = session.scalars(select(AppointmentRow).where(column == reference_or_id)).one()
        session.expunge(row)
        return row


def newest_for(engine, hospital_number: str) -> AppointmentRow:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        row = session.scalars(select(AppointmentRow).join(PatientRow).where(
            PatientRow.hospital_number == hospital_number).order_by(AppointmentRow.id.desc())).first()
        session.expunge(row)
        return row


def texts(engine, number: str) -> list[SmsMessageRow]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        found = session.scalars(select(SmsMessageRow).where(SmsMessageRow.to_number == number)
                                .order_by(SmsMessageRow.created_at, SmsMessageRow.id)).all()
        session.expunge_all()
        return list(found)


def test_a_booking_from_the_pas_moved_changed_and_cancelled(demo_engine) -> None:  # type: ignore[no-untyped-def]
    booked = receive(demo_engine, siu("S12", "B1", "PAS100"), "test", EVENING, rules=RULES)
    assert booked.outcome is Outcome.ACCEPTED and "patient added" in booked.reason, booked.reason
    assert booked.invited and "registration invitation queued" in booked.reason
    first = newest_for(demo_engine, "RWG9100001")
    assert (first.status, first.kind, first.starts_at.isoformat()) == (
        "booked", "outpatient_new", "2026-12-02T09:00:00+00:00")
    with Session(demo_engine) as session:
        slot = session.get(SlotRow, first.slot_id)
        assert slot.starts_at == first.starts_at  # the demo's own slot: no one else is offered it now
    sent = texts(demo_engine, "+447700900911")
    assert sorted(t.template for t in sent) == ["booking_confirmation", "registration_invitation"]
    sent.sort(key=lambda t: t.template)
    assert all(t.send_after.hour == 8 for t in sent)  # 22:15: quiet hours
    assert "Cardiology" not in sent[0].body and "A letter follows" in sent[0].body

    again = receive(demo_engine, siu("S12", "B2", "PAS100"), "test", EVENING, rules=RULES)
    assert again.outcome is Outcome.REFUSED and "booked already" in again.reason

    changed = receive(demo_engine, siu("S14", "B3", "PAS100", zap="Y|^Polish"), "test", NOON, rules=RULES)
    assert changed.outcome is Outcome.ACCEPTED and "updated" in changed.reason, changed.reason
    same = appointment(demo_engine, first.id)
    assert (same.transport_booked, same.interpreter_language, same.status) == (True, "Polish", "booked")
    assert len(texts(demo_engine, "+447700900911")) == 2  # a change of arrangements is not texted

    moved = receive(demo_engine, siu("S13", "B4", "PAS100", starts="202612091000", zap="Y|^Polish",
                                     reason="Consultant on leave"), "test", NOON, rules=RULES)
    assert moved.outcome is Outcome.ACCEPTED and "moved to" in moved.reason, moved.reason
    new = newest_for(demo_engine, "RWG9100001")
    old = appointment(demo_engine, first.id)
    assert (old.status, old.rescheduled_to_id, new.rescheduled_from_id) == ("rescheduled", new.id, old.id)
    assert new.times_rescheduled == 0  # the hospital's move is not one of the patient's changes
    assert new.starts_at.isoformat() == "2026-12-09T10:00:00+00:00" and new.interpreter_language == "Polish"
    assert [t.template for t in texts(demo_engine, "+447700900911")].count("reschedule_confirmation") == 1

    cancelled = receive(demo_engine, siu("S15", "B5", "PAS100", reason="Clinic cancelled"), "test", NOON,
                        rules=RULES)
    assert cancelled.outcome is Outcome.ACCEPTED, cancelled.reason
    gone = appointment(demo_engine, new.id)
    assert (gone.status, gone.cancelled_by, gone.cancellation_reason) == (
        "cancelled_by_hospital", "hospital", "Clinic cancelled")
    last = [t for t in texts(demo_engine, "+447700900911") if t.template == "cancellation_confirmation"]
    assert len(last) == 1 and "We will contact you with a new date" in last[0].body
    twice = receive(demo_engine, siu("S15", "B6", "PAS100"), "test", NOON, rules=RULES)
    assert twice.outcome is Outcome.ACCEPTED and "cancelled already" in twice.reason
    late = receive(demo_engine, siu("S13", "B7", "PAS100", starts="202612161000"), "test", NOON, rules=RULES)
    assert late.outcome is Outcome.REFUSED and "cannot be changed" in late.reason
    with Session(demo_engine) as session:
        actions = session.scalars(select(AuditEventRow.action).where(AuditEventRow.actor_kind == "system")
                                  .order_by(AuditEventRow.id)).all()
    assert actions == ["feed_person_added", "hospital_booking", "hospital_change", "hospital_reschedule",
                       "hospital_cancellation"]  # the person the first SIU added, then what each did


def test_what_cannot_be_used_safely_is_refused_and_nothing_is_half_written(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(demo_engine) as session:
        held = session.scalars(select(AppointmentRow).where(AppointmentRow.status == "booked",
                                                            AppointmentRow.slot_id.is_not(None))).first()
        slot = session.get(SlotRow, held.slot_id)
        from data.models import ClinicianRow, ClinicRow

        code = session.get(ClinicianRow, slot.clinician_id).code
        clinic = session.get(ClinicRow, slot.clinic_id).code
    at = slot.starts_at.strftime("%Y%m%d%H%M") + "+0000"
    clash = receive(demo_engine, siu("S12", "C1", "PAS200", starts=at, clinic=clinic, clinician=code), "test", NOON,
                    rules=RULES)
    assert clash.outcome is Outcome.REFUSED and f"held by appointment {held.reference}" in clash.reason
    with Session(demo_engine) as session:  # the new patient its PID named was not left behind either
        assert session.scalars(select(PatientRow).where(PatientRow.hospital_number == "RWG9100001")).first() is None
    for message, words in [
        (siu("S12", "C2", "PAS201", clinic="NOPE"), "no clinic in the reference data matches the message (AIS-3 'NOPE'"),
        (siu("S12", "C3", "PAS202", clinician="X999"), "clinician X999 (AIP-3) is not in the reference data"),
        (siu("S12", "C5", "PAS204", starts="20261302"), "cannot be read"),
        (siu("S12", "C7", ""), "gives no appointment number"),
    ]:
        receipt = receive(demo_engine, message, "test", NOON, rules=RULES)
        assert receipt.outcome is Outcome.REFUSED and words in receipt.reason, (words, receipt.reason)
        assert "MSA|AR|" in receipt.ack
    # A cancellation of a booking made before the feed began: ignored with that reason, acknowledged.
    before = receive(demo_engine, siu("S15", "C6", "PAS999"), "test", NOON, rules=RULES)
    assert before.outcome is Outcome.IGNORED and "was never received" in before.reason and "MSA|AA|" in before.ack


def test_did_not_attend(demo_engine) -> None:  # type: ignore[no-untyped-def]
    receive(demo_engine, siu("S12", "D1", "PAS300", starts="202611251000", clinician="C1002"), "test", NOON,
            rules=RULES)
    missed = receive(demo_engine, siu("S26", "D2", "PAS300"), "test", lambda: datetime(2026, 11, 25, 17, tzinfo=UTC),
                     rules=RULES)
    assert missed.outcome is Outcome.ACCEPTED and "not attended" in missed.reason, missed.reason
    assert newest_for(demo_engine, "RWG9100001").status == "did_not_attend"


def test_a_merge_keeps_everything_and_the_account_on_the_surviving_record(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """A40: the record merged away brings its appointments, texts and portal account to the survivor; a later
    message naming the old hospital number still finds them; the merge is audited."""
    with Session(demo_engine) as session:
        registered = session.scalars(select(PatientRow).join(PatientAccountRow)).first()
        gone_id, gone_number, nhs = registered.id, registered.hospital_number, registered.nhs_number
        given, family, born = registered.given_name, registered.family_name, registered.date_of_birth
        owned = session.scalar(select(func.count()).select_from(AppointmentRow)
                               .where(AppointmentRow.patient_id == gone_id))
        session.add(AuditEventRow(at=datetime(2026, 11, 20, 10, tzinfo=UTC), actor_kind="staff",
                                  actor_id="clerk.demo", actor_role="appointments_clerk", patient_id=gone_id,
                                  action="staff_open", outcome="success", detail="On the phone", terminal="desk 1"))
        session.commit()  # a look at the record merged away: the audit trail will not let it be rewritten
    # The survivor: a second record the PAS made for the same person, without the NHS number.
    receive(demo_engine, "MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124120000||ADT^A28|M0|P|2.4\r"
            f"PID|1||RWG9200001^^^RWG^MR||{family}^{given}||{born:%Y%m%d}\r", "test", NOON, rules=RULES)
    merged = receive(demo_engine, "MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124120100||ADT^A40^ADT_A39|M1|P|2.4\r"
                     f"EVN|A40|20261124120100\rPID|1||RWG9200001^^^RWG^MR~{nhs}^^^NHS^NH||{family}^{given}||"
                     f"{born:%Y%m%d}\rMRG|{gone_number}^^^RWG^MR\r", "test", NOON, rules=RULES)
    assert merged.outcome is Outcome.ACCEPTED and "merged into RWG9200001" in merged.reason, merged.reason
    assert "portal account moved" in merged.reason
    with Session(demo_engine) as session:
        survivor = session.scalars(select(PatientRow).where(PatientRow.hospital_number == "RWG9200001")).one()
        assert survivor.nhs_number == nhs and session.get(PatientRow, gone_id) is None
        assert session.get(PatientAccountRow, survivor.id) is not None
        assert session.scalar(select(func.count()).select_from(AppointmentRow)
                              .where(AppointmentRow.patient_id == survivor.id)) == owned
        audit = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "merge_patients")).one()
        assert audit.patient_id == survivor.id and gone_number in audit.detail
        look = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "staff_open")).one()
        assert look.patient_id == gone_id  # history as it was written
        from data.repositories import SqlAuditLog

        looks = SqlAuditLog(session).staff_looks(survivor.id, datetime(2026, 1, 1, tzinfo=UTC))
        assert [e.detail for e in looks] == ["On the phone"]  # and the survivor's "who has looked" still shows it
    later = receive(demo_engine, "MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124120200||ADT^A08|M2|P|2.4\r"
                    f"PID|1||{gone_number}^^^RWG^MR||{family}^{given}||{born:%Y%m%d}|||||||07700 900777^PRN^CP\r",
                    "test", NOON, rules=RULES)
    assert later.outcome is Outcome.ACCEPTED and "RWG9200001" in later.reason, later.reason
    again = receive(demo_engine, merged_again := "MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124120300||ADT^A40|M3|P|2.4\r"
                    f"PID|1||RWG9200001^^^RWG^MR||{family}^{given}||{born:%Y%m%d}\rMRG|{gone_number}^^^RWG^MR\r",
                    "test", NOON, rules=RULES)
    assert merged_again and again.outcome is Outcome.ACCEPTED and "nothing to merge" in again.reason
    orphan = receive(demo_engine, "MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124120400||ADT^A40|M4|P|2.4\r"
                     "PID|1||RWG9299999^^^RWG^MR||NO^ONE||19700101\rMRG|RWG9200001^^^RWG^MR\r", "test", NOON,
                     rules=RULES)
    assert orphan.outcome is Outcome.REFUSED and "identity conflict" in orphan.reason, orphan.reason


def pv1(patient_class: str, location: str, visit: str, admitted: str, discharged: str = "") -> str:
    fields = ["PV1", "1", patient_class, location] + [""] * 46
    fields[19], fields[44], fields[45] = visit, admitted, discharged
    return "|".join(fields).rstrip("|")


def test_an_emergency_attendance_is_kept_as_a_visit_and_ended_by_the_discharge(demo_engine) -> None:  # type: ignore[no-untyped-def]
    pid = "PID|1||RWG9300001^^^RWG^MR||CASUALTY^CARL||19800303|M"
    came = receive(demo_engine, "MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124101500||ADT^A04|E1|P|2.4\r"
                   f"EVN|A04|20261124101500\r{pid}\r{pv1('E', 'WGH-ED^^^RWG', 'V77001', '202611241015')}\r", "test", NOON, rules=RULES)
    assert came.outcome is Outcome.ACCEPTED and "visit V77001 kept" in came.reason, came.reason
    assert "no UK mobile" in came.reason  # an ED attendance (reference data: WGH-ED is an ED), but no mobile
    left = receive(demo_engine, "MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124160000||ADT^A03|E2|P|2.4\r"
                   f"EVN|A03|20261124160000\r{pid}\r{pv1('E', 'WGH-ED^^^RWG', 'V77001', '202611241015', '202611241600')}\r", "test", NOON, rules=RULES)
    assert left.outcome is Outcome.ACCEPTED and "visit V77001 ended" in left.reason, left.reason
    with Session(demo_engine) as session:
        visit = session.scalars(select(VisitRow).join(PatientRow).where(
            PatientRow.hospital_number == "RWG9300001")).one()
        assert (visit.kind, visit.status, visit.place) == ("emergency", "finished",
                                                           "Emergency Department, Watford General Hospital")
        assert (visit.started_at.hour, visit.ended_at.hour) == (10, 16)
