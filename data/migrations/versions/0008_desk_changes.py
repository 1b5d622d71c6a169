"""The desk acts for patients: which clinics it books (outpatient ones), who booked, moved or cancelled an appointment and why, what is left to rebook
by hand (transport, an interpreter), and the booking confirmation text

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_TEMPLATES = ("template IN ('reminder', 'reschedule_confirmation', 'cancellation_confirmation', "
                 "'registration_invitation', 'one_time_code', 'problem_reply')")
NEW_TEMPLATES = ("template IN ('reminder', 'reschedule_confirmation', 'cancellation_confirmation', "
                 "'booking_confirmation', 'registration_invitation', 'one_time_code', 'problem_reply')")


def upgrade() -> None:
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outpatient', sa.Boolean(), nullable=False, server_default=sa.text('true')))
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('staff_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('arrangements', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('arrangements_done_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('arrangements_done_by', sa.String(length=64), nullable=True))
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sms_message_template'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_sms_message_template'), NEW_TEMPLATES)


def downgrade() -> None:
    op.execute("DELETE FROM sms_message WHERE template = 'booking_confirmation'")
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sms_message_template'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_sms_message_template'), OLD_TEMPLATES)
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_column('arrangements_done_by')
        batch_op.drop_column('arrangements_done_at')
        batch_op.drop_column('arrangements')
        batch_op.drop_column('staff_reason')
        batch_op.drop_column('staff_by')
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.drop_column('outpatient')
