"""The hospital's own reference data — trusts and their Appointments teams, sites, locations, clinics, clinicians
and the sessions they run — as a trust writes it down (`portal-tui reference load FILE`, README "Reference
data"), checked before anything is written: every problem is named with where it is in the file.

Free times come from the sessions: each clinician's weekly template (weekday, start, end, minutes a slot)
laid over the weeks asked for, in London time, as `slots_for` does."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from domain.clock import LONDON
from domain.errors import InvalidValue
from domain.appointments.model import AppointmentKind
from domain.hospital import TrustCode
from domain.identifiers import Postcode

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,23}$")


class LocationKind(StrEnum):
    """What a location is, for the feed: an ED attendance invites, a UTC attendance never does."""

    CLINIC = "clinic"
    ED = "ed"
    UTC = "utc"
    WARD = "ward"
    IMAGING = "imaging"
    THEATRE = "theatre"


class ReferenceProblem(InvalidValue):
    """The reference file cannot be used as it is; the message says where and why. Nothing was written."""


@dataclass(frozen=True, slots=True)
class SessionTemplate:
    """A clinician's weekly session: every `weekday` from `starts` to `ends`, slots of `slot_minutes`."""

    weekday: int
    starts: time
    ends: time
    slot_minutes: int

    def times(self) -> list[time]:
        """The slot start times in one session; the last slot ends by the session's end."""
        out: list[time] = []
        moment = datetime.combine(date(2000, 1, 3), self.starts)
        end = datetime.combine(date(2000, 1, 3), self.ends)
        while moment + timedelta(minutes=self.slot_minutes) <= end:
            out.append(moment.time())
            moment += timedelta(minutes=self.slot_minutes)
        return out


@dataclass(frozen=True, slots=True)
class ClinicianRef:
    code: str
    title: str
    given_name: str
    family_name: str
    role: str
    sessions: tuple[SessionTemplate, ...]


@dataclass(frozen=True, slots=True)
class ClinicRef:
    code: str
    name: str
    specialty: str
    site: str
    location: str
    """The location code where its sessions run."""
    name_safe_in_sms: bool
    outpatient: bool
    clinicians: tuple[ClinicianRef, ...]


@dataclass(frozen=True, slots=True)
class LocationRef:
    code: str
    name: str
    kind: LocationKind


@dataclass(frozen=True, slots=True)
class SiteRef:
    code: str
    name: str
    address: str
    postcode: str
    locations: tuple[LocationRef, ...]


@dataclass(frozen=True, slots=True)
class TrustRef:
    code: TrustCode
    name: str
    short_name: str
    appointments_phone: str
    appointments_email: str
    sites: tuple[SiteRef, ...]
    clinics: tuple[ClinicRef, ...]
    appointment_types: tuple[AppointmentTypeRef, ...] = ()
    closures: tuple[ClosureRef, ...] = ()


@dataclass(frozen=True, slots=True)
class ClosureRef:
    """A day or days the trust (or one site, clinic or clinician of it) sees no one: [[trust.closure]]."""

    first: date
    last: date
    reason: str
    site: str | None = None
    clinic: str | None = None
    clinician: str | None = None


@dataclass(frozen=True, slots=True)
class AppointmentTypeRef:
    """The trust's PAS appointment type code (SIU SCH-8) and what it is: first or follow-up (changeable online),
    or a kind the patient only sees ('not-online')."""

    code: str
    kind: AppointmentKind
    online_changes: bool


TYPE_WORDS = {"first": AppointmentKind.OUTPATIENT_NEW, "new": AppointmentKind.OUTPATIENT_NEW,
              "follow-up": AppointmentKind.OUTPATIENT_FOLLOW_UP, "not-online": AppointmentKind.OUTPATIENT_FOLLOW_UP,
              **{kind.value: kind for kind in AppointmentKind}}
"""What an [[trust.appointment_type]]'s `is` may say."""


@dataclass(frozen=True, slots=True)
class Reference:
    trusts: tuple[TrustRef, ...]


def parse(document: Mapping[str, Any]) -> Reference:
    """The reference data, or ReferenceProblem naming the first thing wrong and where."""
    trusts = [_trust(t, f"trust {i + 1}") for i, t in enumerate(_list(document, "trust", "the file"))]
    if not trusts:
        raise ReferenceProblem("The file names no trust: start with a [[trust]] table (see the README).")
    _unique([t.code.value for t in trusts], "trust code")
    _unique([s.code for t in trusts for s in t.sites], "site code")
    _unique([loc.code for t in trusts for s in t.sites for loc in s.locations], "location code")
    _unique([c.code for t in trusts for c in t.clinics], "clinic code")
    # A clinician may run sessions in several clinics: the same code, given once in each.
    return Reference(tuple(trusts))


