"""one outbox: every kind of mail keeps the same sending state

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Notices and links gain what follow-ups already had (intro.outbox retries them by the
    # same rule, each kind with its own policy).
    for table in ('notices', 'links'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default=sa.text('0')))
            batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ('links', 'notices'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('next_attempt_at')
            batch_op.drop_column('attempts')
