"""The supervisor's tools: the audit trail, the text outbox, and staff accounts — who may use which, and the
use cases behind them. Every look at the audit trail is itself audited; a system administrator sees those
looks, a supervisor does not."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol

from domain.audit import AuditEvent, Outcome
from domain.clock import LONDON
from domain.errors import AccessDenied, InvalidValue, Refused
from domain.formatting import nhs_date
from domain.identifiers import NhsNumber, UkMobile
from domain.identity.session import StaffRole, StaffSession
from domain.messaging.model import SmsMessage, SmsStatus, SmsTemplate
from domain.messaging.wording import redacted
from domain.ports import Clock, PasswordHasher, UnitOfWork
from domain.staff import accounts
from domain.staff.accounts import Enrolment, SecondFactor, SecretBox, StaffAccount
from domain.text import clean_line
from domain.typed import parse_day

AUDIT_PAGE = 200
"""Entries the audit viewer shows at once, newest first; the count says how many match."""

TEXTS_PAGE = 200
"""Texts the outbox view shows at once, newest first."""

LOOKS_AT_THE_AUDIT = "audit_"
"""The actions that record a look at the audit trail itself: shown to system administrators only."""


class Tool(StrEnum):
    """The desk's tools besides acting for a patient, each for the roles that need it."""

    AUDIT = "audit"
    TEXTS = "texts"
    POST_ROOM = "post_room"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return {"audit": "Audit trail", "texts": "Texts", "post_room": "Post room", "staff": "Staff accounts"}[self]

    @property
    def roles(self) -> frozenset[StaffRole]:
        supervisor, admin = StaffRole.APPOINTMENTS_SUPERVISOR, StaffRole.SYSTEM_ADMIN
        return {"audit": frozenset({supervisor, admin}), "texts": frozenset({supervisor, admin}),
                "post_room": frozenset({supervisor}), "staff": frozenset({admin})}[self]

    @property
    def refusal(self) -> str:
        return {
            "audit": "The audit trail is for Appointments supervisors and system administrators: ask your "
                     "supervisor to look for you.",
            "texts": "The text outbox is for Appointments supervisors and system administrators: a patient's own "
                     "texts are on their record.",
            "post_room": "The post room is for Appointments supervisors: it prints patients' letters.",
            "staff": "Staff accounts are kept by system administrators: ask one to add, reset or disable an "
                     "account.",
        }[self]

    @property
    def summary(self) -> str:
        return {"audit": "Who did what to which record, and when; export as CSV.",
                "texts": "Texts queued, sent, failed or withdrawn; send a failed one again.",
                "post_room": "Paper copies of letters waiting to be printed and posted.",
                "staff": "Add, reset and disable the accounts of staff."}[self]


def may_use(session: StaffSession, tool: Tool) -> bool:
    return session.role in tool.roles


def require(session: StaffSession, tool: Tool) -> None:
    """AccessDenied, with the reason a person can act on, unless the role may use the tool."""
    if not may_use(session, tool):
        raise AccessDenied(tool.refusal)


# --- the audit trail ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """A checked filter: every part optional; the dates are whole London days, both included."""

    patient_id: int | None = None
    patient_label: str = ""
    """How the filter named the patient (their NHS or hospital number), for the description."""
    staff: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None
    include_audit_looks: bool = False

    @property
    def description(self) -> str:
        parts = [f"patient {self.patient_label}" if self.patient_id is not None else "",
                 f"staff {self.staff}" if self.staff else "", f"action containing '{self.action}'" if self.action
                 else "", f"from {nhs_date(self.since)}" if self.since else "",
                 f"to {nhs_date(self.until)}" if self.until else ""]
        return ", ".join(p for p in parts if p) or "everything"

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The UTC instants the dates stand for: from the start of `since` to the end of `until`, in London."""
        start = datetime.combine(self.since, time(), LONDON) if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time(), LONDON) if self.until else None
        return start, end


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One entry as the viewer shows it: the event, and the patient it names in words."""

    event: AuditEvent
    patient: str
    """'Margaret Thompson (RWG1000001)', the bare number of a record that does not exist, or ''."""


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    """How many entries match (the page shows at most AUDIT_PAGE of them)."""
    query: AuditQuery


