"""SQLite is opened the way many terminals need it: WAL, foreign keys, FULL sync, write lock taken at BEGIN."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from data.uow import SqlUnitOfWork, session_factory
from tests.conftest import migrated_engine


@pytest.fixture
def sqlite_engine(sqlite_url: str):
    engine = migrated_engine(sqlite_url)
    yield engine
    engine.dispose()


def test_pragmas(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    with sqlite_engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") >= 5000


def _other_terminal_can_write(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


def test_a_unit_of_work_holds_the_write_lock_from_its_first_statement(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    path = sqlite_engine.url.database
    with SqlUnitOfWork(session_factory(sqlite_engine)) as uow:
        uow.session.execute(text("SELECT 1"))  # only a read, yet the lock is already held
        assert not _other_terminal_can_write(path)
    assert _other_terminal_can_write(path)


def test_a_read_only_unit_of_work_never_blocks_writers(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    path = sqlite_engine.url.database
    with SqlUnitOfWork(session_factory(sqlite_engine, read_only=True)) as uow:
        uow.session.execute(text("SELECT count(*) FROM patient"))
        assert _other_terminal_can_write(path)


def test_foreign_keys_are_enforced(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), sqlite_engine.begin() as connection:
        connection.execute(text("INSERT INTO location (site_id, name) VALUES (999, 'Nowhere')"))
