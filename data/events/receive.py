"""Receive HL7 v2 messages: split what arrives into messages, parse each with python-hl7, store it first, give it
its outcome (domain/events/feed.py) and the ACK that says so — the same for the MLLP listener and for files.

Nothing here trusts the sender. Segments may end in \\r, \\n or \\r\\n; a file may start with a UTF-8 BOM, hold
MLLP frames, many messages, or a batch (FHS/BHS … BTS/FTS, whose envelope is dropped). A frame that cannot be
parsed is refused (AR) with the control id when one can still be read from its MSH segment."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import hl7
from hl7.util import generate_message_control_id
from sqlalchemy import Engine, bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.events.adt import apply_person, merge
from data.events.siu import apply_booking
from data.models import HL7_TAKEN, Hl7MessageRow
from domain.events.attendance import FeedRules
from domain.events.bookings import BOOKING_EVENTS
from domain.events.feed import Header, Outcome, handling, repeat
from domain.text import clean_line

_FRAME = re.compile(rb"\x0b(.*?)\x1c\r?", re.S)
_ENVELOPE = ("FHS", "BHS", "BTS", "FTS")


@dataclass(frozen=True, slots=True)
class Receipt:
    """What became of one message, and the ACK to send back."""

    outcome: Outcome
    control_id: str | None
    reason: str
    ack: str
    """The HL7 ACK, segments ending in \\r."""
    message_id: int | None = None
    invited: bool = False
    """A registration invitation was queued with it."""


@dataclass
class IngestReport:
    """What `hl7 ingest` did; `as_json` is what `--json` prints."""

    counts: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in Outcome})
    refusals: list[dict[str, str | None]] = field(default_factory=list)

    invitations: int = 0

    def add(self, source: str, receipt: Receipt) -> None:
        self.counts[receipt.outcome.value] += 1
        self.invitations += receipt.invited
        if receipt.outcome is Outcome.REFUSED:
            self.refusals.append({"file": source, "control_id": receipt.control_id, "reason": receipt.reason})

    def as_json(self) -> dict[str, object]:
        return {**self.counts, "invitations": self.invitations, "refusals": self.refusals}


def messages(data: bytes) -> Iterator[str]:
    """The messages in what arrived (a file, or an MLLP frame's content), each with segments ending in \\r."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    frames = _FRAME.findall(data) if b"\x0b" in data else [data]
    for frame in frames:
        text = frame.decode("utf-8", errors="replace")
        current: list[str] = []
        for segment in re.split(r"\r\n|\r|\n", text):
            if not segment.strip() or segment[:3] in _ENVELOPE:
                continue
            if segment.startswith("MSH") and current:
                yield "\r".join(current) + "\r"
                current = []
            current.append(segment)
        if current:
            yield "\r".join(current) + "\r"


def receive(engine: Engine, raw: str, source: str, now: Callable[[], datetime] = lambda: datetime.now(UTC),
            *, allow_drama: bool = False, rules: FeedRules | None = None) -> Receipt:
    """Store the message, decide its outcome, commit, and give the ACK (sent only after the commit)."""
    return receive_all(engine, [(raw, source)], now, allow_drama=allow_drama, rules=rules)[0]


def receive_all(engine: Engine, arrived: list[tuple[str, str]],
                now: Callable[[], datetime] = lambda: datetime.now(UTC), *, allow_drama: bool = False,
                rules: FeedRules | None = None) -> list[Receipt]:
    """Each (raw, source) stored and acted on in turn, and all committed together: the listener's group commit
    (what arrived on many connections while the last commit was being made). No receipt may be sent before this
    returns. A control id that another listener stored at the same moment undoes the round, which is then taken
    again one message at a time (that one a duplicate, then); any other failure (the database gone) is raised
    with nothing committed."""
    drama = allow_drama or (rules.allow_drama if rules else False)
    try:
        return _round(engine, arrived, now, drama, rules)
    except IntegrityError:
        if len(arrived) > 1:
            return [receipt for one in arrived for receipt in receive_all(engine, [one], now, allow_drama=drama,
                                                                          rules=rules)]
    return _round(engine, arrived, now, drama, rules)  # the one whose control id was taken: a repeat now


def _round(engine: Engine, arrived: list[tuple[str, str]], now: Callable[[], datetime], allow_drama: bool,
           rules: FeedRules | None) -> list[Receipt]:
    with Session(engine) as session, session.begin():
        return [_receive_in(session, raw, source, now, allow_drama, rules) for raw, source in arrived]


def _receive_in(session: Session, raw: str, source: str, now: Callable[[], datetime], allow_drama: bool,
                rules: FeedRules | None) -> Receipt:
    """One message, within the caller's transaction."""
    content_hash = hashlib.sha256(raw.encode()).hexdigest()
    try:
        # MSH alone is parsed: it is all the outcome and the ACK are built from, the segments after it being read
        # by the event's own reader (python-hl7 takes any text as a segment, so parsing them refused nothing).
        message = hl7.parse(raw[:raw.find("\r") + 1] if raw.startswith("MSH") and "\r" in raw else raw)
        header = _header(message)
    except Exception as error:  # noqa: BLE001 - anything a sender can make python-hl7 raise is a refusal
        control_id = _control_id(raw)
        reason = f"cannot be read as HL7 v2: {clean_line(str(error))[:200] or type(error).__name__}"
        stored = _stored(session, "unknown", control_id, None, content_hash, raw, source, now(), Outcome.REFUSED,
                         reason)
        return Receipt(Outcome.REFUSED, control_id, reason, _bare_ack(now(), control_id, reason), stored)
    outcome, reason, invited = _outcome(session, raw, header, content_hash, rules, now(), allow_drama)
    stored = _stored(session, header.sender, header.control_id, header.message_type, content_hash, raw, source,
                     now(), outcome, reason)
    return Receipt(outcome, header.control_id, reason, _ack(message, outcome, reason), stored, invited)


def _outcome(session: Session, raw: str, header: Header, content_hash: str, rules: FeedRules | None, now: datetime,
             allow_drama: bool) -> tuple[Outcome, str, bool]:
    """(outcome, reason, whether invited): a repeat of a control id, a kind the portal ignores, or what acting on
    the message made of it."""
    previous = session.connection().execute(_PREVIOUS, {"sender": header.sender,
                                                        "control_id": header.control_id}).first()
    if previous is not None:
        return (*repeat(previous.content_hash, content_hash), False)
    outcome = handling(header)
    if outcome is not Outcome.ACCEPTED:
        return outcome, f"{header.message_type} is not a message the portal acts on: kept, nothing changed", False
    try:
        with session.begin_nested():  # the change and the message commit together, or neither
            outcome, reason, invited = _act(session, raw, header, rules, now, allow_drama)
            if outcome is Outcome.REFUSED:
                raise _Undo(reason)
    except _Undo as refusal:
        return Outcome.REFUSED, str(refusal), False  # whatever was written before it is rolled back with it
    except IntegrityError as error:
        return Outcome.REFUSED, f"the database refused the change: {str(error.orig).splitlines()[0][:150]}", False
    return outcome, reason, invited


_MESSAGES = Hl7MessageRow.__table__
_PREVIOUS = select(_MESSAGES.c.content_hash).where(
    _MESSAGES.c.sender == bindparam("sender"), _MESSAGES.c.control_id == bindparam("control_id"),
    text(HL7_TAKEN)).limit(1)
"""The message this control id already named, if it was taken (built once: the listener asks it of every message)."""
_STORE = insert(_MESSAGES).returning(_MESSAGES.c.id)


class _Undo(Exception):
    """A refusal after some of the change was written: the savepoint goes, the message is still stored."""


def _act(session: Session, raw: str, header: Header, rules: FeedRules | None, now: datetime,
         allow_drama: bool) -> tuple[Outcome, str, bool]:
    """What the message does: a booking (SIU), a merge (A40), or a person and their attendance (ADT)."""
    trust = _trust(header.sender)
    if header.message_type in BOOKING_EVENTS:
        return apply_booking(session, raw, header.message_type, trust, header.sender, rules, now,
                             allow_drama=allow_drama)
    if header.message_type == "ADT^A40":
        return merge(session, raw, trust, now, header.sender, allow_drama=allow_drama)
    return apply_person(session, raw, header.message_type, trust, allow_drama=allow_drama, rules=rules, now=now)


def ingest(engine: Engine, paths: list[str], now: Callable[[], datetime] = lambda: datetime.now(UTC),
           rules: FeedRules | None = None) -> IngestReport:
    """Every message of every file, as the listener would take it."""
    report = IngestReport()
    for name in paths:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as error:
            report.add(name, Receipt(Outcome.REFUSED, None, f"cannot be read: {error.strerror or error}", ""))
            continue
        for raw in messages(data):
            report.add(name, receive(engine, raw, name, now, rules=rules))
    return report


def retry(engine: Engine, message_id: int, now: Callable[[], datetime] = lambda: datetime.now(UTC),
          rules: FeedRules | None = None) -> Receipt:
    """Take a refused message again (after a fix: the patient now known, say), as a new receipt of the same
    text; the refused one stays as it was, for the record."""
    with Session(engine) as session:
        row = session.get(Hl7MessageRow, message_id)
        if row is None or row.outcome != Outcome.REFUSED.value:
            raise LookupError(f"There is no refused message {message_id} (see `portal-tui hl7 list --status refused`).")
        raw, source = row.raw, row.source
    return receive(engine, raw, f"retry of {message_id} ({source})"[:300], now, rules=rules)


def _trust(sender: str) -> str:
    """The trust a sender's facility (MSH-4) names; West Herts' own PAS otherwise."""
    facility = sender.rsplit("^", 1)[-1].upper()
    return facility if facility in ("RWG", "RAL") else "RWG"


def _header(message: hl7.Message) -> Header:
    msh = message.segment("MSH")
    control_id = str(msh[10]).strip()
    if not control_id:
        raise ValueError("MSH-10 (the message control id) is empty")
    sender = "^".join(part for part in (str(msh[3]).strip(), str(msh[4]).strip()) if part) or "unknown"
    kind = msh[9]
    message_type = "^".join(str(part) for part in (kind[0][0], kind[0][1]) if str(part)) if len(kind[0]) > 1 \
        else str(kind)
    return Header(clean_line(sender)[:120], clean_line(control_id)[:80], clean_line(message_type)[:20],
                  str(msh[12]).strip())


def _control_id(raw: str) -> str | None:
    first = raw.split("\r", 1)[0]
    if not first.startswith("MSH") or len(first) < 4:
        return None
    fields = first.split(first[3])
    if len(fields) <= 9:
        return None
    return clean_line(fields[9])[:80] or None


def _ack(message: hl7.Message, outcome: Outcome, reason: str) -> str:
    """The ACK as python-hl7's create_ack makes it (HL7 2.9.2: the sender's own separators and version, addressed
    back to it, a control id of its own, MSA with the message's control id), written out in one go; a refusal's
    reason in MSA-3 and in ERR-8."""
    msh = message.segment("MSH")
    separator = str(msh(1))
    component = str(msh(2))[:1] or "^"
    fields = ["MSH", str(msh(2)), "PORTAL", "PORTAL", str(msh(3)), str(msh(4)),
              datetime.now(UTC).strftime("%Y%m%d%H%M%S"), "",
              component.join(("ACK", str(msh(9)(1)(2)), "ACK")), generate_message_control_id(), str(msh(11)),
              str(msh(12))]
    text = separator.join(fields) + f"\rMSA{separator}{outcome.ack_code}{separator}{msh(10)}"
    if outcome is Outcome.REFUSED:  # the reason in MSA-3 and in ERR-8
        said = _escaped(reason)
        error = component.join(("207", "Application internal error", "HL70357"))
        text += f"{separator}{said}\rERR" + separator.join(("", "", "", error, "E", "", "", "", said))
    return text + "\r"


def _bare_ack(at: datetime, control_id: str | None, reason: str) -> str:
    """The ACK for what python-hl7 could not read (no message to build it from)."""
    when = at.strftime("%Y%m%d%H%M%S")
    return (f"MSH|^~\\&|PORTAL|PORTAL|||{when}||ACK|{when}|P|2.5\rMSA|AR|{control_id or ''}|{_escaped(reason)}\r"
            f"ERR|||102^Data type error^HL70357|E||||{_escaped(reason)}\r")


def _escaped(text: str) -> str:
    """Free text in a field: HL7's own escapes for its delimiters."""
    return (text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\").replace("&", "\\T\\")
            .replace("~", "\\R\\"))[:200]


def _stored(session: Session, sender: str, control_id: str | None, message_type: str | None, content_hash: str,
            raw: str, source: str, at: datetime, outcome: Outcome, reason: str) -> int:
    """The message kept, as received, with its outcome: its id."""
    return session.connection().execute(_STORE, {
        "sender": sender, "control_id": control_id, "message_type": message_type, "content_hash": content_hash,
        "raw": raw, "source": source[:300], "received_at": at, "outcome": outcome.value,
        "reason": reason[:300]}).scalar_one()
