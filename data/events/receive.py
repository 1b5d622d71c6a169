"""Receive HL7 v2 messages: split what arrives into messages, parse each with python-hl7, store it first, give it
its outcome (domain/events/feed.py) and the ACK that says so — the same for the MLLP listener and for files.

Nothing here trusts the sender. Segments may end in \\r, \\n or \\r\\n; a file may start with a UTF-8 BOM, hold
MLLP frames, many messages, or a batch (FHS/BHS … BTS/FTS, whose envelope is dropped). A frame that cannot be
parsed is refused (AR) with the control id when one can still be read from its MSH segment."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hl7
from hl7.util import generate_message_control_id
from sqlalchemy import CompoundSelect, Connection, Engine, Select, bindparam, insert, select, text, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.events.adt import RoundOfPeople, apply_person, merge
from data.events.siu import apply_booking
from data.models import HL7_TAKEN, Hl7MessageRow
from domain.events.attendance import FeedRules
from domain.events.bookings import BOOKING_EVENTS
from domain.events.feed import Header, Outcome, handling, repeat
from domain.events.profile import Profile
from domain.text import clean_line

_EVENT_PART = re.compile(r"[A-Z0-9]{3}")
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
            *, allow_drama: bool = False, rules: FeedRules | None = None, profile: Profile | None = None) -> Receipt:
    """Store the message, decide its outcome, commit, and give the ACK (sent only after the commit)."""
    return receive_all(engine, [(raw, source)], now, allow_drama=allow_drama, rules=rules, profile=profile)[0]


def receive_all(bind: Engine | Connection, arrived: list[tuple[str, str]],
                now: Callable[[], datetime] = lambda: datetime.now(UTC), *, allow_drama: bool = False,
                rules: FeedRules | None = None, profile: Profile | None = None) -> list[Receipt]:
    """Each (raw, source) stored and acted on in turn, and all committed together: the listener's group commit
    (what arrived on many connections while the last commit was being made). No receipt may be sent before this
    returns. A database refusal (a control id that another listener stored at the same moment, a clash a patient
    update ran into) undoes the round, which is then taken again one message at a time, each change in a savepoint
    of its own; any other failure (the database gone) is raised with nothing committed. `bind`: an engine, or a
    connection held for many rounds (the listener's), outside a transaction. `profile`: the trust's (which
    senders are whose, which identifiers are hospital numbers); without one, no sender is named and every message
    is refused."""
    feed = _Feed(allow_drama or (rules.allow_drama if rules else False), rules, profile or Profile())
    try:
        return _round(bind, arrived, now, feed, careful=False)
    except IntegrityError:
        if len(arrived) > 1:
            return [receipt for one in arrived for receipt in _one_with_care(bind, one, now, feed)]
    return _one_with_care(bind, arrived[0], now, feed)


@dataclass(frozen=True, slots=True)
class _Feed:
    """How this feed's messages are taken: the trust's rules and profile."""

    allow_drama: bool
    rules: FeedRules | None
    profile: Profile


def _one_with_care(bind: Engine | Connection, one: tuple[str, str], now: Callable[[], datetime],
                   feed: _Feed) -> list[Receipt]:
    try:
        return _round(bind, [one], now, feed, careful=True)
    except IntegrityError:  # its control id was taken meanwhile, by another listener: a repeat now
        return _round(bind, [one], now, feed, careful=True)


@dataclass(frozen=True, slots=True)
class _Read:
    """A message as far as its MSH segment: the parsed header, or why it cannot be read."""

    raw: str
    source: str
    content_hash: str
    message: hl7.Message | None
    header: Header | None
    unreadable: str = ""


def _read(raw: str, source: str) -> _Read:
    content_hash = hashlib.sha256(raw.encode()).hexdigest()
    try:
        # MSH alone is parsed: it is all the outcome and the ACK are built from, the segments after it being read
        # by the event's own reader (python-hl7 takes any text as a segment, so parsing them refused nothing).
        message = hl7.parse(raw[:raw.find("\r") + 1] if raw.startswith("MSH") and "\r" in raw else raw)
        return _Read(raw, source, content_hash, message, _header(message))
    except Exception as error:  # noqa: BLE001 - anything a sender can make python-hl7 raise is a refusal
        return _Read(raw, source, content_hash, None, None, f"cannot be read as HL7 v2: {_unreadable(raw, error)}")


def _unreadable(raw: str, error: Exception) -> str:
    """Why, in words a person can act on — never a Python exception's own text ("list index out of range")."""
    if isinstance(error, ValueError) and str(error).startswith("MSH-"):
        return clean_line(str(error))[:200]  # our own words (MSH-9, MSH-10)
    if not raw.strip():
        return "the frame is empty"
    if not raw.startswith("MSH"):
        return f"it does not start with an MSH segment (it starts {clean_line(raw[:12])!r})"
    first = raw.split("\r", 1)[0]
    if len(first) < 8:
        return "its MSH segment is cut short: no field separator and encoding characters (MSH-1, MSH-2)"
    if len(first.split(first[3])) < 12:
        return "its MSH segment stops before MSH-12 (the version): a header needs MSH-1 to MSH-12"
    return "its MSH segment is not in HL7 v2's form (fields, components and repetitions by MSH-1 and MSH-2)"


def _round(bind: Engine | Connection, arrived: list[tuple[str, str]], now: Callable[[], datetime],
           feed: _Feed, *, careful: bool) -> list[Receipt]:
    """One transaction: the round's control ids looked up at once, each message acted on in turn, then every
    message stored in one statement (before the commit, so an ACK always means the message is kept)."""
    read = [_read(raw, source) for raw, source in arrived]
    with Session(bind) as session, session.begin():
        taken = _taken(session, [one.header for one in read if one.header is not None])
        people = None if careful else _people(session, read, taken, feed)
        done = [_receive_in(session, n, one, now, feed, taken, people) for n, one in enumerate(read)]
        if people is not None:
            people.write(session, now())
        ids = session.connection().execute(_STORE, [row for _, row in done]).scalars().all()
    return [replace(receipt, message_id=message_id) for (receipt, _), message_id in zip(done, ids, strict=True)]


def _people(session: Session, read: list[_Read], taken: dict[tuple[str, str], str],
            feed: _Feed) -> RoundOfPeople | None:
    """The round's people, found at once, where every message it acts on adds or updates a person (the feed's
    usual round); None where one does more (a booking, a merge, an attendance), each then found and written in
    turn."""
    acting = {n: (one.raw, one.header) for n, one in enumerate(read) if one.header is not None and
              handling(one.header) is Outcome.ACCEPTED and (one.header.sender, one.header.control_id) not in taken}
    if not acting or any(header.message_type not in _ONE_WRITE for _, header in acting.values()):
        return None
    trusts = {feed.profile.trust_of(header.sender) for _, header in acting.values()}
    if len(trusts) > 1 or None in trusts:  # numbers are each trust's own: a round of two trusts' goes one by one
        return None
    return RoundOfPeople(session, {n: raw for n, (raw, _) in acting.items()}, str(trusts.pop()),
                         allow_drama=feed.allow_drama, profile=feed.profile)


def _receive_in(session: Session, n: int, one: _Read, now: Callable[[], datetime], feed: _Feed,
                taken: dict[tuple[str, str], str], people: RoundOfPeople | None) -> tuple[Receipt, dict[str, Any]]:
    """One message, within the caller's transaction: its receipt, and the row that stores it."""
    if one.message is None or one.header is None:
        control_id = _control_id(one.raw)
        receipt = Receipt(Outcome.REFUSED, control_id, one.unreadable, _bare_ack(now(), control_id, one.unreadable))
        return receipt, _row(one, "unknown", control_id, None, now(), receipt)
    header = one.header
    previous = taken.get((header.sender, header.control_id))  # before this round, or earlier in it
    trust = feed.profile.trust_of(header.sender)
    if trust is None:
        outcome, reason, invited = Outcome.REFUSED, unnamed(header.sender), False
    elif previous is not None:
        outcome, reason, invited = *repeat(previous, one.content_hash), False
    elif people is not None and header.message_type in _ONE_WRITE:
        outcome, reason, invited = people.apply(n, header.message_type, trust, header.sender)
    else:
        outcome, reason, invited = _outcome(session, one.raw, header, trust, feed, now())
    if outcome in (Outcome.ACCEPTED, Outcome.IGNORED):
        taken[(header.sender, header.control_id)] = one.content_hash  # a resend later in this round is a repeat
    receipt = Receipt(outcome, header.control_id, reason, _ack(one.message, outcome, reason), None, invited)
    return receipt, _row(one, header.sender, header.control_id, header.message_type, now(), receipt)


def _outcome(session: Session, raw: str, header: Header, trust: str, feed: _Feed,
             now: datetime) -> tuple[Outcome, str, bool]:
    """(outcome, reason, whether invited) of a message whose control id is new: a kind the portal ignores, or what
    acting on it made of it, in a savepoint of its own."""
    outcome = handling(header)
    if outcome is not Outcome.ACCEPTED:
        return outcome, f"{header.message_type} is not a message the portal acts on: kept, nothing changed", False
    try:
        with session.begin_nested():  # the change and the message commit together, or neither
            outcome, reason, invited = _act(session, raw, header, trust, feed, now)
            if outcome is Outcome.REFUSED:
                raise _Undo(reason)
    except _Undo as refusal:
        return Outcome.REFUSED, str(refusal), False  # whatever was written before it is rolled back with it
    except IntegrityError as error:
        return Outcome.REFUSED, f"the database refused the change: {str(error.orig).splitlines()[0][:150]}", False
    return outcome, reason, invited


_ONE_WRITE = frozenset({"ADT^A28", "ADT^A31", "ADT^A08"})
"""The events that only add or update a person, every refusal known before anything is written: a round of them
(and of messages nothing is done with) is found and written by RoundOfPeople, without savepoints."""

_MESSAGES = Hl7MessageRow.__table__


@lru_cache(maxsize=16)
def _taken_query(senders: int) -> CompoundSelect | Select[Any]:
    """The messages already taken under the control ids asked: per sender (a round has one, as a rule: the PAS),
    its control ids — a search of the unique index, where the words of HL7_TAKEN let the database see that the
    partial index applies (asked with both as IN lists, SQLite reads every taken message instead)."""
    one = [select(_MESSAGES.c.sender, _MESSAGES.c.control_id, _MESSAGES.c.content_hash).where(
        _MESSAGES.c.sender == bindparam(f"sender_{n}"),
        _MESSAGES.c.control_id.in_(bindparam(f"control_ids_{n}", expanding=True)), text(HL7_TAKEN))
        for n in range(senders)]
    return one[0] if senders == 1 else union_all(*one)


_STORE = insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True)


