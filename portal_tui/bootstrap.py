"""Wires the outside world to the rules: engine, unit of work, hasher. The CLI and the tests build through here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from data.engine import make_engine
from data.identity.passwords import Argon2Hasher
from data.uow import SqlUnitOfWork, session_factory
from domain.clock import LONDON, SystemClock
from domain.ports import Clock
from portal_tui.settings import Settings


@dataclass
class Database:
    """One database, opened lazily: nothing connects until something asks."""

    settings: Settings
    interactive: bool = False
    """True for a screen (kiosk, desk): waits are bounded by the settings' database_busy_seconds."""

    @cached_property
    def engine(self) -> Engine:
        from data.messaging.sealing import use_key

        use_key(self.settings.limits_key)  # codes waiting in the outbox are sealed with it (data/messaging/sealing.py)
        if self.interactive:
            return make_engine(self.settings.database_url, busy_seconds=self.settings.database_busy_seconds)
        return make_engine(self.settings.database_url)

    def unit_of_work(self, *, read_only: bool = False, terminal: str | None = None) -> SqlUnitOfWork:
        """A fresh unit of work; read-only ones never take SQLite's write lock. `terminal` is who asks, where
        one database serves many (the desk service): else this program's own terminal."""
        return SqlUnitOfWork(session_factory(self.engine, read_only=read_only), self.rules,
                             terminal or self.settings.terminal, self.settings.limits_key or "")

    def audit_read(self, action: str, detail: str) -> None:
        """A read at the command line, in the audit trail with the account that ran it (and this host)."""
        import getpass
        import os
        from datetime import UTC, datetime

        from domain.audit import command_line_read

        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = f"uid {os.getuid()}"
        with self.unit_of_work() as uow:
            uow.audit.record(command_line_read(datetime.now(UTC), user, action, detail))
            uow.commit()

    @cached_property
    def rules(self):  # type: ignore[no-untyped-def]
        """The limits in force, read from settings once."""
        return self.settings.limit_rules()


def migrate(settings: Settings) -> str:
    """Create or upgrade the schema; returns the revision it is now at."""
    from data import schema  # Alembic: loaded by the commands that migrate, never by a kiosk or a desk

    engine = Database(settings).engine
    schema.upgrade(engine)
    revision = schema.current_revision(engine)
    engine.dispose()
    return revision or "none"


def revisions(settings: Settings) -> tuple[str | None, str]:
    """(the database's revision, the newest the code knows)."""
    from data import schema

    engine = Database(settings).engine
    try:
        return schema.current_revision(engine), schema.head_revision()
    finally:
        engine.dispose()


def load_demo(settings: Settings, today: date | None = None, clock: Clock | None = None) -> str:
    """Load the demo hospital (once) into a database that is migrated first; returns the report to print."""
    from data.demo import load_demo as build

    migrate(settings)
    day = today or (clock or SystemClock()).now().astimezone(LONDON).date()
    database = Database(settings)
    seal = None
    if settings.staff_secret_key or settings.demo:  # demo staff only where their secret can be sealed
        from data.staff.accounts import FernetBox

        seal = FernetBox(settings.require_staff_secret_key()).seal
    with database.unit_of_work() as uow:
        report = build(uow.session, day, Argon2Hasher(), seal)
        uow.commit()
    database.engine.dispose()
    return str(report)


def describe_database_error(error: BaseException) -> str | None:
    """One line for a database failure (cannot connect, locked, refused), or None if it is not one."""
    if isinstance(error, DBAPIError):
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        return f"The database could not be used: {reason}"
    if isinstance(error, SQLAlchemyError):
        return f"The database could not be used: {str(error).splitlines()[0]}"
    return None


def make_sender(settings: Settings):  # type: ignore[no-untyped-def]
    """The configured SMS sender; a Notify sender missing its key or template is one clear line."""
    from pathlib import Path

    from data.messaging.senders import FileSender, NotifySender
    from domain.messaging.sms import SendError
    from portal_tui.settings import SettingsError

    if settings.sms_sender == "file":
        return FileSender(Path(settings.sms_file), redact_codes=not settings.demo)
    if not settings.notify_api_key or not settings.notify_template_id:
        raise SettingsError("sms_sender is notify: set PORTAL_NOTIFY_API_KEY and PORTAL_NOTIFY_TEMPLATE_ID.")
    try:
        # A send never outlasts half the lease renewed just before it: no other dispatcher can take a text
        # while it is still being handed over.
        return NotifySender(settings.notify_api_key, settings.notify_base_url, dict(settings.notify_template_ids),
                            settings.notify_template_id, timeout=min(20.0, settings.sms_lease_seconds / 2))
    except SendError as error:
        raise SettingsError(error.reason) from None