class SupervisionRepository(Protocol):
    """What the tools read and change, in the unit of work's transaction."""

    def audit(self, query: AuditQuery, limit: int | None) -> tuple[list[AuditEvent], int]:
        """Matching entries newest first (all of them when limit is None), and how many match."""
        ...

    def audit_entry(self, entry_id: int) -> AuditEvent | None: ...

    def patient_labels(self, patient_ids: set[int]) -> dict[int, str]:
        """'Given Family (hospital number)' of each patient that exists."""
        ...

    def texts(self, status: SmsStatus | None, patient_id: int | None, limit: int) -> list[SmsMessage]:
        """Newest first."""
        ...

    def text_counts(self) -> dict[SmsStatus, int]: ...

    def text(self, message_id: str) -> SmsMessage | None: ...

    def requeue_text(self, message_id: str, at: datetime) -> bool:
        """A failed text back in the queue, due now; False if it was no longer failed."""
        ...

    def send_failed_again(self, at: datetime) -> tuple[int, int]:
        """Every failed text still worth sending back in the queue, due now: (queued, left as they are)."""
        ...

    def settle_held(self, ids: tuple[str, ...] | None, release: bool, at: datetime) -> int:
        """Held texts (these, or all) queued to be sent now (`release`) or withdrawn; how many."""
        ...


def parse_audit_query(uow: UnitOfWork, *, patient: str = "", staff: str = "",
                      action: str = "", since: str = "", until: str = "") -> AuditQuery:
    """What a supervisor typed, checked: a patient by NHS or hospital number, a username, part of an action's
    name, and dates (day month year)."""
    patient_id, label = None, ""
    if patient.strip():
        patient_id, label = _patient(uow, patient)
    who = clean_line(staff).strip().lower() or None
    if who is not None and not re.fullmatch(r"[a-z0-9._-]{1,40}", who):
        raise InvalidValue("A username is small letters, digits, dots, dashes or underscores (for example "
                           "sam.patel).")
    what = clean_line(action).strip().lower() or None
    if what is not None and not re.fullmatch(r"[a-z0-9_ ]{1,60}", what):
        raise InvalidValue("An action is part of its name, for example sign_in or staff_open.")
    first, last = _day(since, "From"), _day(until, "To")
    if first and last and first > last:
        raise InvalidValue("The From date is after the To date.")
    return AuditQuery(patient_id, label, who, what.replace(" ", "_") if what else None, first, last)


def audit_page(uow: UnitOfWork, clock: Clock, session: StaffSession, query: AuditQuery) -> AuditPage:
    """The newest matching entries; the look is audited with its filter."""
    query = _as_seen_by(session, query)
    rows, total = _audited_entries(uow, clock, session, query, AUDIT_PAGE, "audit_searched")
    return AuditPage(rows, total, query)


def _audited_entries(uow: UnitOfWork, clock: Clock, session: StaffSession, query: AuditQuery, limit: int | None,
                     action: str) -> tuple[list[AuditRow], int]:
    """The entries a filter finds (up to `limit`) and how many there are; the look itself is audited."""
    with uow:
        events, total = uow.supervision.audit(query, limit)
        rows = _rows(uow, events)
        uow.audit.record(_audit(clock, session, action, query.patient_id, f"{query.description}: {total} entries"))
        uow.commit()
    return rows, total


def audit_entry(uow: UnitOfWork, clock: Clock, session: StaffSession, entry_id: int) -> AuditRow:
    require(session, Tool.AUDIT)
    with uow:
        event = uow.supervision.audit_entry(entry_id)
        if event is None or (event.action.startswith(LOOKS_AT_THE_AUDIT) and session.role is not StaffRole.SYSTEM_ADMIN):
            raise Refused(f"There is no audit entry {entry_id}.")
        [row] = _rows(uow, [event])
        uow.audit.record(_audit(clock, session, "audit_entry_opened", event.patient_id, f"entry {entry_id}"))
        uow.commit()
    return row


CSV_COLUMNS = ("id", "at", "actor_kind", "actor", "role", "action", "outcome", "patient_id", "patient",
               "terminal", "detail")


def audit_csv(uow: UnitOfWork, clock: Clock, session: StaffSession, query: AuditQuery) -> tuple[str, int]:
    """Every matching entry (not just the page) as CSV text, newest first, with the number of rows; the
    export is audited. A cell a spreadsheet would take for a formula starts with an apostrophe."""
    query = _as_seen_by(session, query)
    rows, total = _audited_entries(uow, clock, session, query, None, "audit_exported")
    out = io.StringIO()
    import csv  # with the first export, not with every desk

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        e = row.event
        writer.writerow([e.id, e.at.astimezone(LONDON).isoformat(timespec="seconds"), e.actor_kind,
                         _cell(e.actor_id), e.actor_role or "", e.action, e.outcome.value,
                         "" if e.patient_id is None else e.patient_id, _cell(row.patient), _cell(e.terminal or ""),
                         _cell(e.detail)])
    return out.getvalue(), len(rows)


