"""A busy or vanished database ends a use case within seconds, in words, with nothing half-done — and the
next try goes through. SQLite held by another process; PostgreSQL locked, and its backend killed mid-flow."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import create_engine, text

from domain.clock import FixedClock
from domain.errors import Refused, SystemBusy
from domain.identifiers import EmailAddress
from portal_tui.bootstrap import Database
from portal_tui.services import PortalServices
from portal_tui.settings import Settings
from tests.conftest import FIXED_NOW, migrated_engine

EMAIL = EmailAddress.parse("nobody@example.com")


def services(url: str) -> PortalServices:
    return PortalServices(Settings(database_url=url, database_busy_seconds=1), FixedClock(FIXED_NOW))


def test_a_held_sqlite_file_is_busy_within_seconds_then_works(sqlite_url: str) -> None:
    migrated_engine(sqlite_url).dispose()
    portal = services(sqlite_url)
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(SystemBusy, match="The system is busy"):
            portal.sign_in(EMAIL, "any password at all")
        assert time.monotonic() - started < 5
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with pytest.raises(Refused):  # the database answers again: the usual words for an unknown address
        portal.sign_in(EMAIL, "any password at all")


@pytest.mark.postgres
def test_a_locked_postgres_table_is_busy_within_seconds(postgres_url: str) -> None:
    migrated_engine(postgres_url).dispose()
    portal = services(postgres_url)
    holder = create_engine(postgres_url)
    with holder.connect() as connection:
        connection.execute(text("LOCK TABLE patient_account IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        with pytest.raises(SystemBusy):
            portal.sign_in(EMAIL, "any password at all")
        assert time.monotonic() - started < 5
        connection.rollback()
    holder.dispose()
    with pytest.raises(Refused):
        portal.sign_in(EMAIL, "any password at all")


@pytest.mark.postgres
def test_a_killed_postgres_backend_mid_flow_changes_nothing_and_the_next_try_works(postgres_url: str) -> None:
    migrated_engine(postgres_url).dispose()
    database = Database(Settings(database_url=postgres_url, database_busy_seconds=1), interactive=True)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with pytest.raises(SystemBusy):
        with database.unit_of_work() as uow:
            uow.session.execute(text("INSERT INTO trust (code, name, short_name, appointments_phone, "
                                     "appointments_email) VALUES ('RWG', 'Half', 'Half', '0', 'x@example.com')"))
            pid = uow.session.execute(text("SELECT pg_backend_pid()")).scalar()
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            uow.session.execute(text("SELECT 1"))
            uow.commit()
    with database.unit_of_work() as uow:  # a fresh connection; the half-written row never happened
        assert uow.session.execute(text("SELECT count(*) FROM trust WHERE code = 'RWG'")).scalar() == 0
    admin.dispose()
    database.engine.dispose()
