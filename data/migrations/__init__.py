"""Alembic migrations: the only way the schema changes, on SQLite and PostgreSQL alike."""

HEAD = "0019"
"""The newest revision; the kiosk compares against it without importing Alembic (tests keep it true)."""
