"""The limits' counted events in the database, so that every kiosk and desk shares them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.models import LimitEventRow, PortalMetaRow
from domain.limits import LimitRules

KEY_NAME = "limits_key"
"""portal_meta's row for the database's own limit key, made on first use when settings give none."""


class SqlLimitStore:
    """LimitStore on SQLAlchemy: events as rows, subjects as HMAC-SHA256 under a key that is never a subject."""

    def __init__(self, session: Session, rules: LimitRules, terminal: str, key: str = "") -> None:
        self._session = session
        self.rules = rules
        self.terminal = terminal
        self._key = key.encode() if key else b""

    def subject(self, kind: str, value: str) -> str:
        digest = hmac.new(self._secret(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return digest[:64]

    def hold(self, *subjects: str) -> None:
        # SQLite: every writing unit of work already holds the database's write lock from BEGIN IMMEDIATE.
        if self._session.get_bind().dialect.name != "postgresql":
            return
        for subject in sorted(set(subjects)):  # one order everywhere: two terminals never wait on each other
            self._session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(subject)})

    def times(self, event: str, subject: str, since: datetime | None = None) -> list[datetime]:
        query = select(LimitEventRow.at).where(LimitEventRow.event == event, LimitEventRow.subject == subject)
        if since is not None:
            query = query.where(LimitEventRow.at > since)
        return list(self._session.scalars(query.order_by(LimitEventRow.at)))

    def add(self, event: str, subject: str, at: datetime) -> None:
        self._session.add(LimitEventRow(event=event, subject=subject, at=at, terminal=self.terminal[:80]))
        self._session.flush()

    def clear(self, event: str, subject: str) -> int:
        result = self._session.execute(delete(LimitEventRow).where(LimitEventRow.event == event,
                                                                   LimitEventRow.subject == subject))
        return result.rowcount or 0  # type: ignore[attr-defined]

    def _secret(self) -> bytes:
        if not self._key:
            self._key = database_key(self._session).encode()
        return self._key


def database_key(session: Session) -> str:
    """The database's own key for limit subjects, made once (the same for every terminal that shares it)."""
    row = session.get(PortalMetaRow, KEY_NAME)
    if row is None:  # migration 0006 makes it; a database built another way gets it now
        try:
            with session.begin_nested():
                session.add(PortalMetaRow(key=KEY_NAME, value=secrets.token_hex(32)))
        except IntegrityError:  # another terminal made it first: use theirs
            pass
        row = session.get(PortalMetaRow, KEY_NAME)
    assert row is not None
    return row.value


def _lock_key(subject: str) -> int:
    return int.from_bytes(hashlib.sha256(subject.encode()).digest()[:8], "big", signed=True)
