"""pace notes to participants behind the campaign's pace, and their own choices about them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:18:33.146437
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pace_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('pace', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', 'cancelled', name='followupstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_pace_notes_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pace_notes')),
    sa.UniqueConstraint('participant_id', 'week', name=op.f('uq_pace_notes_participant_id')),
    sa.UniqueConstraint('tag', name=op.f('uq_pace_notes_tag'))
    )
    with op.batch_alter_table('pace_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pace_notes_status'), ['status', 'id'], unique=False)

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pace_paused_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pace_stopped', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('pace_stopped')
        batch_op.drop_column('pace_paused_until')

    with op.batch_alter_table('pace_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pace_notes_status'))

    op.drop_table('pace_notes')
