"""Texts held after a restore, and the record of each restore (issue 36)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

BEFORE = "status IN ('queued', 'sending', 'sent', 'failed', 'withdrawn')"
AFTER = "status IN ('queued', 'sending', 'sent', 'failed', 'withdrawn', 'held')"


def upgrade() -> None:
    with op.batch_alter_table('sms_message') as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sms_message_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_sms_message_status'), AFTER)
    op.create_table(
        'restore_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('restored_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('texts_held', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_restore_event')),
    )


def downgrade() -> None:
    op.drop_table('restore_event')
    with op.batch_alter_table('sms_message') as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sms_message_status'), type_='check')
        # A held text has no place before this revision, and 0018's dispatcher would send a queued one unseen:
        # withdrawn, never sent.
        batch_op.execute("UPDATE sms_message SET status = 'withdrawn' WHERE status = 'held'")
        batch_op.create_check_constraint(batch_op.f('ck_sms_message_status'), BEFORE)
