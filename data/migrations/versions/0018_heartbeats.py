"""When each long-running service on each host was last seen alive, for `portal-tui status` (issue 36)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'heartbeat',
        sa.Column('service', sa.String(length=24), nullable=False),
        sa.Column('host', sa.String(length=120), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('service', 'host', name=op.f('pk_heartbeat')),
    )


def downgrade() -> None:
    op.drop_table('heartbeat')
