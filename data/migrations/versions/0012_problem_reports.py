"""Problem reports and their replies (the help centre's "Report a technical problem")

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'problem_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tried', sa.Text(), nullable=False),
        sa.Column('happened', sa.Text(), nullable=False),
        sa.Column('screen', sa.String(length=80), nullable=False),
        sa.Column('terminal_size', sa.String(length=20), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('place', sa.String(length=10), nullable=False),
        sa.Column('error_reference', sa.String(length=20), nullable=True),
        sa.Column('terminal', sa.String(length=80), nullable=False),
        sa.Column('reply_to', sa.String(length=16), nullable=True),
        sa.Column('patient_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('reply_seen_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('new', 'waiting', 'answered', 'closed')", name=op.f('ck_problem_report_status')),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_problem_report_patient_id_patient')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_report')),
        sa.UniqueConstraint('reference', name=op.f('uq_problem_report_reference')),
    )
    op.create_index('ix_problem_report_status', 'problem_report', ['status', 'id'])
    op.create_index(op.f('ix_problem_report_patient_id'), 'problem_report', ['patient_id'])
    op.create_table(
        'problem_reply',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('staff_username', sa.String(length=64), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['problem_report.id'],
                                name=op.f('fk_problem_reply_report_id_problem_report')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_reply')),
    )
    op.create_index(op.f('ix_problem_reply_report_id'), 'problem_reply', ['report_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_problem_reply_report_id'), table_name='problem_reply')
    op.drop_table('problem_reply')
    op.drop_index(op.f('ix_problem_report_patient_id'), table_name='problem_report')
    op.drop_index('ix_problem_report_status', table_name='problem_report')
    op.drop_table('problem_report')
