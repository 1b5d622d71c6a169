"""Attendances and stays the PAS reports (ADT A04, A01) kept as visits in the patient's hospital history, under
the PAS's visit number (PV1-19), and ended by the discharge (A03) that names the same number."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import ExternalRecordRow, LocationRow, SiteRow, VisitRow
from domain.events.bookings import hl7_moment
from domain.records.visits import VisitKind
from domain.text import clean_line

RESOURCE = "hl7_visit"
_KINDS = {"E": VisitKind.EMERGENCY, "I": VisitKind.ADMISSION, "O": VisitKind.OUTPATIENT}


def record_visit(session: Session, raw: str, pv1: list[str], component: str, message_type: str, patient_id: int,
                 trust: str, now: datetime) -> str:
    """What was kept, in words for the message's record."""
    def field(n: int) -> str:
        return pv1[n] if len(pv1) > n else ""

    number = clean_line(field(19).split(component)[0]).strip()[:100]
    if not number:
        return "no visit kept (PV1-19 gives no visit number)"
    mapping = session.scalars(select(ExternalRecordRow).where(
        ExternalRecordRow.trust_code == trust, ExternalRecordRow.resource_type == RESOURCE,
        ExternalRecordRow.source_id == number)).first()
    visit = session.get(VisitRow, mapping.target_id) if mapping is not None and mapping.target_id else None
    kind = _KINDS.get(field(2).strip().upper()[:1])
    if message_type == "ADT^A03":
        ended = hl7_moment(field(45)) or now
        if visit is not None:
            visit.ended_at, visit.status = ended, "finished"
            return f"visit {number} ended"
        if kind is None:
            return f"no visit {number} was kept to end, and PV1-2 gives no patient class to keep it by"
        # A stay that began before the feed did (go-live), or whose admission was lost: kept, as ended.
        visit = VisitRow(patient_id=patient_id, trust_code=trust, kind=kind.value, status="finished",
                         started_at=hl7_moment(field(44)) or ended, ended_at=ended, title=kind.label,
                         place=_place(session, field(3).split(component)[0]))
        return _keep(session, raw, visit, number, trust, patient_id, now) + " as ended (its start was not received)"
    if kind is None:
        return f"no visit kept (patient class {clean_line(field(2))[:5]!r})"
    started = hl7_moment(field(44)) or now
    place = _place(session, field(3).split(component)[0])
    if visit is None:
        visit = VisitRow(patient_id=patient_id, trust_code=trust, kind=kind.value, status="in-progress",
                         started_at=started, title=kind.label, place=place)
        return _keep(session, raw, visit, number, trust, patient_id, now)
    visit.kind, visit.started_at, visit.place = kind.value, started, place or visit.place
    return f"visit {number} updated"


def _keep(session: Session, raw: str, visit: VisitRow, number: str, trust: str, patient_id: int,
          now: datetime) -> str:
    session.add(visit)
    session.flush()
    session.add(ExternalRecordRow(trust_code=trust, resource_type=RESOURCE, source_id=number,
                                  content_hash=hashlib.sha256(raw.encode()).hexdigest(), patient_id=patient_id,
                                  target_table="visit", target_id=visit.id, imported_at=now))
    return f"visit {number} kept"


def _place(session: Session, code: str) -> str | None:
    code = clean_line(code).strip().upper()
    if not code:
        return None
    found = session.execute(select(LocationRow.name, SiteRow.name).join(SiteRow, SiteRow.id == LocationRow.site_id)
                            .where(LocationRow.code == code)).first()
    return f"{found[0]}, {found[1]}" if found else None