def _taken(session: Session, headers: list[Header]) -> dict[tuple[str, str], str]:
    """(sender, control id) → the content hash of the message that took it, for the round's control ids."""
    if not headers:
        return {}
    by_sender: dict[str, set[str]] = {}
    for header in headers:
        by_sender.setdefault(header.sender, set()).add(header.control_id)
    asked: dict[str, Any] = {}
    for n, (sender, control_ids) in enumerate(sorted(by_sender.items())):
        asked[f"sender_{n}"], asked[f"control_ids_{n}"] = sender, sorted(control_ids)
    found = session.connection().execute(_taken_query(len(by_sender)), asked)
    return {(row.sender, row.control_id): row.content_hash for row in found}


def _row(one: _Read, sender: str, control_id: str | None, message_type: str | None, at: datetime,
         receipt: Receipt) -> dict[str, Any]:
    """The message kept, as received, with its outcome."""
    return {"sender": sender, "control_id": control_id, "message_type": message_type,
            "content_hash": one.content_hash, "raw": one.raw, "source": one.source[:300], "received_at": at,
            "outcome": receipt.outcome.value, "reason": receipt.reason[:300]}


class _Undo(Exception):
    """A refusal after some of the change was written: the savepoint goes, the message is still stored."""


def _act(session: Session, raw: str, header: Header, trust: str, feed: _Feed,
         now: datetime) -> tuple[Outcome, str, bool]:
    """What the message does: a booking (SIU), a merge (A40), or a person and their attendance (ADT)."""
    if header.message_type in BOOKING_EVENTS:
        return apply_booking(session, raw, header.message_type, trust, header.sender, feed.rules, now,
                             allow_drama=feed.allow_drama, profile=feed.profile)
    if header.message_type == "ADT^A40":
        return merge(session, raw, trust, now, header.sender, allow_drama=feed.allow_drama, profile=feed.profile)
    return apply_person(session, raw, header.message_type, trust, allow_drama=feed.allow_drama, rules=feed.rules,
                        now=now, sender=header.sender, profile=feed.profile)