def slots_for(template: SessionTemplate, first_day: date, days: int) -> Iterator[datetime]:
    """Each slot start (UTC) of a weekly session from `first_day` for `days` days; clinics keep London hours
    through the clock change."""
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if day.weekday() == template.weekday:
            for at in template.times():
                yield datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def _trust(raw: Any, where: str) -> TrustRef:
    table = _table(raw, where)
    code = _text(table, "code", where)
    try:
        trust = TrustCode(code.upper())
    except ValueError:
        raise ReferenceProblem(f"{where}: the portal serves the trusts RWG and RAL, not {code!r}.") from None
    where = f"trust {trust.value}"
    sites = tuple(_site(s, f"{where} › site {i + 1}") for i, s in enumerate(_list(table, "site", where)))
    locations = {loc.code for s in sites for loc in s.locations}
    clinics = tuple(_clinic(c, f"{where} › clinic {i + 1}", {s.code for s in sites}, locations)
                    for i, c in enumerate(_list(table, "clinic", where)))
    types = tuple(_appointment_type(t, f"{where} › appointment_type {i + 1}")
                  for i, t in enumerate(_list(table, "appointment_type", where)))
    _unique([t.code for t in types], f"{where} appointment type code")
    closures = tuple(_closure(c, f"{where} › closure {i + 1}", sites, clinics)
                     for i, c in enumerate(_list(table, "closure", where)))
    return TrustRef(trust, _text(table, "name", where, 120), _text(table, "short_name", where, 40),
                    _text(table, "appointments_phone", where, 20), _text(table, "appointments_email", where, 120),
                    sites, clinics, types, closures)


def _closure(raw: Any, where: str, sites: tuple[SiteRef, ...], clinics: tuple[ClinicRef, ...]) -> ClosureRef:
    table = _table(raw, where)
    first, last = table.get("from"), table.get("to", table.get("from"))
    if not isinstance(first, date) or isinstance(first, datetime) or not isinstance(last, date) or \
            isinstance(last, datetime):
        raise ReferenceProblem(f"{where}: from (and to, for a range) must be dates, like from = 2026-12-24.")
    if last < first:
        raise ReferenceProblem(f"{where}: to ({last.isoformat()}) is before from ({first.isoformat()}).")
    named = {key: str(table[key]).strip().upper() for key in ("site", "clinic", "clinician") if key in table}
    if len(named) > 1:
        raise ReferenceProblem(f"{where}: name one of site, clinic or clinician (or none, for the whole trust).")
    known = {"site": {s.code for s in sites}, "clinic": {c.code for c in clinics},
             "clinician": {p.code for c in clinics for p in c.clinicians}}
    for key, code in named.items():
        if code not in known[key]:
            raise ReferenceProblem(f"{where}: {key} {code!r} is not one of this trust's.")
    return ClosureRef(first, last, _text(table, "reason", where, 120), named.get("site"), named.get("clinic"),
                      named.get("clinician"))


def _appointment_type(raw: Any, where: str) -> AppointmentTypeRef:
    table = _table(raw, where)
    code = _text(table, "code", where, 20).upper().replace("-", "").replace(" ", "")
    said = _text(table, "is", where, 40).lower()
    if said not in TYPE_WORDS:
        raise ReferenceProblem(f"{where}: is must be first, follow-up or not-online (or a kind: "
                               f"{', '.join(k.value for k in AppointmentKind)}), not {said!r}.")
    kind = TYPE_WORDS[said]
    online = _flag(table, "online", where, said != "not-online" and kind.changeable_online)
    return AppointmentTypeRef(code, kind, online)


def _site(raw: Any, where: str) -> SiteRef:
    table = _table(raw, where)
    code = _code(table, where)
    where = f"{where.rsplit(' › ', 1)[0]} › site {code}"
    postcode = _text(table, "postcode", where)
    try:
        postcode = Postcode.parse(postcode).value
    except InvalidValue:
        raise ReferenceProblem(f"{where}: {postcode!r} is not a UK postcode.") from None
    locations = []
    for i, item in enumerate(_list(table, "location", where)):
        loc = _table(item, f"{where} › location {i + 1}")
        kind = _text(loc, "kind", f"{where} › location {i + 1}", default="clinic").lower()
        try:
            kind_value = LocationKind(kind)
        except ValueError:
            raise ReferenceProblem(f"{where} › location {i + 1}: kind {kind!r} is not one of "
                                   f"{', '.join(k.value for k in LocationKind)}.") from None
        locations.append(LocationRef(_code(loc, f"{where} › location {i + 1}", 24),
                                     _text(loc, "name", f"{where} › location {i + 1}", 120), kind_value))
    return SiteRef(code, _text(table, "name", where, 120), _text(table, "address", where, 200), postcode,
                   tuple(locations))


