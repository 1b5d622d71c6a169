"""Heartbeats of the long-running services, and the figures `portal-tui status` reports."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, or_, and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.models import HeartbeatRow, Hl7MessageRow, SmsMessageRow
from domain.events.feed import Outcome
from domain.messaging.model import SmsStatus
from domain.operations import Health


def beat(engine: Engine, service: str, now: datetime) -> None:
    """This process, on this host, is alive now."""
    host, pid = socket.gethostname()[:120], os.getpid()
    with Session(engine) as session, session.begin():
        done = session.execute(update(HeartbeatRow).where(HeartbeatRow.service == service, HeartbeatRow.host == host)
                               .values(pid=pid, seen_at=now))
        if done.rowcount:
            return
    try:
        with Session(engine) as session, session.begin():
            session.add(HeartbeatRow(service=service, host=host, pid=pid, seen_at=now))
    except IntegrityError:  # another process on this host said so at the same moment: so be it
        pass


def health(engine: Engine, now: datetime, revision: str | None, head: str | None) -> Health:
    day = now - timedelta(days=1)
    waiting = or_(and_(SmsMessageRow.status == SmsStatus.QUEUED.value, SmsMessageRow.send_after <= now),
                  SmsMessageRow.status == SmsStatus.SENDING.value)
    with Session(engine) as session:
        count, oldest = session.execute(select(func.count(), func.min(SmsMessageRow.send_after)).where(waiting)).one()
        failed = session.scalar(select(func.count()).where(SmsMessageRow.status == SmsStatus.FAILED.value)) or 0
        held = session.scalar(select(func.count()).where(SmsMessageRow.status == SmsStatus.HELD.value)) or 0
        failed_day = session.scalar(select(func.count()).where(SmsMessageRow.status == SmsStatus.FAILED.value,
                                                               SmsMessageRow.created_at >= day)) or 0
        refused = session.scalar(select(func.count()).where(Hl7MessageRow.outcome == Outcome.REFUSED.value)) or 0
        refused_day = session.scalar(select(func.count()).where(Hl7MessageRow.outcome == Outcome.REFUSED.value,
                                                                Hl7MessageRow.received_at >= day)) or 0
        seen = {service: at for service, at in session.execute(
            select(HeartbeatRow.service, func.max(HeartbeatRow.seen_at)).group_by(HeartbeatRow.service))}
    return Health(now, count, oldest, failed_day, failed, refused_day, refused, seen, revision, head, held)
