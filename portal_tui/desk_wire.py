"""The line between a desk and the portal's desk service: MessagePack frames over a Unix socket, one schema for
each call, checked at both ends (msgspec).

Nothing that crosses is an object the peer chose. A desk names a call; the service decodes its arguments into the
types declared here for that call and nothing else, and the desk decodes the answer the same way. A desk never
sends who is acting: a parameter that is a session is filled in by the service from the connection's own sign-in.
The domain's values and msgspec only: a desk process loads this, and nothing of the database."""

from __future__ import annotations

import inspect
import socket
import struct
import typing
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from domain.errors import (AccessDenied, Conflict, DomainError, InvalidTransition, InvalidValue, NotFound, Refused,
                           SystemBusy)
from domain.hospital import Slot
from domain.identity.session import PatientSession, StaffSession
from domain.records.reading import LETTERS_PAGE, VISITS_SHOWN

if TYPE_CHECKING:  # the calls' types, loaded for a surface when its first call is made (_types)
    from domain.appointments.booking import Booked, BookingKind, ClinicChoice
    from domain.appointments.changes import AppointmentPage, Cancelled, Rescheduled
    from domain.appointments.model import AppointmentView
    from domain.help.articles import Article
    from domain.hospital import Trust, TrustCode
    from domain.identity.my_details import MyDetails, RecordLook
    from domain.identity.patients import LetterPreference
    from domain.identity.session import StaffRole
    from domain.messaging.model import SmsStatus
    from domain.records.model import Document, DocumentKind, TestResult
    from domain.records.post import Batch, PostItem, PostRoom
    from domain.records.reading import LetterList, ResultsPage, VisitList
    from domain.staff.accounts import Enrolment, StaffAccount
    from domain.staff.desk import OpenRecord, PatientMatch
    from domain.staff.supervision import AuditPage, AuditQuery, AuditRow, Outbox, TextView, Tool
    from domain.support.reports import Captured, ProblemReport, ReplyBy, ReportStatus, Submitted

VERSION = 2
"""Both ends say it first; a desk and a service of different versions do not talk."""
LARGEST_REQUEST = 1 << 20
"""A desk's call is a few names and values: a frame that says it is larger is refused before it is read."""
LARGEST_REPLY = 1 << 26
"""The largest answer a desk reads (a page of the audit trail is a few hundred KiB)."""
_HEADER = struct.Struct("!I")


class WireClosed(ConnectionError):
    """The other end has gone, or sent what the other end never sends."""


# What crosses, around each call's own schema.

