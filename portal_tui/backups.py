"""`portal-tui db backup | restore | restored` and `sms release | withdraw`: an operator's backups and what follows
a restore (data/backup.py has the rules)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from portal_tui.bootstrap import Database
from portal_tui.settings import Settings, SettingsError

PG_BACKUP = ("For PostgreSQL, back up with pg_dump -Fc (and keep WAL archives for point-in-time recovery): see "
             "docs/operations.md.")


def backup(settings: Settings, target: str) -> str:
    from data.backup import BackupError, backup_sqlite

    path = settings.sqlite_path
    if path is None:
        raise SettingsError(PG_BACKUP)
    try:
        made = backup_sqlite(path, Path(target).expanduser())
    except BackupError as error:
        raise SettingsError(str(error)) from None
    return (f"Backed up {path} to {made.path}: {made.size // 1024} KiB, migration {made.revision}, "
            f"{made.patients} patients, {made.texts} texts.")


def restore(settings: Settings, source: str, now: datetime | None = None) -> str:
    """The backup in place of the live database (kept beside it first), upgraded, and its texts held."""
    from data import schema
    from data.backup import BackupError, check_sqlite, restore_sqlite, services_alive
    from data.migrations import HEAD

    path = settings.sqlite_path
    if path is None:
        raise SettingsError("For PostgreSQL, restore with pg_restore (or point-in-time recovery), then run "
                            "`portal-tui db restored` before starting any service: see docs/operations.md.")
    now = now or datetime.now(UTC)
    database = Database(settings)
    backup_path = Path(source).expanduser()
    try:
        checked = check_sqlite(backup_path)
    except BackupError as error:
        raise SettingsError(str(error)) from None
    if checked.revision and checked.revision > HEAD:
        raise SettingsError(f"The backup is at migration {checked.revision}, newer than this release's {HEAD}: "
                            "restore it with the release that made it.")
    if path.is_file():
        alive = services_alive(database.engine, now)
        if alive:
            raise SettingsError(f"Stop {', '.join(alive)} first (seen in the last 90 seconds): a restore under a "
                                "running service would mix two databases.")
    keep = path.with_name(f"{path.name}.before-restore-{now:%Y%m%dT%H%M%SZ}")
    database.engine.dispose()
    try:
        restored = restore_sqlite(backup_path, path, keep)
    except BackupError as error:
        raise SettingsError(str(error)) from None
    engine = Database(settings).engine
    schema.upgrade(engine)
    held = _hold(settings, f"{backup_path} (migration {restored.revision})", now)
    return (f"Restored {path} from {backup_path} (migration {restored.revision}, now {HEAD}); the database as it "
            f"was is kept at {keep}. {held}")


def restored(settings: Settings, source: str) -> str:
    """After pg_restore or point-in-time recovery: what `db restore` does last."""
    return _hold(settings, source or "a restore outside the portal", datetime.now(UTC))


def _hold(settings: Settings, source: str, now: datetime) -> str:
    from data.backup import hold_after_restore

    database = Database(settings)
    held = hold_after_restore(database.engine, now, source)
    database.audit_read("database_restored", f"from {source}: {held} texts held")
    return (f"Held {held} text{'s' if held != 1 else ''} that were waiting when the backup was taken: the live "
            "database may have sent them. Release or withdraw them: `portal-tui sms list --status held`, then "
            "`portal-tui sms release` or `portal-tui sms withdraw` (all, or by reference).")


def settle(settings: Settings, ids: list[str], everything: bool, *, release: bool) -> str:
    from sqlalchemy.orm import Session

    from data.backup import settle_held

    if not ids and not everything:
        raise SettingsError("Name the texts (their references from `sms list --status held`), or say --all.")
    database = Database(settings)
    with Session(database.engine) as session, session.begin():
        done = settle_held(session, None if everything else ids, release=release, now=datetime.now(UTC))
    verb = "released to be sent" if release else "withdrawn"
    database.audit_read("held_texts_released" if release else "held_texts_withdrawn",
                        f"{done} held texts {verb}" + ("" if everything else f": {', '.join(ids)[:400]}"))
    asked = "" if everything or done == len(ids) else f" ({len(ids) - done} of those named are not held)"
    return f"{done} held text{'s' if done != 1 else ''} {verb}{asked}."
