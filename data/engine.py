"""Builds the database engine: SQLite (WAL, foreign keys, write lock taken at BEGIN) or PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

BATCH_BUSY_SECONDS = 15.0
"""How long a command (an import, the dispatcher) waits for another's lock: no one is standing at a screen."""

READ_ONLY = "portal_read_only"
"""Execution option: a SQLite transaction that only reads starts deferred, so it never waits on writers."""


def make_engine(url: str, *, echo: bool = False, busy_seconds: float = BATCH_BUSY_SECONDS) -> Engine:
    """The one way to get an engine; the composition root calls it, nothing does at import time.

    `busy_seconds` bounds every wait — for a lock, a connection, a statement — so a screen waiting on a busy
    or vanished database hears so within seconds instead of waiting for good.

    A statement's parameters are never in an error's text (`hide_parameters`): they are patients' details, and an
    error's text goes to logs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo, busy_seconds)
    wait_ms = int(busy_seconds * 1000)
    return create_engine(
        url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_timeout=busy_seconds,
        connect_args={"connect_timeout": max(1, round(busy_seconds)),
                      "options": f"-c lock_timeout={wait_ms} -c statement_timeout={4 * wait_ms}"},
    )


def _sqlite_engine(url: str, echo: bool, busy_seconds: float) -> Engine:
    busy_ms = int(busy_seconds * 1000)
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        connect_args={"timeout": busy_seconds, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event below issue BEGIN itself, instead of pysqlite's late implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # A write transaction takes the write lock at its start: two terminals never both read a free
        # slot and then both try to write it, and no one fails half-way with "database is locked".
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
