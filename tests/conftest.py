"""Shared fixtures: settings for a throwaway database, SQLite and PostgreSQL engines, a fixed clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain.clock import FixedClock

FIXED_NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
FIXED_DAY = date(2026, 11, 24)
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_configure(config: pytest.Config) -> None:
    """The garbage collector, set for a test run: each Pilot test builds and drops a whole Textual app, and with
    Python's defaults a third of a screen test's CPU went on full collections (38 in 18 s of four page walks,
    each ~150 ms over every object the imports made). A larger first generation and rarer full collections cut
    a screen test's CPU by about a seventh, for ~20% more memory per worker."""
    import gc

    gc.set_threshold(10_000, 10, 10)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the imports and collection made lives to the end: kept out of every later full collection."""
    import gc

    gc.collect()
    gc.freeze()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FIXED_NOW)


def _postgres_admin_url() -> str | None:
    url = os.environ.get("PORTAL_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("PORTAL_REQUIRE_POSTGRES"):
            pytest.fail("PORTAL_REQUIRE_POSTGRES is set but PORTAL_TEST_POSTGRES_URL is not: the PostgreSQL tests must run")
        pytest.skip("PORTAL_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (CI sets it)")
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A brand-new PostgreSQL database for one test, dropped afterwards (for a test with an `engine`, that
    fixture makes it, as a copy of a migrated template)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = _postgres_admin_url()
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    if "engine" not in request.fixturenames:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each data test runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


def migrated_engine(url: str):
    """An engine on `url` with every migration applied; the caller disposes of it."""
    from data import schema
    from data.engine import make_engine

    engine = make_engine(url)
    schema.upgrade(engine)
    return engine


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Per test process, built once: a migrated database and one with the demo hospital too, on each kind of
    database. A test's database is a copy (a file copy; PostgreSQL's CREATE DATABASE … TEMPLATE): migrating and
    loading the demo for every test cost more than a minute of the suite."""
    import shutil

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import Session

    made: dict[tuple[str, bool], str] = {}
    made_with: dict[str, str] = {}
    """How this server copies a template (asked once)."""
    postgres: list[str] = []

    def build(url: str, demo: bool) -> None:
        engine = migrated_engine(url)
        if demo:
            from data.demo import load_demo
            from data.identity.passwords import Argon2Hasher

            with Session(engine) as session:
                load_demo(session, FIXED_DAY, Argon2Hasher(fast=True))
                session.commit()
        engine.dispose()

    def template(kind: str, demo: bool) -> str:
        if (kind, demo) not in made:
            if kind == "sqlite":
                path = tmp_path_factory.mktemp("templates") / f"{'demo' if demo else 'empty'}.db"
                build(f"sqlite:///{path}", demo)
                made[(kind, demo)] = str(path)
            else:
                admin_url = _postgres_admin_url()
                assert admin_url is not None
                name = f"portal_template_{uuid.uuid4().hex[:10]}"
                admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
                admin.dispose()
                postgres.append(name)
                build(make_url(admin_url).set(database=name).render_as_string(hide_password=False), demo)
                made[(kind, demo)] = name
        return made[(kind, demo)]

    def copy(url: str, demo: bool) -> None:
        if url.startswith("sqlite"):
            target = Path(url.removeprefix("sqlite:///"))
            source = Path(template("sqlite", demo))
            for suffix in ("", "-wal"):
                if source.with_name(source.name + suffix).exists():
                    shutil.copy(source.with_name(source.name + suffix), target.with_name(target.name + suffix))
            return
        name = make_url(url).database
        admin = create_engine(_postgres_admin_url() or "", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if "strategy" not in made_with:
                # A file copy: PostgreSQL 15's default writes every block of the template through the WAL, at about
                # four times the server's CPU (0.22 s against 0.06 s a copy of the demo, measured here).
                version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
                made_with["strategy"] = " STRATEGY FILE_COPY" if version >= 150000 else ""
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template("postgres", demo)}"'
                                    f'{made_with["strategy"]}'))
        admin.dispose()

    yield copy
    if postgres:
        admin = create_engine(_postgres_admin_url() or "", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in postgres:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str, database_templates, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A migrated engine on the database under test — with the demo hospital in it already when the test asks
    for `demo_engine` (whose load then finds it there)."""
    from data.engine import make_engine

    database_templates(database_url, "demo_engine" in request.fixturenames)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
