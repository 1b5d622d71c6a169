"""Creates and migrates the schema through Alembic, and says whether a database is up to date."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    """An Alembic config in code (no alembic.ini to lose), pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision`; safe to run again and from several terminals at once."""
    _migrate(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema back (used by the migration tests)."""
    _migrate(engine, lambda config: command.downgrade(config, revision))


class MigrationProblem(RuntimeError):
    """A migration left rows that point at nothing: rolled back, nothing changed."""


def _migrate(engine: Engine, step: Callable[[Config], None]) -> None:
    """Run Alembic on one connection, in one transaction. On SQLite a migration that rebuilds a table (its way of
    altering one) drops the old table while other tables' rows point at it; with foreign keys enforced that fails
    on any database with real activity. So foreign keys are off while the migration runs (SQLite's own advice for
    altering tables, and possible only outside a transaction), checked in full before the commit, and on again."""
    config = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            config.attributes["connection"] = connection
            step(config)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    connection.rollback()
                    tables = sorted({str(row[0]) for row in broken})
                    raise MigrationProblem(f"the migration would leave {len(broken)} rows pointing at nothing "
                                           f"(in {', '.join(tables)}): nothing was changed")
            connection.commit()
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision among the migration scripts."""
    head = ScriptDirectory.from_config(alembic_config_for_scripts()).get_current_head()
    assert head is not None
    return head


def alembic_config_for_scripts() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
