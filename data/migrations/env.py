"""Alembic environment: runs on the connection that data.schema hands over."""

from __future__ import annotations

from alembic import context

from data.models import Base
from data.types import UtcDateTime


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Migrations are frozen history: write our UTC column as the plain DateTime it is in DDL."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
