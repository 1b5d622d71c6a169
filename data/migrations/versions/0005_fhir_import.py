"""FHIR import: hospital visits, other systems' patient identifiers, imported records; clinical notes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('appointment_confirmation', 'admission_confirmation', 'clinic_outcome', 'discharge_summary')"
NEW_KINDS = ("kind IN ('appointment_confirmation', 'admission_confirmation', 'clinic_outcome', 'discharge_summary', "
             "'clinical_note')")


def upgrade() -> None:
    op.create_table(
        'visit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('trust_code', sa.String(length=8), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('place', sa.String(length=200), nullable=True),
        sa.CheckConstraint("kind IN ('outpatient', 'admission', 'emergency')", name=op.f('ck_visit_kind')),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_visit_patient_id_patient')),
        sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_visit_trust_code_trust')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit')),
    )
    op.create_index('ix_visit_patient_started', 'visit', ['patient_id', 'started_at'], unique=False)
    op.create_table(
        'patient_identifier',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('system', sa.String(length=200), nullable=False),
        sa.Column('value', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'],
                                name=op.f('fk_patient_identifier_patient_id_patient')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_identifier')),
        sa.UniqueConstraint('system', 'value', name=op.f('uq_patient_identifier_system')),
    )
    op.create_index(op.f('ix_patient_identifier_patient_id'), 'patient_identifier', ['patient_id'], unique=False)
    op.create_table(
        'external_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trust_code', sa.String(length=8), nullable=False),
        sa.Column('resource_type', sa.String(length=40), nullable=False),
        sa.Column('source_id', sa.String(length=100), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=True),
        sa.Column('target_table', sa.String(length=20), nullable=True),
        sa.Column('target_id', sa.Integer(), nullable=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_external_record_patient_id_patient')),
        sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_external_record_trust_code_trust')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_external_record')),
        sa.UniqueConstraint('trust_code', 'resource_type', 'source_id',
                            name=op.f('uq_external_record_trust_code')),
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_document_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_document_kind'), NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM document WHERE kind = 'clinical_note'")
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_document_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_document_kind'), OLD_KINDS)
    op.drop_table('external_record')
    op.drop_index(op.f('ix_patient_identifier_patient_id'), table_name='patient_identifier')
    op.drop_table('patient_identifier')
    op.drop_index('ix_visit_patient_started', table_name='visit')
    op.drop_table('visit')
