"""Limits that every terminal shares: counted events; a one-time code belongs to its attempt; audit terminal

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'limit_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('terminal', sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_limit_event')),
    )
    op.create_index('ix_limit_event_event_subject_at', 'limit_event', ['event', 'subject', 'at'])
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('challenge_id', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_one_time_code_challenge', ['challenge_id'])
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terminal', sa.String(length=80), nullable=True))
    # The key under which limit subjects (addresses, mobiles, NHS numbers) are hashed: one per database,
    # so that every terminal sharing it counts alike. A `limits_key` setting, where given, is used instead.
    _append_only_audit()
    meta = sa.table('portal_meta', sa.column('key', sa.String), sa.column('value', sa.String))
    op.bulk_insert(meta, [{'key': 'limits_key', 'value': secrets.token_hex(32)}])


APPEND_ONLY = "the audit trail is append-only: an audit row is never changed or removed"


def _append_only_audit() -> None:
    """No one changes the trail, not even the application's own role: the database refuses it."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS
                       $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""")
        op.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('terminal')
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.drop_index('ix_one_time_code_challenge')
        batch_op.drop_column('challenge_id')
    op.drop_index('ix_limit_event_event_subject_at', table_name='limit_event')
    op.drop_table('limit_event')
    op.execute("DELETE FROM portal_meta WHERE key = 'limits_key'")
