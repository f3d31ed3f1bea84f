"""asking first: the asks introducers copy intro+ask@ on, and the mails about them

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 19:42:45.692872
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('consent_asks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('introducer_id', sa.Integer(), nullable=False),
    sa.Column('asked_id', sa.Integer(), nullable=True),
    sa.Column('asked_email', sa.String(length=320), nullable=True),
    sa.Column('other_id', sa.Integer(), nullable=True),
    sa.Column('other_email', sa.String(length=320), nullable=True),
    sa.Column('other_name', sa.String(length=998), nullable=False),
    sa.Column('inbound_message_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.String(length=998), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'answered', 'expired', 'introduced', 'unclear', name='askstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('answer', sa.String(length=8), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=8), nullable=True),
    sa.Column('introduction_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['asked_id'], ['people.id'], name=op.f('fk_consent_asks_asked_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inbound_message_id'], ['inbound_messages.id'], name=op.f('fk_consent_asks_inbound_message_id_inbound_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['introducer_id'], ['people.id'], name=op.f('fk_consent_asks_introducer_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['introduction_id'], ['introductions.id'], name=op.f('fk_consent_asks_introduction_id_introductions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['other_id'], ['people.id'], name=op.f('fk_consent_asks_other_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_asks')),
    sa.UniqueConstraint('inbound_message_id', name=op.f('uq_consent_asks_inbound_message_id'))
    )
    with op.batch_alter_table('consent_asks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_asks_asked_id'), ['asked_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_asks_introducer_id'), ['introducer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_asks_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_asks_other_id'), ['other_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_asks_status'), ['status', 'created_at'], unique=False)

    op.create_table('ask_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ask_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('nudge', 'yes', 'declined', 'expired', 'unclear', 'introduction', name='askmailkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', 'cancelled', name='followupstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ask_id'], ['consent_asks.id'], name=op.f('fk_ask_mails_ask_id_consent_asks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ask_mails')),
    sa.UniqueConstraint('ask_id', 'kind', name=op.f('uq_ask_mails_ask_id')),
    sa.UniqueConstraint('tag', name=op.f('uq_ask_mails_tag'))
    )
    with op.batch_alter_table('ask_mails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ask_mails_status'), ['status', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ask_mails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ask_mails_status'))

    op.drop_table('ask_mails')
    with op.batch_alter_table('consent_asks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_asks_status'))
        batch_op.drop_index(batch_op.f('ix_consent_asks_other_id'))
        batch_op.drop_index(batch_op.f('ix_consent_asks_message_id'))
        batch_op.drop_index(batch_op.f('ix_consent_asks_introducer_id'))
        batch_op.drop_index(batch_op.f('ix_consent_asks_asked_id'))

    op.drop_table('consent_asks')
