"""Repositories for accounts, invitations, one-time codes, challenges, trusts and the SMS outbox."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data import convert
from data.messaging.sealing import sealed
from data.models import ChallengeRow, InvitationRow, OneTimeCodeRow, PatientAccountRow, SmsMessageRow, TrustRow
from domain.identity.challenges import Challenge, Invitation, RegistrationRoute
from domain.identity.codes import CodePurpose, OneTimeCode
from domain.hospital import Trust, TrustCode
from domain.messaging.model import SmsMessage
from domain.identity.patients import PatientAccount


class SqlAccountRepository:
    """Patients' portal accounts."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def for_patient(self, patient_id: int) -> PatientAccount | None:
        row = self._session.get(PatientAccountRow, patient_id, populate_existing=True)
        return convert.patient_account(row) if row else None

    def by_email(self, email: str) -> PatientAccount | None:
        row = self._session.scalar(select(PatientAccountRow).where(PatientAccountRow.email == email))
        return convert.patient_account(row) if row else None

    def add(self, account: PatientAccount) -> None:
        self._session.add(PatientAccountRow(patient_id=account.patient_id, email=str(account.email),
                                            password_hash=account.password_hash, registered_at=account.registered_at,
                                            failed_sign_ins=account.failed_sign_ins, locked_until=account.locked_until))

    def save(self, account: PatientAccount) -> None:
        row = self._session.get(PatientAccountRow, account.patient_id)
        assert row is not None
        row.failed_sign_ins = account.failed_sign_ins
        row.locked_until = account.locked_until
        row.password_hash = account.password_hash


class SqlInvitationRepository:
    """SMS invitations to register."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def by_hash(self, code_hash: str) -> Invitation | None:
        row = self._session.scalar(select(InvitationRow).where(InvitationRow.code_hash == code_hash))
        if row is None:
            return None
        return Invitation(row.id, row.patient_id, row.code_hash, row.created_at, row.expires_at, row.used_at)

    def mark_used(self, invitation_id: int, when: datetime) -> None:
        self._session.execute(update(InvitationRow).where(InvitationRow.id == invitation_id).values(used_at=when))

    def add(self, invitation: Invitation) -> int:
        row = InvitationRow(patient_id=invitation.patient_id, code_hash=invitation.code_hash,
                            created_at=invitation.created_at, expires_at=invitation.expires_at)
        self._session.add(row)
        self._session.flush()
        return row.id

    def latest_for(self, patient_id: int) -> datetime | None:
        return self._session.scalar(select(InvitationRow.created_at).where(InvitationRow.patient_id == patient_id)
                                    .order_by(InvitationRow.created_at.desc()).limit(1))


class SqlCodeRepository:
    """One-time codes, hashed."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def recent(self, patient_id: int, purpose: CodePurpose, since: datetime) -> list[OneTimeCode]:
        rows = self._session.scalars(select(OneTimeCodeRow).where(
            OneTimeCodeRow.patient_id == patient_id, OneTimeCodeRow.purpose == purpose.value,
            OneTimeCodeRow.created_at > since).order_by(OneTimeCodeRow.created_at))
        return [_code(row) for row in rows]

    def current(self, challenge_id: str) -> OneTimeCode | None:
        row = self._session.scalar(select(OneTimeCodeRow).where(
            OneTimeCodeRow.challenge_id == challenge_id,
            OneTimeCodeRow.superseded.is_(False)).order_by(OneTimeCodeRow.created_at.desc()).limit(1))
        return _code(row) if row else None

    def add(self, code: OneTimeCode) -> None:
        self._session.execute(update(OneTimeCodeRow).where(
            OneTimeCodeRow.challenge_id == code.challenge_id, OneTimeCodeRow.used_at.is_(None)).values(superseded=True))
        values = asdict(code)
        values["purpose"] = code.purpose.value
        self._session.add(OneTimeCodeRow(**values))
        self._session.flush()

    def save(self, code: OneTimeCode) -> None:
        self._session.execute(update(OneTimeCodeRow).where(OneTimeCodeRow.id == code.id).values(
            wrong_tries=code.wrong_tries, used_at=code.used_at, superseded=code.superseded))


def _code(row: OneTimeCodeRow) -> OneTimeCode:
    return OneTimeCode(row.id, row.patient_id, CodePurpose(row.purpose), row.code_hash, row.created_at,
                       row.expires_at, row.wrong_tries, row.used_at, row.superseded, row.challenge_id)


class SqlChallengeRepository:
    """Registrations and sign-ins waiting for their code."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, challenge_id: str) -> Challenge | None:
        row = self._session.get(ChallengeRow, challenge_id, populate_existing=True)
        if row is None:
            return None
        return Challenge(row.id, row.patient_id, CodePurpose(row.purpose), row.created_at, row.expires_at,
                         RegistrationRoute(row.route) if row.route else None, row.invitation_id, row.verified_at,
                         row.completed_at)

    def add(self, challenge: Challenge) -> None:
        values = asdict(challenge)
        values["purpose"] = challenge.purpose.value
        values["route"] = challenge.route.value if challenge.route else None
        self._session.add(ChallengeRow(**values))
        self._session.flush()

    def save(self, challenge: Challenge) -> None:
        self._session.execute(update(ChallengeRow).where(ChallengeRow.id == challenge.id).values(
            verified_at=challenge.verified_at, completed_at=challenge.completed_at))


class SqlTrustRepository:
    """The trusts' names and Appointments teams."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, code: TrustCode) -> Trust:
        row = self._session.get(TrustRow, code.value)
        if row is None:
            raise LookupError(f"trust {code} is not in the database (load the hospital's reference data)")
        return Trust(TrustCode(row.code), row.name, row.short_name, row.appointments_phone, row.appointments_email)


class SqlOutbox:
    """The SMS outbox."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, message: SmsMessage) -> None:
        values = asdict(message)
        values.pop("appointment_starts_at")  # read from the appointment when the text is claimed, not stored
        values["template"] = message.template.value
        values["status"] = message.status.value
        values["body"] = sealed(message.body, message.template.value)  # a code, sealed while it waits
        self._session.add(SmsMessageRow(**values))

    def withdraw_reminders(self, appointment_id: int) -> int:
        from data.messaging.reminders import withdraw_reminders

        return withdraw_reminders(self._session, appointment_id)
