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
def postgres_url() -> Iterator[str]:
    """A brand-new PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = _postgres_admin_url()
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
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


@pytest.fixture
def engine(database_url: str):
    """A migrated engine on the database under test."""
    engine = migrated_engine(database_url)
    yield engine
    engine.dispose()
