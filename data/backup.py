"""Backups and restores, and what a restore must never do: send again what the live database had sent.

SQLite is copied with its online backup API (one read transaction: terminals go on writing in WAL mode, and the
copy is the database as it stood at one moment). PostgreSQL is backed up with `pg_dump -Fc` and point-in-time
recovery (docs/operations.md); after restoring it, `portal-tui db restored` does what `db restore` does last here.

After any restore every text that was queued or in hand is **held**: the live database may have sent it after the
backup was taken, and Notify would send it again. A person releases (sends) or withdraws each, or all. Reminders the
live database could have queued before the restore are queued held too (data/messaging/reminders.py)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from data.models import HeartbeatRow, RestoreRow, SmsMessageRow
from domain.messaging.model import SmsStatus


class BackupError(Exception):
    """A backup or restore that cannot be done, in one line for the operator."""


@dataclass(frozen=True, slots=True)
class Copied:
    """A backup made or checked: where, its size, its migration and how many texts and patients it holds."""

    path: Path
    size: int
    revision: str | None
    patients: int
    texts: int


def backup_sqlite(database: Path, target: Path) -> Copied:
    """The live database copied to `target` (owner-only), safely while terminals write; checked after."""
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    if target.exists():
        raise BackupError(f"{target} exists already: name a new file (a backup never overwrites one).")
    partial = target.with_name(target.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise BackupError(f"The backup cannot be written at {target}: {error.strerror}.") from None
    os.close(descriptor)
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=15)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent moment, writers carry on (WAL)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
            source.close()
        checked = check_sqlite(partial)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {error}.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Copied(target, checked.size, checked.revision, checked.patients, checked.texts)


def check_sqlite(path: Path) -> Copied:
    """A backup file is whole and the portal's: SQLite's integrity check passes and it has a migration."""
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"{path} is damaged ({verdict}): it cannot be restored.")
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables or "patient" not in tables:
                raise BackupError(f"{path} is not a portal database (no migrations recorded in it).")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            patients = connection.execute("SELECT count(*) FROM patient").fetchone()[0]
            texts = connection.execute("SELECT count(*) FROM sms_message").fetchone()[0] \
                if "sms_message" in tables else 0
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from None
    return Copied(path, path.stat().st_size, revision[0] if revision else None, patients, texts)


def restore_sqlite(backup: Path, database: Path, keep: Path) -> Copied:
    """The backup copied over the live database, after the live one is kept at `keep` (nothing saved is lost).
    The caller has checked that no service is running; terminals see the restored data from their next read."""
    checked = check_sqlite(backup)
    if database.is_file():
        backup_sqlite(database, keep)
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        live = sqlite3.connect(database, timeout=15)
        try:
            live.execute("PRAGMA journal_mode=WAL")
            source.backup(live)  # page by page under the live database's write lock: all or nothing
        finally:
            live.close()
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"The restore failed: {error}. The live database is as it was (kept also at "
                          f"{keep}).") from None
    return checked


def services_alive(engine: Engine, now: datetime, within: timedelta = timedelta(seconds=90)) -> list[str]:
    """The long-running services seen within `within` (a restore waits until they are stopped)."""
    with Session(engine) as session:
        return sorted({service for service, in session.execute(
            select(HeartbeatRow.service).where(HeartbeatRow.seen_at >= now - within))})


def hold_after_restore(engine: Engine, now: datetime, source: str) -> int:
    """Every text queued or in hand is held for a person; the restore is recorded. Returns how many were held."""
    with Session(engine) as session, session.begin():
        held = session.execute(update(SmsMessageRow).where(
            SmsMessageRow.status.in_([SmsStatus.QUEUED.value, SmsStatus.SENDING.value])).values(
            status=SmsStatus.HELD.value, lease_token=None, lease_until=None,
            last_error="held after a restore from a backup: the live database may have sent it")).rowcount
        session.add(RestoreRow(restored_at=now, texts_held=held, source=source[:300]))
    return held


def last_restore(session: Session) -> datetime | None:
    """When the database was last restored from a backup, if ever."""
    return session.scalar(select(func.max(RestoreRow.restored_at)))


def settle_held(session: Session, ids: Iterable[str] | None, *, release: bool, now: datetime) -> int:
    """Held texts (these, or all) released to be sent now, or withdrawn. Returns how many."""
    query = update(SmsMessageRow).where(SmsMessageRow.status == SmsStatus.HELD.value)
    if ids is not None:
        query = query.where(SmsMessageRow.id.in_(list(ids)))
    if release:
        values = dict(status=SmsStatus.QUEUED.value, send_after=now, attempts=0, last_error=None)
    else:
        values = dict(status=SmsStatus.WITHDRAWN.value, last_error="withdrawn after a restore: it may have been "
                                                                   "sent before")
    return session.execute(query.values(**values)).rowcount