class Hello(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """A desk's first frame."""

    version: int
    terminal: str


class Greeting(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """The service's answer to a hello: its version, or why it will not serve this desk."""

    version: int
    refused: str = ""


class Request(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    target: str
    name: str
    patient_id: int | None
    args: msgspec.Raw
    """The call's arguments, decoded only once the call is known, with the call's own schema."""


class Reply(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    kind: Literal["ok", "error", "fault"]
    value: msgspec.Raw
    """'ok': the call's answer, in its declared type; 'error': an Error; 'fault': the fault's reference."""


class Error(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """A DomainError: its class by name (one of errors()), its words, and the attributes a screen reads."""

    kind: str
    message: str
    constraint: str | None = None
    nearest: list[Slot] | None = None


class DeskCovered(Refused):
    """The desk made no call for the idle time: only the same member of staff's password uncovers it."""


class SessionEnded(Refused):
    """The service ended the member of staff's session (too long, account disabled, reset or changed)."""


@cache
def errors() -> dict[str, type[DomainError]]:
    """The errors a desk rebuilds; any other DomainError crosses as the nearest of these it is a kind of."""
    from domain.appointments.changes import SlotTaken

    return {kind.__name__: kind for kind in (DomainError, InvalidValue, AccessDenied, InvalidTransition, NotFound,
                                             Conflict, Refused, SystemBusy, SlotTaken, DeskCovered, SessionEnded)}


# Every call a desk may make, by what it is made on, with its parameters and its answer. They restate the screens'
# Protocols (tests/data/test_desk_service.py checks that they agree); a session parameter is never sent.

class _Desk:
    def sign_in(self, username: str, password: str, code: str) -> StaffSession: ...
    def sign_out(self, session: StaffSession, why: str = "signed out") -> None: ...
    def cover(self, session: StaffSession) -> None: ...
    def session_check(self, session: StaffSession) -> str: ...
    def unlock(self, session: StaffSession, password: str) -> None: ...
    def find_patients(self, session: StaffSession, query: str) -> list[PatientMatch]: ...
    def open_patient(self, session: StaffSession, patient_id: int, reason: str) -> OpenRecord: ...
    def today(self) -> date: ...


class _Record:
    def now(self) -> datetime: ...
    def appointments(self) -> list[AppointmentView]: ...
    def visits(self, limit: int = VISITS_SHOWN) -> VisitList: ...
    def appointment(self, appointment_id: int) -> AppointmentPage: ...
    def reschedule_options(self, appointment_id: int) -> list[Slot]: ...
    def reschedule(self, appointment_id: int, slot_id: int, reason: str | None = None) -> Rescheduled: ...
    def cancel(self, appointment_id: int, reason: str | None, by_hospital: bool = False) -> Cancelled: ...
    def open_letter(self, document_id: int) -> Document: ...
    def letter_list(self, kind: DocumentKind | None = None, trust: TrustCode | None = None,
                    limit: int = LETTERS_PAGE) -> LetterList: ...
    def results_page(self, before: tuple[datetime, int] | None = None) -> ResultsPage: ...
    def result_history(self, result_id: int) -> list[TestResult]: ...
    def my_details(self) -> MyDetails: ...
    def who_looked(self) -> list[RecordLook]: ...
    def change_letter_preference(self, preference: LetterPreference, *, patient_agreed: bool = False) -> None: ...
    def change_language(self, code: str) -> None: ...
    def booking_clinics(self) -> list[ClinicChoice]: ...
    def booking_slots(self, clinic_id: int) -> list[Slot]: ...
    def book(self, slot_id: int, kind: BookingKind, reason: str, ubrn: str | None = None) -> Booked: ...
    def arrangements_done(self, appointment_id: int) -> None: ...
    def texts(self) -> list[TextView]: ...


class _Support:
    def articles(self) -> list[Article]: ...
    def find(self, query: str) -> list[Article]: ...
    def trusts(self) -> list[Trust]: ...
    def submit(self, *, tried: str, happened: str, reply_by: ReplyBy, typed_mobile: str, captured: Captured,
               session: PatientSession | None) -> Submitted: ...
    def replies_for(self, reference: str) -> ProblemReport: ...
    def inbox(self, staff: StaffSession, status: ReportStatus | None) -> list[ProblemReport]: ...
    def open_report(self, staff: StaffSession, reference: str) -> ProblemReport: ...
    def reply(self, staff: StaffSession, reference: str, body: str) -> ProblemReport: ...
    def set_status(self, staff: StaffSession, reference: str, status: ReportStatus) -> ProblemReport: ...


class _Supervision:
    def may_use(self, session: StaffSession, tool: Tool) -> bool: ...
    def require(self, session: StaffSession, tool: Tool) -> None: ...
    def audit_query(self, session: StaffSession, *, patient: str = "", staff: str = "", action: str = "",
                    since: str = "", until: str = "") -> AuditQuery: ...
    def audit_page(self, session: StaffSession, query: AuditQuery) -> AuditPage: ...
    def audit_entry(self, session: StaffSession, entry_id: int) -> AuditRow: ...
    def export_audit(self, session: StaffSession, query: AuditQuery) -> tuple[Path, int]: ...
    def outbox(self, session: StaffSession, status: SmsStatus | None) -> Outbox: ...
    def post_room(self, session: StaffSession) -> PostRoom: ...
    def print_letters(self, session: StaffSession) -> tuple[Batch, list[PostItem]] | None: ...
    def mark_posted(self, session: StaffSession, batch_id: int) -> Batch: ...
    def retry_text(self, session: StaffSession, message_id: str) -> TextView: ...
    def send_failed_again(self, session: StaffSession) -> tuple[int, int]: ...
    def settle_held(self, session: StaffSession, ids: tuple[str, ...] | None, release: bool) -> int: ...
    def staff_members(self, session: StaffSession) -> list[StaffAccount]: ...
    def add_staff(self, session: StaffSession, username: str, display_name: str, role: StaffRole,
                  password: str) -> Enrolment: ...
    def reset_staff(self, session: StaffSession, username: str, password: str) -> Enrolment: ...
    def disable_staff(self, session: StaffSession, username: str) -> None: ...


_SURFACES: dict[str, type] = {"desk": _Desk, "record": _Record, "support": _Support, "supervision": _Supervision}
CALLS: dict[str, frozenset[str]] = {target: frozenset(n for n in vars(k) if not n.startswith("_"))
                                    for target, k in _SURFACES.items()}
"""The names of the calls on each target."""
SESSION_FREE = frozenset({("desk", "sign_in"), ("desk", "sign_out"), ("desk", "today"), ("support", "articles"),
                          ("support", "find"), ("support", "trusts"), ("support", "submit"), ("support", "replies_for")})
"""The calls a desk may make before anyone signs in there: signing in and out, the date and the help centre."""


@dataclass(frozen=True)
class Call:
    """One call's schema: how the screens call it, what crosses, and what comes back."""

    target: str
    name: str
    signature: inspect.Signature
    """As the screens call it, sessions included."""
    staff: tuple[str, ...]
    """Parameters that are the acting member of staff: the service fills them from the connection's sign-in."""
    nobody: tuple[str, ...]
    """Parameters that are a patient's session: a desk acts for no patient as the patient, so always None."""
    arguments: type[msgspec.Struct]
    """What crosses: every other parameter, with its type; nothing else is read."""
    returns: Any

    def encode_arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
        """The desk's side: the arguments as this call's schema has them (InvalidValue if they do not fit)."""
        try:
            bound = self.signature.bind(None, *args, **kwargs)
        except TypeError as error:
            raise InvalidValue(f"The desk called {self.name} wrongly: {error}") from None
        sent = {k: v for k, v in bound.arguments.items() if k != "self" and k not in self.staff + self.nobody}
        data = ENCODER.encode(sent)
        self.decode_arguments(data)  # checked here as the service will check it
        return data

    def decode_arguments(self, data: bytes) -> dict[str, Any]:
        """The service's side: keyword arguments for the call, sessions not yet filled in."""
        try:
            decoded = _decoder(self.arguments).decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise InvalidValue(f"The arguments of {self.name} do not fit its schema: {error}") from None
        return {field: getattr(decoded, field) for field in decoded.__struct_fields__}

    def decode_answer(self, data: bytes) -> Any:
        return _decoder(self.returns).decode(data)


def call(target: str, name: str) -> Call | None:
    """The schema of a call, or None where no desk makes such a call."""
    if target not in _SURFACES or name not in CALLS[target]:
        return None
    return _schema(target, name)


@cache
def _schema(target: str, name: str) -> Call:
    stub = getattr(_SURFACES[target], name)
    hints = typing.get_type_hints(stub, globalns={**globals(), **_types(target)})
    signature = inspect.signature(stub)
    staff, nobody, fields = [], [], []
    for parameter in list(signature.parameters.values())[1:]:
        kind = hints[parameter.name]
        if kind is StaffSession:
            staff.append(parameter.name)
        elif kind == PatientSession | None:
            nobody.append(parameter.name)
        elif parameter.default is inspect.Parameter.empty:
            fields.append((parameter.name, kind))
        else:
            fields.append((parameter.name, kind, parameter.default))
    arguments = msgspec.defstruct(f"{target}.{name}", fields, kw_only=True, forbid_unknown_fields=True)
    return Call(target, name, signature, tuple(staff), tuple(nobody), arguments, hints["return"])


_MODULES = {
    "desk": ("domain.staff.desk",),
    "record": ("domain.appointments.booking", "domain.appointments.changes", "domain.appointments.model",
               "domain.hospital", "domain.identity.my_details", "domain.identity.patients", "domain.records.model",
               "domain.records.reading", "domain.staff.supervision"),
    "support": ("domain.help.articles", "domain.hospital", "domain.support.reports"),
    "supervision": ("domain.identity.session", "domain.messaging.model", "domain.records.post", "domain.staff.accounts",
                    "domain.staff.supervision"),
}
"""Where each surface's types live: loaded when the surface's first call is made, so that a desk carries only
the types of what it does (a clerk's desk never loads the supervisor's)."""


def _types(target: str) -> dict[str, Any]:
    import importlib

    found: dict[str, Any] = {}
    for module in _MODULES[target]:
        found.update({k: v for k, v in vars(importlib.import_module(module)).items() if not k.startswith("_")})
    return found


# msgspec's hooks say "not mine" by raising NotImplementedError (msgspec turns it into its own encode or
# validation error, naming the type): only a path (an export's file) crosses besides the schemas' own types.
def _encode_hook(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    raise NotImplementedError(f"{type(value).__name__} does not cross the desk wire")


def _decode_hook(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(f"{kind} does not cross the desk wire")


ENCODER = msgspec.msgpack.Encoder(enc_hook=_encode_hook)


@cache
def _decoder(kind: Any) -> msgspec.msgpack.Decoder[Any]:
    return msgspec.msgpack.Decoder(kind, dec_hook=_decode_hook)


# Errors both ways.

def error_reply(error: DomainError) -> bytes:
    known = errors()
    kind = next(k for k in type(error).__mro__ if known.get(k.__name__) is k)
    return ENCODER.encode(Error(kind.__name__, str(error), getattr(error, "constraint", None),
                                getattr(error, "nearest", None)))


def rebuilt(data: bytes) -> DomainError:
    """The service's DomainError, as it was raised there (a SlotTaken keeps its nearest free times)."""
    sent = _decoder(Error).decode(data)
    kind = errors().get(sent.kind, Refused)
    error = kind.__new__(kind)
    error.args = (sent.message,)
    if sent.constraint is not None:
        error.constraint = sent.constraint  # type: ignore[attr-defined]
    if sent.nearest is not None:
        error.nearest = sent.nearest  # type: ignore[attr-defined]
    return error


# Frames.

def send(sock: socket.socket, message: msgspec.Struct) -> None:
    data = ENCODER.encode(message)
    sock.sendall(_HEADER.pack(len(data)) + data)


def receive(sock: socket.socket, kind: type[msgspec.Struct], largest: int) -> Any:
    """The next frame, as `kind`; WireClosed for a frame larger than `largest` (before it is read) or one that is
    not a `kind`."""
    data = frame(sock, largest)
    try:
        return _decoder(kind).decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise WireClosed(f"not a {kind.__name__}: {error}") from None


def frame(sock: socket.socket, largest: int, body_seconds: float | None = None) -> bytes:
    """One frame's bytes. `body_seconds`, where given, is how long the rest may take once its size has come."""
    (size,) = _HEADER.unpack(_exactly(sock, _HEADER.size))
    if size > largest:
        raise WireClosed(f"a frame of {size} bytes")
    if body_seconds is not None:
        sock.settimeout(body_seconds)
    return _exactly(sock, size)


def _exactly(sock: socket.socket, size: int) -> bytes:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = sock.recv_into(view[got:])
        if not n:
            raise WireClosed("the other end closed the connection")
        got += n
    return bytes(buffer)
