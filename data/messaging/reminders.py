"""Queues appointment reminders into the outbox, once per appointment and offset, and withdraws them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data.backup import last_restore
from data.models import AppointmentRow, ClinicRow, PatientRow, SiteRow, SmsMessageRow, TrustRow
from domain.hospital import Trust, TrustCode
from domain.language import ENGLISH
from domain.messaging.wording import reminder_sms
from domain.messaging.model import SmsStatus, SmsTemplate
from domain.messaging.sms import reminders_due

CHUNK = 5000


@dataclass
class ReminderReport:
    """What a `sms remind` run did."""

    queued: int
    already_queued: int

    def __str__(self) -> str:
        return f"Queued {self.queued} reminders ({self.already_queued} were queued already)."


def queue_reminders(engine: Engine, now: datetime, offsets: tuple[int, ...],
                    lookahead: timedelta = timedelta(days=1)) -> ReminderReport:
    """Reminders due within the lookahead for booked appointments of living patients with a mobile.
    The dedupe key is unique in the database, so overlapping runs cannot queue one twice."""
    horizon = now + timedelta(days=max(offsets)) + lookahead
    with Session(engine) as session, session.begin():
        trusts = {row.code: Trust(TrustCode(row.code), row.name, row.short_name, row.appointments_phone,
                                  row.appointments_email) for row in session.scalars(select(TrustRow))}
        rows = session.execute(
            select(AppointmentRow.id, AppointmentRow.patient_id, AppointmentRow.starts_at, AppointmentRow.trust_code,
                   PatientRow.mobile, ClinicRow.name, ClinicRow.name_safe_in_sms, SiteRow.name, PatientRow.language)
            .join(PatientRow, PatientRow.id == AppointmentRow.patient_id)
            .join(ClinicRow, ClinicRow.id == AppointmentRow.clinic_id)
            .join(SiteRow, SiteRow.id == ClinicRow.site_id)
            .where(AppointmentRow.status == "booked", AppointmentRow.starts_at > now,
                   AppointmentRow.starts_at <= horizon, PatientRow.mobile.is_not(None),
                   PatientRow.date_of_death.is_(None))
        ).all()
        # After a restore, a reminder that was due before it may have gone from the live database: held for a person.
        restored = last_restore(session)
        values = []
        for appointment_id, patient_id, starts_at, trust, mobile, clinic, safe, site, language in rows:
            for plan in reminders_due(starts_at, now, offsets, lookahead):
                values.append(dict(
                    id=secrets.token_hex(16), patient_id=patient_id, appointment_id=appointment_id, to_number=mobile,
                    template=SmsTemplate.REMINDER.value, created_at=now,
                    status=(SmsStatus.HELD if restored is not None and plan.due <= restored else SmsStatus.QUEUED).value,
                    send_after=plan.send_after, attempts=0, dedupe_key=f"reminder:{appointment_id}:{plan.offset_days}d",
                    body=reminder_sms(trusts[trust], starts_at, site, clinic if safe else None, language),
                    language=language or ENGLISH))
        before = _reminders(session)
        for start in range(0, len(values), CHUNK):
            session.execute(_insert_ignoring_duplicates(engine), values[start:start + CHUNK])
        queued = _reminders(session) - before
    return ReminderReport(queued, len(values) - queued)


def withdraw_reminders(session: Session, appointment_id: int) -> int:
    """Inside the caller's transaction (a reschedule or cancellation): reminders not yet sent are withdrawn."""
    result = session.execute(update(SmsMessageRow).where(
        SmsMessageRow.appointment_id == appointment_id, SmsMessageRow.template == SmsTemplate.REMINDER.value,
        SmsMessageRow.status == SmsStatus.QUEUED.value).values(status=SmsStatus.WITHDRAWN.value))
    return result.rowcount


def _reminders(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SmsMessageRow)
                          .where(SmsMessageRow.template == SmsTemplate.REMINDER.value)) or 0


def _insert_ignoring_duplicates(engine: Engine):  # type: ignore[no-untyped-def]
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(SmsMessageRow).on_conflict_do_nothing(index_elements=["dedupe_key"])
