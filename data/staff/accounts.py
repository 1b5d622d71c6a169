"""Staff accounts in the database, their TOTP codes (pyotp) and their sealed secrets (cryptography's Fernet)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import StaffMemberRow
from domain.identity.session import StaffRole
from domain.staff.accounts import ISSUER, StaffMember

STEP_SECONDS = 30


class SqlStaffRepository:
    """Staff accounts; no row leaves this module."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def by_username(self, username: str) -> StaffMember | None:
        row = self._session.scalar(select(StaffMemberRow).where(StaffMemberRow.username == username))
        return _member(row) if row else None

    def add(self, member: StaffMember) -> int:
        row = StaffMemberRow(username=member.username, display_name=member.display_name, role=member.role.value,
                             password_hash=member.password_hash, active=member.active,
                             sealed_secret=member.sealed_secret, last_step=member.last_step)
        self._session.add(row)
        self._session.flush()
        return row.id

    def save(self, member: StaffMember) -> None:
        row = self._session.get(StaffMemberRow, member.id)
        assert row is not None
        row.display_name, row.role, row.password_hash = member.display_name, member.role.value, member.password_hash
        row.active, row.sealed_secret, row.last_step = member.active, member.sealed_secret, member.last_step

    def all(self) -> list[StaffMember]:
        return [_member(row) for row in self._session.scalars(select(StaffMemberRow).order_by(StaffMemberRow.username))]


def _member(row: StaffMemberRow) -> StaffMember:
    return StaffMember(row.id, row.username, row.display_name, StaffRole(row.role), row.password_hash,
                       row.sealed_secret, row.active, row.last_step)


class TotpFactor:
    """RFC 6238 codes as every authenticator app makes them: 6 digits, 30 seconds, one step either side."""

    def new_secret(self) -> str:
        return pyotp.random_base32()

    def uri(self, secret: str, username: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)

    def matching_step(self, secret: str, code: str, at: datetime) -> int | None:
        code = "".join((code or "").split())
        if not secret or not (code.isdigit() and len(code) == 6):
            return None
        totp = pyotp.TOTP(secret)
        step = int(at.timestamp()) // STEP_SECONDS
        found = None
        for candidate in (step - 1, step, step + 1):  # all three compared, in constant time: no timing hint
            if hmac.compare_digest(totp.at(candidate * STEP_SECONDS), code):
                found = candidate
        return found


class FernetBox:
    """Seals with a Fernet key derived from the staff_secret_key setting."""

    def __init__(self, key: str) -> None:
        digest = hashlib.sha256(("portal-tui staff secrets:" + key).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return ""  # sealed under another key (or not at all): no code will match