def ingest(engine: Engine, paths: list[str], now: Callable[[], datetime] = lambda: datetime.now(UTC),
           rules: FeedRules | None = None, profile: Profile | None = None) -> IngestReport:
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
            report.add(name, receive(engine, raw, name, now, rules=rules, profile=profile))
    return report


def retry(engine: Engine, message_id: int, now: Callable[[], datetime] = lambda: datetime.now(UTC),
          rules: FeedRules | None = None, profile: Profile | None = None) -> Receipt:
    """Take a refused message again (after a fix: the patient now known, say), as a new receipt of the same
    text; the refused one stays as it was, for the record."""
    with Session(engine) as session:
        row = session.get(Hl7MessageRow, message_id)
        if row is None or row.outcome != Outcome.REFUSED.value:
            raise LookupError(f"There is no refused message {message_id} (see `portal-tui hl7 list --status refused`).")
        raw, source = row.raw, row.source
    return receive(engine, raw, f"retry of {message_id} ({source})"[:300], now, rules=rules, profile=profile)


def unnamed(sender: str) -> str:
    """Why a message from a sending system the settings do not name is refused."""
    return (f"MSH-3^MSH-4 {sender!r} is not a sending system the settings name (hl7_senders): refused, nothing "
            "changed — a message is never filed under a trust the settings do not give it")


