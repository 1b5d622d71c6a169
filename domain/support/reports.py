"""Report a technical problem, and get a reply. A report keeps what the person wrote and what the program
captured about where it happened — the screen, the terminal's size, the version, the place, the error's
reference — and never any patient data: the capture is made from the program's own names, not from what a
page shows. It is saved (with its reference, `PR-` and six characters) before anything is sent; a staff member's
reply goes by text to the number the person chose, and is shown at the kiosk (on Home when signed in, or by
its reference). Two staff replying at once both reach the person, in the order they were saved: a reply is a
message to a person, and losing one would lose what its author said."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from domain.audit import AuditEvent, Outcome
from domain.errors import AccessDenied, InvalidValue, NotFound, Refused
from domain.identifiers import UkMobile
from domain.identity.session import PatientSession, StaffSession
from domain.limits import first_refusal, within
from domain.messaging.model import SmsMessage, SmsStatus, SmsTemplate
from domain.messaging.sms import outside_quiet_hours
from domain.messaging.wording import problem_reply_sms
from domain.ports import Clock, UnitOfWork
from domain.text import clean_text
from domain.language import _

TRIED_LIMIT = 500
HAPPENED_LIMIT = 1000
REPLY_LIMIT = 400
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class ReportStatus(StrEnum):
    NEW = "new"
    WAITING = "waiting"
    """Staff are looking into it, or wait for something."""
    ANSWERED = "answered"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"new": "New", "waiting": "Waiting", "answered": "Answered", "closed": "Closed"}[self.value]


class ReplyBy(StrEnum):
    RECORD_MOBILE = "record_mobile"
    TYPED_MOBILE = "typed_mobile"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Captured:
    """What the program knows about where the problem happened: its own names only."""

    screen: str
    terminal_size: str
    version: str
    place: str
    """kiosk or desk."""
    error_reference: str | None = None

    def lines(self) -> list[tuple[str, str]]:
        rows = [("Page", self.screen), ("Screen size", self.terminal_size), ("Version", self.version),
                ("Place", self.place)]
        return rows + ([("Error reference", self.error_reference)] if self.error_reference else [])


@dataclass(frozen=True, slots=True)
class Reply:
    at: datetime
    by: str
    """The staff member's display name as the person sees it ("the Appointments team" outside the desk)."""
    body: str


@dataclass(frozen=True, slots=True)
class ProblemReport:
    id: int
    reference: str
    created_at: datetime
    tried: str
    happened: str
    captured: Captured
    reply_to: str | None
    """The mobile (E.164) a reply goes to; None for "no reply needed"."""
    patient_id: int | None
    status: ReportStatus
    terminal: str
    replies: tuple[Reply, ...] = field(default_factory=tuple)
    reply_seen_at: datetime | None = None

    @property
    def masked_mobile(self) -> str | None:
        return f"a mobile ending {self.reply_to[-3:]}" if self.reply_to else None


@dataclass(frozen=True, slots=True)
class Submitted:
    reference: str
    reply_to: str | None


def submit(uow: UnitOfWork, clock: Clock, *, tried: str, happened: str, reply_by: ReplyBy, typed_mobile: str,
           captured: Captured, session: PatientSession | None, terminal: str,
           allow_drama: bool = False) -> Submitted:
    """Save the report; InvalidValue names the field to put right, Refused a limit reached."""
    tried_text = clean_text(tried).strip()[:TRIED_LIMIT]
    happened_text = clean_text(happened).strip()[:HAPPENED_LIMIT]
    if not tried_text:
        raise InvalidValue(_("Say what you were trying to do."))
    if not happened_text:
        raise InvalidValue(_("Say what happened."))
    now = clock.now()
    with uow:
        reply_to: str | None = None
        if reply_by is ReplyBy.RECORD_MOBILE:
            if session is None:
                raise InvalidValue(_("Sign in to have the reply sent to the mobile on your record, or type a mobile."))
            patient = uow.patients.get(session.patient_id)
            if patient is None or patient.mobile is None:
                raise InvalidValue(_("We have no mobile on your record: type one, or choose no reply."))
            reply_to = patient.mobile.e164
        elif reply_by is ReplyBy.TYPED_MOBILE:
            reply_to = UkMobile.parse(typed_mobile, allow_drama=allow_drama).e164
        rules = uow.limits.rules
        at_terminal = uow.limits.subject("terminal", terminal)
        subjects = [at_terminal]
        if session is not None:
            subjects.append(uow.limits.subject("patient", str(session.patient_id)))
        uow.limits.hold(*subjects)
        decision = first_refusal(
            within(rules.reports_per_terminal, uow.limits.times(rules.reports_per_terminal.name, at_terminal), now),
            *([within(rules.reports_per_patient, uow.limits.times(rules.reports_per_patient.name, subjects[1]),
                      now)] if session is not None else []))
        if not decision:
            raise Refused(_("Several problems have been reported here in a short time, so we cannot take another "
                          "just now. Please try again later, or ask at the reception desk."))
        reference = new_reference()
        uow.support.add(ProblemReport(0, reference, now, tried_text, happened_text, captured, reply_to,
                                      session.patient_id if session else None, ReportStatus.NEW, terminal[:80]))
        uow.limits.add(rules.reports_per_terminal.name, at_terminal, now)
        if session is not None:
            uow.limits.add(rules.reports_per_patient.name, subjects[1], now)
            _audit(uow, session.audit_identity, now, "problem_report", session.patient_id, reference)
        uow.commit()
    return Submitted(reference, reply_to)


