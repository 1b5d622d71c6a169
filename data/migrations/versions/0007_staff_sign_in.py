"""Staff sign-in: a sealed TOTP secret per account, the last code's time step, when it was made

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_secret', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_step', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.drop_column('last_step')
        batch_op.drop_column('sealed_secret')