def _header(message: hl7.Message) -> Header:
    msh = message.segment("MSH")
    control_id = str(msh[10]).strip()
    if not control_id:
        raise ValueError("MSH-10 (the message control id) is empty")
    sender = "^".join(part for part in (str(msh[3]).strip(), str(msh[4]).strip()) if part) or "unknown"
    kind = msh[9]
    code, trigger = (str(kind[0][0]).strip(), str(kind[0][1]).strip()) if len(kind[0]) > 1 else (str(kind), "")
    if not (_EVENT_PART.fullmatch(code) and _EVENT_PART.fullmatch(trigger)):
        raise ValueError(f"MSH-9 must name a message type and a trigger event, like ADT^A31 (it says "
                         f"{clean_line(str(kind))[:40]!r})")
    message_type = f"{code}^{trigger}"
    return Header(clean_line(sender)[:120], clean_line(control_id)[:80], clean_line(message_type)[:20],
                  str(msh[12]).strip())


def sender(raw: str) -> str:
    """MSH-3^MSH-4 as the listener compares it with the senders the settings name ('' where there is no MSH)."""
    first = raw.split("\r", 1)[0]
    if not first.startswith("MSH") or len(first) < 4:
        return ""
    fields = first.split(first[3])
    parts = [clean_line(fields[n]).split(first[4:5] or "^")[0].strip() if len(fields) > n else "" for n in (2, 3)]
    return "^".join(parts).upper()


def refusal(raw: str, reason: str) -> Receipt:
    """An AR for a message the listener will not take, with nothing stored and nothing changed."""
    control_id = _control_id(raw)
    return Receipt(Outcome.REFUSED, control_id, reason, _bare_ack(datetime.now(UTC), control_id, reason))


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