def _clinic(raw: Any, where: str, sites: set[str], locations: set[str]) -> ClinicRef:
    table = _table(raw, where)
    code = _code(table, where)
    where = f"{where.rsplit(' › ', 1)[0]} › clinic {code}"
    site = _text(table, "site", where).upper()
    if site not in sites:
        raise ReferenceProblem(f"{where}: site {site!r} is not one of this trust's sites.")
    location = _text(table, "location", where).upper()
    if location not in locations:
        raise ReferenceProblem(f"{where}: location {location!r} is not one of this trust's locations.")
    default_minutes = table.get("slot_minutes", 20)
    clinicians = tuple(_clinician(p, f"{where} › clinician {i + 1}", default_minutes)
                       for i, p in enumerate(_list(table, "clinician", where)))
    return ClinicRef(code, _text(table, "name", where, 120), _text(table, "specialty", where, 80), site, location,
                     _flag(table, "name_safe_in_sms", where, False), _flag(table, "outpatient", where, True),
                     clinicians)


def _clinician(raw: Any, where: str, default_minutes: Any) -> ClinicianRef:
    table = _table(raw, where)
    code = _code(table, where)
    where = f"{where.rsplit(' › ', 1)[0]} › clinician {code}"
    sessions = []
    for i, item in enumerate(_list(table, "session", where)):
        at = f"{where} › session {i + 1}"
        s = _table(item, at)
        minutes = s.get("slot_minutes", default_minutes)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 5 <= minutes <= 240:
            raise ReferenceProblem(f"{at}: slot_minutes must be a whole number of minutes from 5 to 240.")
        starts, ends = _clock(s, "starts", at), _clock(s, "ends", at)
        if ends <= starts:
            raise ReferenceProblem(f"{at}: a session ends after it starts ({starts:%H:%M} to {ends:%H:%M}).")
        days = s.get("days")
        if not isinstance(days, list) or not days or not all(isinstance(d, str) for d in days):
            raise ReferenceProblem(f"{at}: days must be a list such as [\"mon\", \"thu\"].")
        for day in days:
            if day.strip().lower()[:3] not in WEEKDAYS:
                raise ReferenceProblem(f"{at}: {day!r} is not a day of the week.")
            sessions.append(SessionTemplate(WEEKDAYS.index(day.strip().lower()[:3]), starts, ends, minutes))
    return ClinicianRef(code, _text(table, "title", where, 20), _text(table, "given_name", where, 80),
                        _text(table, "family_name", where, 80), _text(table, "role", where, 80), tuple(sessions))


def _table(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ReferenceProblem(f"{where}: expected a table of keys and values.")
    return raw


def _list(table: Mapping[str, Any], key: str, where: str) -> list[Any]:
    found = table.get(key, [])
    if not isinstance(found, list):
        raise ReferenceProblem(f"{where}: {key} must be a list of tables ([[...{key}]]).")
    return found


def _text(table: Mapping[str, Any], key: str, where: str, limit: int = 24, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ReferenceProblem(f"{where}: {key} is missing (text).")
    value = " ".join(value.split())
    if len(value) > limit or any(ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0 for ch in value):
        raise ReferenceProblem(f"{where}: {key} must be plain text of at most {limit} characters.")
    return value


def _code(table: Mapping[str, Any], where: str, limit: int = 16) -> str:
    code = _text(table, "code", where).upper()
    if not _CODE.match(code) or len(code) > limit:
        raise ReferenceProblem(f"{where}: code {code!r} must be letters, digits and hyphens (at most {limit}).")
    return code


def _flag(table: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ReferenceProblem(f"{where}: {key} must be true or false.")
    return value


def _clock(table: Mapping[str, Any], key: str, where: str) -> time:
    value = table.get(key)
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        hours, minutes = (int(p) for p in value.strip().split(":"))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise ReferenceProblem(f"{where}: {key} must be a time of day such as \"09:00\".")


def _unique(codes: list[str], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ReferenceProblem(f"The {what} {code} is used twice; each must be unique.")
        seen.add(code)
