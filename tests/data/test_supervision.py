"""The supervisor's tools on the real databases: who may use which (and the words for those who may not), the
audit trail's filters, its looks audited and shown to system administrators only, the CSV export matching the
filter, and a failed text queued again once however many press at once."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import AuditEventRow, SmsMessageRow
from domain.clock import FixedClock
from domain.errors import AccessDenied, DomainError, InvalidValue, Refused
from domain.identity.session import StaffRole, StaffSession
from domain.staff import desk
from domain.staff import supervision as tools
from domain.staff.supervision import Tool
from tests.conftest import FIXED_NOW
from tests.data.demo_fixtures import patient

CLERK = StaffSession(1, "clerk.demo", StaffRole.APPOINTMENTS_CLERK, FIXED_NOW)
SUPERVISOR = StaffSession(2, "supervisor.demo", StaffRole.APPOINTMENTS_SUPERVISOR, FIXED_NOW)
ADMIN = StaffSession(3, "admin.demo", StaffRole.SYSTEM_ADMIN, FIXED_NOW)


@pytest.mark.parametrize(("session", "allowed"), [
    (CLERK, set()), (SUPERVISOR, {Tool.AUDIT, Tool.TEXTS, Tool.POST_ROOM}), (ADMIN, {Tool.AUDIT, Tool.TEXTS, Tool.STAFF})])
def test_each_tool_is_for_its_roles_and_says_why_to_the_others(session, allowed) -> None:  # type: ignore[no-untyped-def]
    for tool in Tool:
        assert tools.may_use(session, tool) is (tool in allowed)
        if tool not in allowed:
            with pytest.raises(AccessDenied, match=tool.refusal.split(":")[0]):
                tools.require(session, tool)


def test_a_clerk_cannot_search_the_audit_and_an_administrator_cannot_read_a_patients_texts(uow, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AccessDenied, match="for Appointments supervisors and system administrators"):
        tools.audit_page(uow(), clock, CLERK, tools.AuditQuery())
    with pytest.raises(AccessDenied, match="does not act for patients"):
        tools.patient_texts(uow(), clock, ADMIN, 1)


def test_the_filters_narrow_and_every_look_is_audited_for_administrators_only(uow, demo_engine) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(FIXED_NOW)
    margaret = patient(demo_engine, "Margaret", "Thompson")
    desk.open_patient(uow(), clock, CLERK, margaret.id, "patient on the phone")
    clock.advance(24 * 3600)
    desk.open_patient(uow(), clock, SUPERVISOR, margaret.id, "patient at the desk")
    query = tools.parse_audit_query(uow(), patient="999 000 0018", action="staff_open")
    page = tools.audit_page(uow(), clock, SUPERVISOR, query)
    assert {r.event.actor_id for r in page.rows} == {"clerk.demo", "supervisor.demo"}
    assert all(r.event.patient_id == margaret.id and "Margaret Thompson" in r.patient for r in page.rows)
    only_clerk = tools.parse_audit_query(uow(), patient="999 000 0018", staff="clerk.demo")
    assert {r.event.actor_id for r in tools.audit_page(uow(), clock, SUPERVISOR, only_clerk).rows} == {"clerk.demo"}
    today = (FIXED_NOW + timedelta(days=1)).strftime("%d/%m/%Y")
    since_today = tools.parse_audit_query(uow(), patient="999 000 0018", since=today, action="open")
    assert [r.event.actor_id for r in tools.audit_page(uow(), clock, SUPERVISOR, since_today).rows] == ["supervisor.demo"]
    # The supervisor's own searches are in the trail, seen by a system administrator only.
    looks = tools.parse_audit_query(uow(), action="audit_searched")
    assert tools.audit_page(uow(), clock, ADMIN, looks).total >= 3
    assert tools.audit_page(uow(), clock, SUPERVISOR, tools.parse_audit_query(uow(), action="audit")).total == 0
    with Session(demo_engine) as s:
        a_look = s.scalar(select(AuditEventRow.id).where(AuditEventRow.action == "audit_searched"))
    with pytest.raises(Refused, match="no audit entry"):
        tools.audit_entry(uow(), clock, SUPERVISOR, a_look)
    assert tools.audit_entry(uow(), clock, ADMIN, a_look).event.actor_id == "supervisor.demo"


@pytest.mark.parametrize(("field", "typed", "words"), [
    ("patient", "123 456 7890", "not a valid NHS number"), ("patient", "RWG9999999", "No patient has the number"),
    ("since", "31 2 2026", "day, month and year"), ("staff", "Robert'); DROP", "small letters"),
    ("action", "<script>", "part of its name")])
def test_a_filter_typed_wrong_is_told_what_is_wrong(uow, field, typed, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidValue, match=words):
        tools.parse_audit_query(uow(), **{field: typed})
    with pytest.raises(InvalidValue, match="after the To date"):
        tools.parse_audit_query(uow(), since="2 11 2026", until="1 11 2026")


def test_the_csv_holds_every_matching_entry_and_no_formula(uow, demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    margaret = patient(demo_engine, "Margaret", "Thompson")
    for _ in range(3):
        desk.open_patient(uow(), clock, CLERK, margaret.id, "=HYPERLINK(\"http://evil\")")
    query = tools.parse_audit_query(uow(), patient="9990000018", action="staff_open")
    page = tools.audit_page(uow(), clock, SUPERVISOR, query)
    text, rows = tools.audit_csv(uow(), clock, SUPERVISOR, query)
    read = list(csv.DictReader(io.StringIO(text)))
    assert rows == len(read) == page.total == 3
    assert [int(r["id"]) for r in read] == [r.event.id for r in page.rows]
    assert all(r["patient_id"] == str(margaret.id) for r in read)
    assert all(not r["detail"].startswith("=") for r in read)
    with Session(demo_engine) as s:
        assert s.scalar(select(func.count()).where(AuditEventRow.action == "audit_exported")) == 1


def _failed_text(engine, template: str = "booking_confirmation") -> str:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        s.add(SmsMessageRow(id=f"t-{template}", to_number="+447700900123", template=template,
                            body="Your appointment is booked. Code 123456" if template == "one_time_code" else
                            "Your appointment is booked.", status="failed", created_at=FIXED_NOW,
                            send_after=FIXED_NOW, attempts=5, last_error="permanent: the number is not a mobile"))
        s.commit()
    return f"t-{template}"


def test_a_failed_text_is_queued_again_once_and_a_code_never(uow, demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    message = _failed_text(demo_engine)
    code = _failed_text(demo_engine, "one_time_code")
    box = tools.outbox(uow(), clock, SUPERVISOR, tools.SmsStatus.FAILED)
    shown = {t.id: t for t in box.texts}
    assert shown[code].body.endswith("******") and not shown[code].retryable  # a code is never on a screen
    assert shown[message].masked_to.endswith("123") and "7700" not in shown[message].masked_to
    with pytest.raises(Refused, match="not sent again"):
        tools.retry_text(uow(), clock, SUPERVISOR, code)
    outcomes: list[str] = []

    def press() -> None:
        try:
            tools.retry_text(uow(), clock, ADMIN, message)
            outcomes.append("queued")
        except DomainError as error:
            outcomes.append(str(error))

    workers = [threading.Thread(target=press) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert outcomes.count("queued") == 1, outcomes
    with Session(demo_engine) as s:
        assert s.get(SmsMessageRow, message).status == "queued"
        assert s.scalar(select(func.count()).where(AuditEventRow.action == "sms_retried")) == 1
    with pytest.raises(AccessDenied):
        tools.retry_text(uow(), clock, CLERK, message)