def inbox(uow: UnitOfWork, clock: Clock, staff: StaffSession, status: ReportStatus | None) -> list[ProblemReport]:
    """Oldest first: the one waiting longest is answered first. The look is audited."""
    _staff_only(staff)
    with uow:
        found = uow.support.list(status)
        _audit(uow, staff.audit_identity, clock.now(), "support_inbox_viewed", None,
               f"{status.value if status else 'all'}: {len(found)} reports")
        uow.commit()
        return found


def open_report(uow: UnitOfWork, clock: Clock, staff: StaffSession, reference: str) -> ProblemReport:
    _staff_only(staff)
    with uow:
        report = uow.support.get(_normal(reference))
        if report is None:
            raise NotFound(f"There is no problem report {reference}.")
        _audit(uow, staff.audit_identity, clock.now(), "support_report_opened", report.patient_id, report.reference)
        uow.commit()
        return report


def _staff_only(staff: object) -> None:
    """The inbox is the desk's: a member of staff, never anyone else (a forged or missing session included)."""
    if not isinstance(staff, StaffSession):
        raise AccessDenied("The support inbox is for staff signed in at a desk.")


def reply(uow: UnitOfWork, clock: Clock, staff: StaffSession, reference: str, body: str) -> ProblemReport:
    """Save the reply, mark the report answered, and queue its text (when the person asked for one)."""
    text = " ".join(clean_text(body).split())[:REPLY_LIMIT]
    if not text:
        raise InvalidValue(_("Write the reply first."))
    now = clock.now()
    with uow:
        report = uow.support.lock(_normal(reference))
        if report is None:
            raise NotFound(f"There is no problem report {reference}.")
        uow.support.add_reply(report.id, Reply(now, staff.username, text))
        uow.support.set_status(report.id, ReportStatus.ANSWERED, now, seen=False)
        if report.reply_to is not None:
            uow.outbox.add(SmsMessage(
                id=secrets.token_hex(16), to_number=report.reply_to, template=SmsTemplate.PROBLEM_REPLY,
                body=problem_reply_sms(report.reference, text), status=SmsStatus.QUEUED, created_at=now,
                send_after=outside_quiet_hours(now), patient_id=report.patient_id))
        _audit(uow, staff.audit_identity, now, "problem_reply", report.patient_id,
               f"{report.reference}: replied" + (" by text" if report.reply_to else " (no text asked for)"))
        uow.commit()
        found = uow.support.get(report.reference)
    assert found is not None
    return found


def set_status(uow: UnitOfWork, clock: Clock, staff: StaffSession, reference: str,
               status: ReportStatus) -> ProblemReport:
    now = clock.now()
    with uow:
        report = uow.support.lock(_normal(reference))
        if report is None:
            raise NotFound(f"There is no problem report {reference}.")
        uow.support.set_status(report.id, status, now, seen=None)
        _audit(uow, staff.audit_identity, now, "problem_status", report.patient_id,
               f"{report.reference}: {report.status.value} -> {status.value}")
        uow.commit()
        return replace(report, status=status)


def replies_for_reference(uow: UnitOfWork, clock: Clock, reference: str, terminal: str) -> ProblemReport:
    """A signed-out person reads the replies by the reference on their confirmation; wrong guesses are
    counted like wrong identities at this terminal."""
    now = clock.now()
    with uow:
        rules = uow.limits.rules
        subject = uow.limits.subject("terminal", terminal)
        limit = rules.identity_failures_per_terminal
        if not within(limit, uow.limits.times(limit.name, subject), now):
            raise Refused(_("Too many references were tried here. Please ask at the reception desk."))
        report = uow.support.get(_normal(reference))
        if report is None:
            uow.limits.add(limit.name, subject, now)
            uow.commit()
            raise NotFound(_("We could not find that reference. Check it against your confirmation: it starts "
                           "with PR-."))
        if report.replies:
            uow.support.set_status(report.id, report.status, now, seen=True)
            uow.commit()
        return report


def unread_reply(uow: UnitOfWork, clock: Clock, session: PatientSession) -> ProblemReport | None:
    """A signed-in patient's report with a reply not yet seen (Home says "You have a reply")."""
    with uow:
        return uow.support.unread_for_patient(session.patient_id)


def mark_seen(uow: UnitOfWork, clock: Clock, session: PatientSession, reference: str) -> None:
    with uow:
        report = uow.support.get(_normal(reference))
        if report is not None and report.patient_id == session.patient_id:
            uow.support.set_status(report.id, report.status, clock.now(), seen=True)
            uow.commit()


def new_reference() -> str:
    return "PR-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def _normal(reference: str) -> str:
    text = "".join(reference.upper().split()).replace("PR", "PR-", 1).replace("--", "-")
    return text if text.startswith("PR-") else f"PR-{text}"


def _audit(uow: UnitOfWork, identity: tuple[str, str, str | None], now: datetime, action: str,
           patient_id: int | None, detail: str) -> None:
    kind, actor_id, role = identity
    uow.audit.record(AuditEvent(at=now, actor_kind=kind, actor_id=actor_id, actor_role=role, action=action,
                                outcome=Outcome.SUCCESS, patient_id=patient_id, detail=detail))
