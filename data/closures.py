"""Closed days in the database: the trust's closures read for the domain's rule (domain/closures.py), and the
sweep that keeps the slot table true to them — free times on a closed day removed, bookings a closure now falls
on left a to-do to rebook (audited), both from today on."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from data.models import LIVE_STATUS_SQL, AppointmentRow, AuditEventRow, ClinicRow, ClosureRow, LocationRow, SlotRow
from domain.clock import LONDON
from domain.closures import Closed, Closure

REBOOK_CLOSED = "Rebook: the clinic is closed that day"
"""The to-do a closure declared after the booking leaves on it."""


def closed(session: Session) -> Closed:
    """Bank holidays and every trust's closures."""
    return Closed(tuple(Closure(row.trust_code, row.first_day, row.last_day, row.reason, row.site_id, row.clinic_id,
                                row.clinician_id) for row in session.scalars(select(ClosureRow))))


def sweep(session: Session, now: datetime, horizon_days: int = 400) -> tuple[int, int]:
    """From today for `horizon_days`: (free times removed, bookings left a to-do to rebook). The caller commits."""
    rule = closed(session)
    until = now + timedelta(days=horizon_days)
    rows = session.execute(
        select(SlotRow.id, SlotRow.starts_at, SlotRow.clinic_id, SlotRow.clinician_id, LocationRow.site_id,
               ClinicRow.trust_code)
        .join(LocationRow, LocationRow.id == SlotRow.location_id).join(ClinicRow, ClinicRow.id == SlotRow.clinic_id)
        .where(SlotRow.starts_at > now, SlotRow.starts_at < until)).all()
    shut = {row.id: why for row in rows if (why := rule.why_at(row.starts_at, row.trust_code, row.site_id,
                                                                  row.clinic_id, row.clinician_id))}
    booked = {appointment.slot_id: appointment for appointment in session.scalars(
        select(AppointmentRow).where(AppointmentRow.slot_id.in_(list(shut)), text(f"appointment.{LIVE_STATUS_SQL}")))
    } if shut else {}
    free = [slot_id for slot_id in shut if slot_id not in booked]
    if free:  # never a slot that any booking, live or past, still points at
        held = set(session.scalars(select(AppointmentRow.slot_id).where(AppointmentRow.slot_id.in_(free))))
        free = [slot_id for slot_id in free if slot_id not in held]
        for start in range(0, len(free), 500):
            session.execute(delete(SlotRow).where(SlotRow.id.in_(free[start:start + 500])))
    told = 0
    for slot_id, appointment in booked.items():
        if appointment.status != "booked" or REBOOK_CLOSED in (appointment.arrangements or "") and \
                appointment.arrangements_done_at is None:
            continue
        why = shut[slot_id]
        to_do = f"{REBOOK_CLOSED} ({why})"
        pending = appointment.arrangements if appointment.arrangements and appointment.arrangements_done_at is None \
            else None
        appointment.arrangements = "; ".join(part for part in (pending, to_do) if part)[:200]
        appointment.arrangements_done_at = appointment.arrangements_done_by = None
        session.add(AuditEventRow(at=now, actor_kind="system", actor_id="closures", actor_role=None,
                                  patient_id=appointment.patient_id, action="closed_day_booking", outcome="success",
                                  detail=f"{appointment.reference} on {appointment.starts_at.astimezone(LONDON):%d %b %Y}"
                                         f": {why}; to rebook", terminal="reference data"))
        told += 1
    session.flush()
    return len(free), told