def _as_seen_by(session: StaffSession, query: AuditQuery) -> AuditQuery:
    """The query as this role may run it: the looks at the audit itself only for a system administrator."""
    require(session, Tool.AUDIT)
    return replace(query, include_audit_looks=session.role is StaffRole.SYSTEM_ADMIN)


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _rows(uow: UnitOfWork, events: list[AuditEvent]) -> list[AuditRow]:
    ids = {e.patient_id for e in events if e.patient_id is not None}
    labels = uow.supervision.patient_labels(ids) if ids else {}
    return [AuditRow(e, "" if e.patient_id is None else labels.get(e.patient_id, f"no such record ({e.patient_id})"))
            for e in events]


def _patient(uow: UnitOfWork, text: str) -> tuple[int, str]:
    raw = re.sub(r"[\s-]", "", text).upper()
    with uow:
        if raw.isdigit():
            number = NhsNumber.parse(raw)
            found = uow.patients.by_nhs_number(number)
            label = number.formatted
        else:
            trusts = uow.patients.by_hospital_number(raw)
            if len(trusts) > 1:
                named = " and ".join(uow.trusts.get(trust).short_name for trust, _ in trusts)
                raise InvalidValue(f"{raw} is a hospital number at {named}, for different records. Enter the "
                                   "patient's NHS number.")
            found = trusts[0][1] if trusts else None
            label = raw
    if found is None:
        raise InvalidValue(f"No patient has the number {label}. Enter an NHS number (10 digits) or a hospital "
                           "number.")
    assert found.id is not None
    return found.id, label


def _day(text: str, which: str) -> date | None:
    return parse_day(text, which) if (text or "").strip() else None


# --- texts --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextView:
    """A text as staff see it: a code it carries is never shown."""

    id: str
    template: SmsTemplate
    status: SmsStatus
    masked_to: str
    body: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    patient_id: int | None

    @property
    def kind(self) -> str:
        return self.template.value.replace("_", " ").capitalize()

    @property
    def retryable(self) -> bool:
        return self.status is SmsStatus.FAILED and self.template is not SmsTemplate.ONE_TIME_CODE


@dataclass(frozen=True, slots=True)
class Outbox:
    texts: list[TextView]
    counts: dict[SmsStatus, int]
    status: SmsStatus | None


def outbox(uow: UnitOfWork, clock: Clock, session: StaffSession, status: SmsStatus | None) -> Outbox:
    """The newest texts (codes blanked) and how many stand where; the look is audited."""
    require(session, Tool.TEXTS)
    with uow:
        texts = [_text_view(m) for m in uow.supervision.texts(status, None, TEXTS_PAGE)]
        counts = uow.supervision.text_counts()
        uow.audit.record(_audit(clock, session, "outbox_viewed", None,
                                f"{status.value if status else 'all'}: {len(texts)} texts shown"))
        uow.commit()
    return Outbox(texts, counts, status)


def retry_text(uow: UnitOfWork, clock: Clock, session: StaffSession, message_id: str) -> TextView:
    """A failed text goes back in the queue, due now (audited). A one-time code is never sent again: it has run
    out by now, and the patient asks for a new one."""
    require(session, Tool.TEXTS)
    with uow:
        message = uow.supervision.text(message_id)
        if message is None:
            raise Refused("That text is no longer in the outbox.")
        if message.status is not SmsStatus.FAILED:
            raise Refused(f"Only a failed text can be sent again: this one is {message.status.value}.")
        if message.template is SmsTemplate.ONE_TIME_CODE:
            raise Refused("A sign-in or registration code is not sent again: it has run out. The patient asks "
                          "for a new code at the kiosk.")
        if not uow.supervision.requeue_text(message_id, clock.now()):
            raise Refused("That text changed meanwhile: look again.")
        uow.audit.record(_audit(clock, session, "sms_retried", message.patient_id,
                                f"text {message_id} ({message.template.value}), failed: {message.last_error or ''}"))
        uow.commit()
        again = uow.supervision.text(message_id)
    assert again is not None
    return _text_view(again)


