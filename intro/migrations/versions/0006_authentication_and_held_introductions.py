"""authentication and held introductions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:34:12.600325
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auth', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('auth_note', sa.Text(), nullable=True))

    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('held_reason')

    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_column('auth_note')
        batch_op.drop_column('auth')

