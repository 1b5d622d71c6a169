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


def test_a_database_with_real_activity_steps_back_and_upgrades_with_every_row(database_url: str) -> None:
    """A database made by an older release, with patients, bookings, letters and texts in it, upgrades with every
    row intact — on SQLite too, where altering a table rebuilds it while other tables' rows point at it (0011
    rebuilt `location`, 0016 `patient`): foreign keys are off while a migration runs and checked in full after."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from data.models import AppointmentRow, DocumentRow, HospitalNumberRow, PatientRow, SmsMessageRow

    engine = _with_activity(database_url)

    def counts() -> tuple[int, ...]:
        with Session(engine) as session:
            return tuple(session.scalar(select(func.count()).select_from(model)) or 0
                         for model in (PatientRow, AppointmentRow, DocumentRow, SmsMessageRow))

    made = counts()
    assert made[0] > 10 and made[1] > 10
    schema.downgrade(engine, "0010")  # as an older release left it
    schema.upgrade(engine)
    assert counts() == made
    with Session(engine) as session:  # every patient's own number is theirs at their trust
        assert session.scalar(select(func.count()).select_from(HospitalNumberRow)) == made[0]
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    schema.downgrade(engine, "base")
    engine.dispose()


def test_every_migration_upgrades_a_database_with_data(database_url: str) -> None:
    """Issue 36, finding 4: every migration, taken on a database holding real activity (the demo hospital's
    patients, bookings, letters and texts) as the release before it left it, keeps every row — stepped back to
    the first revision, then up one revision at a time, the rows counted after each."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from data.models import AppointmentRow, PatientRow

    engine = _with_activity(database_url)

    def counts() -> tuple[int, int]:
        with Session(engine) as session:
            return (session.scalar(select(func.count()).select_from(PatientRow.__table__)) or 0,
                    session.scalar(select(func.count()).select_from(AppointmentRow.__table__)) or 0)

    made = counts()
    ordered = [script.revision for script in
               reversed(list(ScriptDirectory.from_config(schema.alembic_config_for_scripts()).walk_revisions()))]
    schema.downgrade(engine, ordered[0])
    for revision in ordered[1:]:
        schema.upgrade(engine, revision)
        assert counts() == made, revision
    assert schema.current_revision(engine) == HEAD
    schema.downgrade(engine, "base")
    engine.dispose()


def _with_activity(database_url: str):  # type: ignore[no-untyped-def]
    """A database at the newest migration holding the demo hospital: patients, bookings, letters, texts."""
    from sqlalchemy.orm import Session

    from data.demo import load_demo
    from data.identity.passwords import Argon2Hasher
    from tests.conftest import FIXED_DAY

    engine = make_engine(database_url)
    schema.downgrade(engine, "base")
    schema.upgrade(engine)
    with Session(engine) as session:
        load_demo(session, FIXED_DAY, Argon2Hasher(fast=True))
        session.commit()
    return engine

