"""The post room: patients' postal addresses, print batches, and a letter's place in one

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'post_batch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('printed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('printed_by', sa.String(length=40), nullable=False),
        sa.Column('letters', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=300), nullable=False),
        sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('posted_by', sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_post_batch')),
    )
    with op.batch_alter_table('patient') as batch_op:
        batch_op.add_column(sa.Column('address_lines', sa.String(length=400), nullable=True))
    with op.batch_alter_table('document') as batch_op:
        batch_op.add_column(sa.Column('post_batch_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_document_post_batch_id_post_batch'), 'post_batch',
                                    ['post_batch_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_document_post_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_document_post_status'),
                                         "post_status IN ('queued', 'printed', 'posted')")
        batch_op.create_index('ix_document_post_status', ['post_status'])


def downgrade() -> None:
    with op.batch_alter_table('document') as batch_op:
        batch_op.drop_index('ix_document_post_status')
        batch_op.drop_constraint(batch_op.f('ck_document_post_status'), type_='check')
        batch_op.execute("UPDATE document SET post_status = 'queued' WHERE post_status = 'printed'")
        batch_op.create_check_constraint(batch_op.f('ck_document_post_status'), "post_status IN ('queued', 'posted')")
        batch_op.drop_constraint(batch_op.f('fk_document_post_batch_id_post_batch'), type_='foreignkey')
        batch_op.drop_column('post_batch_id')
    with op.batch_alter_table('patient') as batch_op:
        batch_op.drop_column('address_lines')
    op.drop_table('post_batch')
