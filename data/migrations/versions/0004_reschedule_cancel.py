"""reschedule links both ways, cancellation references, paper copies of letters

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rescheduled_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancellation_reference', sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_appointment_rescheduled_to_id'), ['rescheduled_to_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_appointment_cancellation_reference'),
                                          ['cancellation_reference'])
        batch_op.create_foreign_key(batch_op.f('fk_appointment_rescheduled_to_id_appointment'), 'appointment',
                                    ['rescheduled_to_id'], ['id'])
    # Older bookings that were moved learn where they went (the new one always knew where it came from).
    op.execute("UPDATE appointment SET rescheduled_to_id = (SELECT successor.id FROM appointment AS successor "
               "WHERE successor.rescheduled_from_id = appointment.id) WHERE status = 'rescheduled'")
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('post_status', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_document_post_status'),
                                         "post_status IN ('queued', 'posted')")
        batch_op.create_index(batch_op.f('ix_document_appointment'), ['appointment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_appointment'))
        batch_op.drop_constraint(batch_op.f('ck_document_post_status'), type_='check')
        batch_op.drop_column('post_status')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appointment_rescheduled_to_id_appointment'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_appointment_cancellation_reference'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_appointment_rescheduled_to_id'), type_='unique')
        batch_op.drop_column('cancellation_reference')
        batch_op.drop_column('rescheduled_to_id')
