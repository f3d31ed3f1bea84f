"""tallies kept on write, organizer hiding, mailed links

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 21:48:50.979566
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('campaign_counts',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_counts_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'name', name=op.f('pk_campaign_counts'))
    )
    op.create_table('campaign_people',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_people_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_campaign_people_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'person_id', name=op.f('pk_campaign_people'))
    )
    op.create_table('introducer_counts',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_introducer_counts_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_introducer_counts_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'person_id', name=op.f('pk_introducer_counts'))
    )
    op.create_table('links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('sign_in', 'join', 'invite', 'privacy', 'confirm', name='linkpurpose', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=998), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('invited_by', sa.Integer(), nullable=True),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', 'cancelled', name='followupstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by'], ['people.id'], name=op.f('fk_links_invited_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_links')),
    sa.UniqueConstraint('tag', name=op.f('uq_links_tag'))
    )
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_links_client'), ['client', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_links_email'), ['email', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_links_status'), ['status', 'created_at'], unique=False)

    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.Enum('helped', 'not_yet', 'no', name='answervalue', native_enum=False, create_constraint=True, length=16), nullable=True))

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False))
    _count_what_is_there()


# The figures of the introductions already recorded, counted once; from here on the
# service keeps them as it writes (intro/counts.py). Plain SQL, valid on both databases:
# a revision must not depend on the application's code as it is today.
_BACKFILL = (
    """UPDATE followups SET answer = (
         SELECT a.value FROM answers a WHERE a.followup_id = followups.id
         ORDER BY a.answered_at DESC, a.id DESC LIMIT 1)""",
    """INSERT INTO introducer_counts (campaign_id, person_id, count)
       SELECT campaign_id, introducer_id, COUNT(*) FROM introductions GROUP BY campaign_id, introducer_id""",
    """INSERT INTO campaign_people (campaign_id, person_id)
       SELECT DISTINCT i.campaign_id, p.person_id
       FROM introduction_parties p JOIN introductions i ON i.id = p.introduction_id""",
    """INSERT INTO campaign_counts (campaign_id, name, value)
       SELECT campaign_id, 'introductions', COUNT(*) FROM introductions GROUP BY campaign_id""",
    """INSERT INTO campaign_counts (campaign_id, name, value)
       SELECT campaign_id, 'connected', COUNT(*) FROM campaign_people GROUP BY campaign_id""",
    """INSERT INTO campaign_counts (campaign_id, name, value)
       SELECT i.campaign_id, f.answer, COUNT(*) FROM followups f
       JOIN introduction_parties p ON p.id = f.party_id JOIN introductions i ON i.id = p.introduction_id
       WHERE f.answer IS NOT NULL GROUP BY i.campaign_id, f.answer""",
)


def _count_what_is_there() -> None:
    for statement in _BACKFILL:
        op.execute(statement)
    # The month of a UTC timestamp is written differently on each database.
    month = ("CAST(strftime('%m', made_at) AS INTEGER)" if op.get_bind().dialect.name == "sqlite"
             else "CAST(EXTRACT(MONTH FROM made_at AT TIME ZONE 'UTC') AS INTEGER)")
    op.execute(f"""INSERT INTO campaign_counts (campaign_id, name, value)
                   SELECT campaign_id, 'm' || substr(CAST(100 + {month} AS VARCHAR(3)), 2, 2), COUNT(*)
                   FROM introductions GROUP BY campaign_id, {month}""")


def downgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('hidden')

    with op.batch_alter_table('followups', schema=None) as batch_op:
        # SQLite's batch mode keeps the column's CHECK unless it is dropped by name first.
        batch_op.drop_constraint(op.f('ck_followups_answervalue'), type_='check')
        batch_op.drop_column('answer')

    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_links_status'))
        batch_op.drop_index(batch_op.f('ix_links_email'))
        batch_op.drop_index(batch_op.f('ix_links_client'))

    op.drop_table('links')
    op.drop_table('introducer_counts')
    op.drop_table('campaign_people')
    op.drop_table('campaign_counts')

