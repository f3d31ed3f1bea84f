"""languages: the one a person chose, and the one an introduction was written in

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 19:53:00.177003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))

    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.drop_column('language')

