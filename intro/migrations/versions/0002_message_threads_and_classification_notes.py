"""message threads and classification notes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:35:03.432363
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('introduction_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_inbound_messages_introduction_id'), ['introduction_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_inbound_messages_introduction_id_introductions'), 'introductions', ['introduction_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('connected_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.drop_column('connected_at')

    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_inbound_messages_introduction_id_introductions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_inbound_messages_introduction_id'))
        batch_op.drop_column('introduction_id')
        batch_op.drop_column('note')

