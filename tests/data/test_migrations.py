"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and step back cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from data import schema
from data.engine import make_engine
from data.migrations import HEAD
from data.models import Base


def test_the_kiosks_head_constant_is_alembics_head() -> None:
    assert schema.head_revision() == HEAD


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(database_url: str) -> None:
    engine = make_engine(database_url)
    schema.upgrade(engine)
    assert schema.current_revision(engine) == HEAD
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    schema.upgrade(engine)  # a second run is harmless
    schema.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_the_partial_unique_index_exists(engine) -> None:  # type: ignore[no-untyped-def]
    indexes = {index["name"]: index for index in inspect(engine).get_indexes("appointment")}
    assert indexes["uq_appointment_live_slot"]["unique"]
