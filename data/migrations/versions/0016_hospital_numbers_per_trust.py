"""Hospital numbers belong to the trust that issued them (issue 31): a table of every number a patient has, each
with its trust and state, unique within its trust; the patient's own number unique per trust, no longer across
trusts; a date of birth may be missing (the PAS sent none); the trust's PAS appointment types; bookings that
cannot be changed online

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

MERGED_NUMBER = "urn:portal:merged-hospital-number"
"""Where 0010–0015 kept a merged-away record's number on the survivor (now a 'merged' hospital number)."""
KINDS = ("kind IN ('outpatient_new', 'outpatient_follow_up', 'pre_operative_assessment', 'day_case', "
         "'elective_admission', 'emergency_admission', 'radiology', 'fast_track_diagnostic')")


def upgrade() -> None:
    op.create_table(
        'hospital_number',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('trust_code', sa.String(length=8), nullable=False),
        sa.Column('value', sa.String(length=20), nullable=False),
        sa.Column('state', sa.String(length=8), nullable=False),
        sa.CheckConstraint("state IN ('current', 'merged')", name=op.f('ck_hospital_number_state')),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_hospital_number_patient_id_patient')),
        sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_hospital_number_trust_code_trust')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_number')),
        sa.UniqueConstraint('value', 'trust_code', name=op.f('uq_hospital_number_value')),
    )
    with op.batch_alter_table('hospital_number', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_number_patient_id'), ['patient_id'], unique=False)
    # Every hospital number today is its patient's own trust's; a merged-away number was the survivor's trust's.
    op.execute("INSERT INTO hospital_number (patient_id, trust_code, value, state) "
               "SELECT id, trust_code, hospital_number, 'current' FROM patient")
    op.execute("INSERT INTO hospital_number (patient_id, trust_code, value, state) "
               "SELECT i.patient_id, p.trust_code, i.value, 'merged' FROM patient_identifier i "
               f"JOIN patient p ON p.id = i.patient_id WHERE i.system = '{MERGED_NUMBER}' AND NOT EXISTS ("
               "SELECT 1 FROM hospital_number h WHERE h.value = i.value AND h.trust_code = p.trust_code)")
    op.execute(f"DELETE FROM patient_identifier WHERE system = '{MERGED_NUMBER}'")
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_patient_hospital_number'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_patient_trust_code'), ['trust_code', 'hospital_number'])
        batch_op.alter_column('date_of_birth', existing_type=sa.Date(), nullable=True)
    op.create_table(
        'appointment_type',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trust_code', sa.String(length=8), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('online_changes', sa.Boolean(), nullable=False),
        sa.CheckConstraint(KINDS, name=op.f('ck_appointment_type_kind')),
        sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_appointment_type_trust_code_trust')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_type')),
        sa.UniqueConstraint('trust_code', 'code', name=op.f('uq_appointment_type_trust_code')),
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online_changes', sa.Boolean(), server_default=sa.text('true'),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_column('online_changes')
    op.drop_table('appointment_type')
    op.execute("INSERT INTO patient_identifier (patient_id, system, value) "
               f"SELECT patient_id, '{MERGED_NUMBER}', value FROM hospital_number WHERE state = 'merged'")
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.alter_column('date_of_birth', existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_patient_trust_code'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_patient_hospital_number'), ['hospital_number'])
    with op.batch_alter_table('hospital_number', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_number_patient_id'))
    op.drop_table('hospital_number')
