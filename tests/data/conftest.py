"""Data-test fixtures: the demo hospital in a real database."""

from tests.data.demo_fixtures import demo_engine, uow  # noqa: F401
