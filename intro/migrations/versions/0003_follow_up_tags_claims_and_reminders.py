"""follow-up tags, claims and reminders

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:10:33.146621
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tag', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_claimed_at', sa.DateTime(timezone=True), nullable=True))
    # No release before this one created follow-ups; any row that exists gets a unique tag.
    op.execute("UPDATE followups SET tag = 'legacy' || CAST(id AS VARCHAR(20)) WHERE tag IS NULL")
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.alter_column('tag', existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_followups_tag'), ['tag'])

    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_review', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_column('needs_review')

    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_followups_tag'), type_='unique')
        batch_op.drop_column('reminder_claimed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('tag')

