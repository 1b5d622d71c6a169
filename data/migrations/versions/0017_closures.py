"""The trust's closures (a whole trust, a site, a clinic or a clinician, for a day or a range): no free time on a
closed day (issue 32)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'closure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trust_code', sa.String(length=8), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=120), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=True),
        sa.Column('clinic_id', sa.Integer(), nullable=True),
        sa.Column('clinician_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('last_day >= first_day', name=op.f('ck_closure_range_in_order')),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_closure_clinic_id_clinic')),
        sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'], name=op.f('fk_closure_clinician_id_clinician')),
        sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_closure_site_id_site')),
        sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_closure_trust_code_trust')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_closure')),
    )
    with op.batch_alter_table('closure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_trust_code'), ['trust_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('closure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closure_trust_code'))
    op.drop_table('closure')
