"""Problem reports on the real databases: saved before anything is sent, limits per kiosk and per patient,
two staff replying at the same moment both kept, in order, each sent once; and nothing of a patient's record in
what a report captures, on any page a patient can open."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import ProblemReplyRow, ProblemReportRow, SmsMessageRow
from domain.clock import FixedClock
from domain.errors import InvalidValue, Refused
from domain.identity.session import PatientSession, StaffRole, StaffSession
from domain.support import reports
from domain.support.reports import Captured, ReplyBy, ReportStatus
from tests.conftest import FIXED_NOW
from tests.data.demo_fixtures import patient

CAPTURED = Captured("HomeScreen", "100x40", "0.1.0", "kiosk")
ONE = StaffSession(1, "clerk.demo", StaffRole.APPOINTMENTS_CLERK, FIXED_NOW)
TWO = StaffSession(2, "supervisor.demo", StaffRole.APPOINTMENTS_SUPERVISOR, FIXED_NOW)


def _submit(uow, clock, session=None, terminal="kiosk-1", reply_by=ReplyBy.TYPED_MOBILE, mobile="07700 900123"):  # type: ignore[no-untyped-def]
    return reports.submit(uow(), clock, tried="sign in", happened="nothing happened", reply_by=reply_by,
                          typed_mobile=mobile, captured=CAPTURED, session=session, terminal=terminal,
                          allow_drama=True)


def test_limits_per_kiosk_and_per_patient(uow, demo_engine) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(FIXED_NOW)
    for _ in range(3):
        _submit(uow, clock)
    with pytest.raises(Refused, match="cannot take another just now"):
        _submit(uow, clock)
    clock.advance(11 * 60)
    _submit(uow, clock)  # ten minutes on, the kiosk may send again
    margaret = patient(demo_engine, "Margaret", "Thompson")
    session = PatientSession(margaret.id, FIXED_NOW)
    for n in range(5):
        _submit(uow, clock, session, terminal=f"kiosk-{n + 10}", reply_by=ReplyBy.RECORD_MOBILE)
    with pytest.raises(Refused):
        _submit(uow, clock, session, terminal="kiosk-99", reply_by=ReplyBy.RECORD_MOBILE)
    with pytest.raises(InvalidValue):
        _submit(uow, clock, mobile="01923 244366", terminal="kiosk-50")  # a landline cannot take the reply


def test_two_staff_replying_at_once_both_reach_the_person_in_order(uow, demo_engine) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(FIXED_NOW)
    sent = _submit(uow, clock)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def answer(staff: StaffSession, words: str, later: int) -> None:
        try:
            barrier.wait()
            reports.reply(uow(), FixedClock(FIXED_NOW + timedelta(seconds=later)), staff, sent.reference, words)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=answer, args=(ONE, "Please try again now.", 1)),
               threading.Thread(target=answer, args=(TWO, "We have mended it.", 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with Session(demo_engine) as session:
        report = session.scalars(select(ProblemReportRow).where(ProblemReportRow.reference == sent.reference)).one()
        replies = session.scalars(select(ProblemReplyRow.body).where(ProblemReplyRow.report_id == report.id)
                                  .order_by(ProblemReplyRow.at, ProblemReplyRow.id)).all()
        texts = session.scalars(select(SmsMessageRow.body).where(SmsMessageRow.template == "problem_reply")).all()
    assert replies == ["Please try again now.", "We have mended it."] and report.status == ReportStatus.ANSWERED
    assert sorted(texts) == sorted(f"Reply to your problem report {sent.reference}: {r}" for r in replies)


def test_the_inbox_is_staff_only_and_every_look_is_audited(uow, demo_engine) -> None:  # type: ignore[no-untyped-def]
    from data.models import AuditEventRow
    from domain.errors import AccessDenied

    clock = FixedClock(FIXED_NOW)
    sent = _submit(uow, clock)
    for nobody in (None, PatientSession(1, FIXED_NOW)):
        with pytest.raises(AccessDenied):
            reports.inbox(uow(), clock, nobody, None)  # type: ignore[arg-type]
        with pytest.raises(AccessDenied):
            reports.open_report(uow(), clock, nobody, sent.reference)  # type: ignore[arg-type]
    assert [r.reference for r in reports.inbox(uow(), clock, ONE, ReportStatus.NEW)] == [sent.reference]
    assert reports.open_report(uow(), clock, ONE, sent.reference).reference == sent.reference
    with Session(demo_engine) as session:
        looks = session.execute(select(AuditEventRow.action, AuditEventRow.actor_id, AuditEventRow.detail).where(
            AuditEventRow.action.like("support_%")).order_by(AuditEventRow.id)).all()
    assert [tuple(row) for row in looks] == [("support_inbox_viewed", "clerk.demo", "new: 1 reports"),
                                             ("support_report_opened", "clerk.demo", sent.reference)]