def send_failed_again(uow: UnitOfWork, clock: Clock, session: StaffSession) -> tuple[int, int]:
    """After an outage: every failed text still worth sending goes back in the queue at once (audited); codes,
    invitations and texts past their use are left. Returns (queued, left)."""
    require(session, Tool.TEXTS)
    with uow:
        queued, left = uow.supervision.send_failed_again(clock.now())
        uow.audit.record(_audit(clock, session, "texts_sent_again", None,
                                f"{queued} failed texts queued again; {left} left (past their use, or codes)"))
        uow.commit()
    return queued, left


def settle_held(uow: UnitOfWork, clock: Clock, session: StaffSession, ids: tuple[str, ...] | None,
                release: bool) -> int:
    """Texts held after a restore (these, or all when `ids` is None): released to be sent now, or withdrawn
    (audited). A supervisor releases one only after checking that the live database had not sent it."""
    require(session, Tool.TEXTS)
    with uow:
        done = uow.supervision.settle_held(ids, release, clock.now())
        action = "held_texts_released" if release else "held_texts_withdrawn"
        which = "all held" if ids is None else ", ".join(ids)[:400]
        uow.audit.record(_audit(clock, session, action, None, f"{done} texts ({which})"))
        uow.commit()
    return done


def patient_texts(uow: UnitOfWork, clock: Clock, session: StaffSession, patient_id: int) -> list[TextView]:
    """The texts sent to one patient, for their record at the desk (a read of the record: audited)."""
    if not session.role.acts_for_patients:
        raise AccessDenied("A system administrator does not act for patients: sign in as a member of the "
                           "Appointments team.")
    with uow:
        texts = [_text_view(m) for m in uow.supervision.texts(None, patient_id, TEXTS_PAGE)]
        uow.audit.record(_audit(clock, session, "patient_texts_viewed", patient_id, f"{len(texts)} texts"))
        uow.commit()
    return texts


def _text_view(m: SmsMessage) -> TextView:
    body = redacted(m.body) if m.template in (SmsTemplate.ONE_TIME_CODE, SmsTemplate.REGISTRATION_INVITATION) \
        else m.body
    return TextView(m.id, m.template, m.status, UkMobile(m.to_number).masked, body, m.created_at, m.sent_at, m.attempts, m.last_error,
                    m.patient_id)


def _audit(clock: Clock, session: StaffSession, action: str, patient_id: int | None, detail: str) -> AuditEvent:
    kind, actor_id, role = session.audit_identity
    return AuditEvent(at=clock.now(), actor_kind=kind, actor_id=actor_id, actor_role=role, action=action,
                      outcome=Outcome.SUCCESS, patient_id=patient_id, detail=detail)


# --- staff accounts -----------------------------------------------------------------------------------------


def staff_members(uow: UnitOfWork, clock: Clock, session: StaffSession) -> list[StaffAccount]:
    """The staff list as a supervisor sees it (no password hashes, no sealed secrets); the look is audited."""
    require(session, Tool.STAFF)
    with uow:
        members = [m.account for m in uow.staff.all()]
        uow.audit.record(_audit(clock, session, "staff_list_viewed", None, f"{len(members)} accounts"))
        uow.commit()
    return members


def add_member(uow: UnitOfWork, clock: Clock, parts: StaffParts, session: StaffSession, username: str,
               display_name: str, role: StaffRole, password: str) -> Enrolment:
    require(session, Tool.STAFF)
    if not display_name.strip():
        raise InvalidValue("Enter the member of staff's name as colleagues know it.")
    return accounts.add_staff(uow, clock, parts.hasher, parts.factor, parts.box, username, clean_line(display_name)[:120],
                              role, password, by=session.username)


def reset_member(uow: UnitOfWork, clock: Clock, parts: StaffParts, session: StaffSession, username: str,
                 password: str) -> Enrolment:
    require(session, Tool.STAFF)
    return accounts.reset_staff(uow, clock, parts.hasher, parts.factor, parts.box, username, password,
                                by=session.username)


def disable_member(uow: UnitOfWork, clock: Clock, session: StaffSession, username: str) -> None:
    require(session, Tool.STAFF)
    if accounts.parse_username(username) == session.username:
        raise Refused("You cannot disable your own account: ask another system administrator.")
    accounts.disable_staff(uow, clock, username, by=session.username)


@dataclass(frozen=True, slots=True)
class StaffParts:
    """The password hasher, the second factor and the secret box, as the composition root made them."""

    hasher: PasswordHasher
    factor: SecondFactor
    box: SecretBox
