"""The patient's language: the kiosk's screens and their texts in it (issue 20)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('patient') as batch_op:
        # None: the trust's default language (English), until the patient chooses another.
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('sms_message') as batch_op:
        # The language the text was written in, so that it goes to that language's Notify template.
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('sms_message') as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('patient') as batch_op:
        batch_op.drop_column('language')
