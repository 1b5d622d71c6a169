"""The hospital's own reference data: location codes and kinds, retired clinics and clinicians, session templates

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

KINDS = "kind IN ('clinic', 'ed', 'utc', 'ward', 'imaging', 'theatre')"


def upgrade() -> None:
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=12), server_default='clinic', nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_location_code'), ['code'])
        batch_op.create_check_constraint('kind', sa.text(KINDS))
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('location_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_clinic_location_id_location'), 'location', ['location_id'], ['id'])
    with op.batch_alter_table('clinician', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.create_table(
        'clinic_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('clinic_id', sa.Integer(), nullable=False),
        sa.Column('clinician_id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('starts', sa.String(length=5), nullable=False),
        sa.Column('ends', sa.String(length=5), nullable=False),
        sa.Column('slot_minutes', sa.Integer(), nullable=False),
        sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_clinic_session_weekday_of_week')),
        sa.CheckConstraint('slot_minutes > 0', name=op.f('ck_clinic_session_slot_minutes_positive')),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_clinic_session_clinic_id_clinic')),
        sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'],
                                name=op.f('fk_clinic_session_clinician_id_clinician')),
        sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_clinic_session_location_id_location')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_session')),
        sa.UniqueConstraint('clinician_id', 'weekday', 'starts', name=op.f('uq_clinic_session_clinician_id')),
    )


def downgrade() -> None:
    op.drop_table('clinic_session')
    with op.batch_alter_table('clinician', schema=None) as batch_op:
        batch_op.drop_column('retired')
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_clinic_location_id_location'), type_='foreignkey')
        batch_op.drop_column('location_id')
        batch_op.drop_column('retired')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_constraint('kind', type_='check')
        batch_op.drop_constraint(batch_op.f('uq_location_code'), type_='unique')
        batch_op.drop_column('kind')
        batch_op.drop_column('code')
