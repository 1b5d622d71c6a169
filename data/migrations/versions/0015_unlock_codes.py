"""A patient unlocks their own address with a code to their mobile: the 'unlock' purpose of challenges and codes
(issue 30)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

OLD_PURPOSES = "purpose IN ('registration', 'sign_in')"
NEW_PURPOSES = "purpose IN ('registration', 'sign_in', 'unlock')"


def upgrade() -> None:
    for table in ('challenge', 'one_time_code'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_purpose'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_purpose'), NEW_PURPOSES)


def downgrade() -> None:
    op.execute("DELETE FROM one_time_code WHERE purpose = 'unlock'")
    op.execute("DELETE FROM challenge WHERE purpose = 'unlock'")
    for table in ('challenge', 'one_time_code'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_purpose'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_purpose'), OLD_PURPOSES)
