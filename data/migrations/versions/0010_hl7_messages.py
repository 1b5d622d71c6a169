"""The hospital's HL7 v2 feed: every message stored first, with its outcome

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

FIRST = "outcome IN ('accepted', 'ignored')"


def upgrade() -> None:
    op.create_table(
        'hl7_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sender', sa.String(length=120), nullable=False),
        sa.Column('control_id', sa.String(length=80), nullable=True),
        sa.Column('message_type', sa.String(length=20), nullable=True),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('raw', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('outcome', sa.String(length=12), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=True),
        sa.CheckConstraint("outcome IN ('accepted', 'ignored', 'duplicate', 'refused')",
                           name=op.f('ck_hl7_message_outcome')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hl7_message')),
    )
    op.create_index('uq_hl7_message_first', 'hl7_message', ['sender', 'control_id'], unique=True,
                    sqlite_where=sa.text(FIRST), postgresql_where=sa.text(FIRST))
    op.create_index('ix_hl7_message_outcome', 'hl7_message', ['outcome', 'received_at'])


def downgrade() -> None:
    op.drop_index('ix_hl7_message_outcome', table_name='hl7_message')
    op.drop_index('uq_hl7_message_first', table_name='hl7_message')
    op.drop_table('hl7_message')
