"""Reference data into the database (`portal-tui reference load`), and free times from the session templates
(`portal-tui slots generate`). Both are idempotent: a second run of the same file, or of the same weeks, changes
nothing. What the file no longer names is retired, never deleted (appointments point at it)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from data.closures import closed, sweep
from data.models import (AppointmentTypeRow, ClinicianRow, ClosureRow, ClinicRow, ClinicSessionRow, LocationRow, SiteRow, SlotRow,
                         TrustRow)
from domain.reference import (AppointmentTypeRef, ClosureRef, Reference, ReferenceProblem, SessionTemplate, parse,
                              slots_for)


@dataclass
class ReferenceReport:
    """What a load changed, by kind of thing: {'clinic': {'added': 1, 'updated': 0, 'retired': 0}, …}."""

    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    swept: tuple[int, int] = (0, 0)
    """(free times on closed days removed, bookings on closed days left a to-do to rebook)."""

    def count(self, kind: str, what: str) -> None:
        self.changes.setdefault(kind, {"added": 0, "updated": 0, "retired": 0})[what] += 1

    @property
    def changed(self) -> bool:
        return any(n for counts in self.changes.values() for n in counts.values())

    def __str__(self) -> str:
        removed, to_rebook = self.swept
        closed = (f"\n{to_rebook} booking{'s' if to_rebook != 1 else ''} on a closed day: each shows on its "
                  "record as a to-do to rebook." if to_rebook else "") + (
            f"\n{removed} free time{'s' if removed != 1 else ''} on closed days removed." if removed else "")
        if not self.changed:
            return "The reference data is already as the file says; nothing changed." + closed
        lines = []
        for kind, counts in self.changes.items():
            said = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
            if said:
                lines.append(f"  {kind + 's':<12} {said}")
        return "Reference data loaded:\n" + "\n".join(lines) + closed


def _appointment_types(session: Session, report: ReferenceReport, trust: str,
                       types: tuple[AppointmentTypeRef, ...]) -> None:
    """The trust's PAS appointment types as the file gives them; one it no longer names is forgotten (a booking
    keeps what its type said when it came)."""
    stored = {row.code: row for row in session.scalars(select(AppointmentTypeRow).where(
        AppointmentTypeRow.trust_code == trust))}
    for given in types:
        values = dict(kind=given.kind.value, online_changes=given.online_changes)
        row = stored.pop(given.code, None)
        if row is None:
            session.add(AppointmentTypeRow(trust_code=trust, code=given.code, **values))
            report.count("appointment type", "added")
        elif _update(row, values):
            report.count("appointment type", "updated")
    for row in stored.values():
        session.delete(row)
        report.count("appointment type", "retired")
    session.flush()


def read(path: Path) -> Reference:
    """The file, parsed and checked; ReferenceProblem names what is wrong (a TOML slip with its line)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ReferenceProblem(f"{path} cannot be read: {error.strerror or error}.") from None
    except UnicodeDecodeError:
        raise ReferenceProblem(f"{path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as error:
        raise ReferenceProblem(f"{path} is not valid TOML: {error}.") from None
    return parse(document)


def apply(session: Session, reference: Reference, now: datetime | None = None) -> ReferenceReport:
    """Create or update everything the file names; retire the clinics and clinicians of its trusts that it no
    longer names. The caller commits."""
    report = ReferenceReport()
    for trust in reference.trusts:
        row = session.get(TrustRow, trust.code.value)
        values = dict(name=trust.name, short_name=trust.short_name, appointments_phone=trust.appointments_phone,
                      appointments_email=trust.appointments_email)
        if row is None:
            session.add(TrustRow(code=trust.code.value, **values))
            report.count("trust", "added")
        elif _update(row, values):
            report.count("trust", "updated")
        session.flush()
        locations: dict[str, LocationRow] = {}
        sites: dict[str, SiteRow] = {}
        for site in trust.sites:
            sites[site.code] = _upsert(session, report, "site", SiteRow, dict(code=site.code), dict(
                trust_code=trust.code.value, name=site.name, address=site.address, postcode=site.postcode))
            for loc in site.locations:
                found = session.scalars(select(LocationRow).where(LocationRow.code == loc.code)).first() or \
                    session.scalars(select(LocationRow).where(LocationRow.site_id == sites[site.code].id,
                                                              LocationRow.name == loc.name)).first()
                values = dict(code=loc.code, site_id=sites[site.code].id, name=loc.name, kind=loc.kind.value)
                if found is None:
                    found = LocationRow(**values)
                    session.add(found)
                    report.count("location", "added")
                elif _update(found, values):
                    report.count("location", "updated")
                session.flush()
                locations[loc.code] = found
        named_clinics, named_clinicians, pairs = set(), set(), set()
        for clinic in trust.clinics:
            named_clinics.add(clinic.code)
            clinic_row = _upsert(session, report, "clinic", ClinicRow, dict(code=clinic.code), dict(
                name=clinic.name, specialty=clinic.specialty, trust_code=trust.code.value,
                site_id=sites[clinic.site].id, location_id=locations[clinic.location].id,
                name_safe_in_sms=clinic.name_safe_in_sms, outpatient=clinic.outpatient, retired=False))
            for person in clinic.clinicians:
                named_clinicians.add(person.code)
                clinician = _upsert(session, report, "clinician", ClinicianRow, dict(code=person.code), dict(
                    title=person.title, given_name=person.given_name, family_name=person.family_name,
                    role=person.role, trust_code=trust.code.value, retired=False))
                _sessions(session, report, clinic_row.id, clinician.id, locations[clinic.location].id,
                          person.sessions)
                pairs.add((clinic_row.id, clinician.id))
        for template in session.scalars(select(ClinicSessionRow).join(ClinicRow).where(
                ClinicRow.trust_code == trust.code.value)):
            if (template.clinic_id, template.clinician_id) not in pairs:  # no longer runs this clinic
                session.delete(template)
                report.count("session", "retired")
        _appointment_types(session, report, trust.code.value, trust.appointment_types)
        _closures(session, report, trust.code.value, trust.closures, sites)
        _retire(session, report, ClinicRow, "clinic", trust.code.value, named_clinics, ClinicSessionRow.clinic_id)
        _retire(session, report, ClinicianRow, "clinician", trust.code.value, named_clinicians,
                ClinicSessionRow.clinician_id)
        session.flush()
    report.swept = sweep(session, now or datetime.now(UTC))
    return report


def _closures(session: Session, report: ReferenceReport, trust: str, given: tuple[ClosureRef, ...],
              sites: dict[str, SiteRow]) -> None:
    """The trust's closures made to be exactly those the file gives."""
    clinics = {row.code: row.id for row in session.scalars(select(ClinicRow).where(ClinicRow.trust_code == trust))}
    clinicians = {row.code: row.id for row in session.scalars(select(ClinicianRow).where(
        ClinicianRow.trust_code == trust))}
    wanted = {(c.first, c.last, c.reason, sites[c.site].id if c.site else None,
               clinics.get(c.clinic) if c.clinic else None, clinicians.get(c.clinician) if c.clinician else None)
              for c in given}
    stored = {(row.first_day, row.last_day, row.reason, row.site_id, row.clinic_id, row.clinician_id): row
              for row in session.scalars(select(ClosureRow).where(ClosureRow.trust_code == trust))}
    for key in wanted - set(stored):
        first, last, reason, site_id, clinic_id, clinician_id = key
        session.add(ClosureRow(trust_code=trust, first_day=first, last_day=last, reason=reason, site_id=site_id,
                               clinic_id=clinic_id, clinician_id=clinician_id))
        report.count("closure", "added")
    for key in set(stored) - wanted:
        session.delete(stored[key])
        report.count("closure", "retired")
    session.flush()


def generate_slots(session: Session, first_day: date, days: int) -> int:
    """Free times from every session template, from `first_day` for `days` days — none on a closed day (a bank
    holiday, the trust's closure of the trust, site, clinic or clinician); a time already there (same clinician,
    same start) is left as it is. How many slots were added. The caller commits (and sweeps, for closures
    declared since: data/closures.py)."""
    rule = closed(session)
    trusts = {row.id: row.trust_code for row in session.execute(select(ClinicRow.id, ClinicRow.trust_code))}
    sites = {row.id: row.site_id for row in session.execute(select(LocationRow.id, LocationRow.site_id))}
    added = 0
    templates = session.execute(
        select(ClinicSessionRow).join(ClinicRow, ClinicRow.id == ClinicSessionRow.clinic_id)
        .join(ClinicianRow, ClinicianRow.id == ClinicSessionRow.clinician_id)
        .where(ClinicRow.retired.is_(False), ClinicianRow.retired.is_(False))
        .order_by(ClinicSessionRow.clinic_id, ClinicSessionRow.clinician_id, ClinicSessionRow.weekday,
                  ClinicSessionRow.starts)).scalars().all()
    by_clinician: dict[int, list[ClinicSessionRow]] = {}
    for template in templates:
        by_clinician.setdefault(template.clinician_id, []).append(template)
    for clinician_id, own in by_clinician.items():
        have = set(session.scalars(select(SlotRow.starts_at).where(SlotRow.clinician_id == clinician_id)))
        rows = []
        for template in own:
            shape = SessionTemplate(template.weekday, _time(template.starts), _time(template.ends),
                                    template.slot_minutes)
            for start in slots_for(shape, first_day, days):
                if start not in have and rule.why_at(start, trusts[template.clinic_id],
                                                     sites.get(template.location_id), template.clinic_id,
                                                     clinician_id) is None:
                    have.add(start)
                    rows.append(dict(clinic_id=template.clinic_id, clinician_id=clinician_id,
                                     location_id=template.location_id, starts_at=start,
                                     duration_minutes=template.slot_minutes))
        if rows:
            rows.sort(key=lambda r: r["starts_at"])
            session.execute(SlotRow.__table__.insert(), rows)
            added += len(rows)
    return added


def _sessions(session: Session, report: ReferenceReport, clinic_id: int, clinician_id: int, location_id: int,
              wanted: tuple[SessionTemplate, ...]) -> None:
    """The clinician's templates in this clinic made to be exactly those the file gives."""
    shape = {(t.weekday, f"{t.starts:%H:%M}", f"{t.ends:%H:%M}", t.slot_minutes) for t in wanted}
    existing = session.scalars(select(ClinicSessionRow).where(ClinicSessionRow.clinician_id == clinician_id,
                                                              ClinicSessionRow.clinic_id == clinic_id)).all()
    have = {(r.weekday, r.starts, r.ends, r.slot_minutes) for r in existing if r.location_id == location_id}
    if have == shape and len(existing) == len(have):
        return
    for row in existing:
        session.delete(row)
    session.flush()
    for weekday, starts, ends, minutes in sorted(shape):
        session.add(ClinicSessionRow(clinic_id=clinic_id, clinician_id=clinician_id, location_id=location_id,
                                     weekday=weekday, starts=starts, ends=ends, slot_minutes=minutes))
    session.flush()
    report.count("session", "updated" if existing else "added")


def _retire(session: Session, report: ReferenceReport, model, kind: str, trust: str, named: set[str],  # type: ignore[no-untyped-def]
            sessions_of) -> None:
    """Retire what the trust's file no longer names (kept: appointments point at it), and drop its sessions."""
    for row in session.scalars(select(model).where(model.trust_code == trust, model.retired.is_(False))):
        if row.code not in named:
            row.retired = True
            report.count(kind, "retired")
            session.execute(delete(ClinicSessionRow).where(sessions_of == row.id))


def _upsert(session: Session, report: ReferenceReport, kind: str, model, key: dict, values: dict):  # type: ignore[no-untyped-def]
    row = session.scalars(select(model).filter_by(**key)).first()
    if row is None:
        row = model(**key, **values)
        session.add(row)
        report.count(kind, "added")
    elif _update(row, values):
        report.count(kind, "updated")
    session.flush()
    return row


def _update(row: object, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _time(text: str):  # type: ignore[no-untyped-def]
    from datetime import time

    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))
