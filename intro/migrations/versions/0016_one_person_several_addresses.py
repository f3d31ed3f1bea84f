"""one person, several addresses

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 17:28:59.178166
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ('sign_in', 'join', 'invite', 'privacy', 'confirm', 'held')


def _purpose(*values: str) -> sa.Enum:
    return sa.Enum(*values, name='linkpurpose', native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table('person_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_addresses_person_id_people'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_addresses')),
    sa.UniqueConstraint('email', name=op.f('uq_person_addresses_email'))
    )
    with op.batch_alter_table('person_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_addresses_person_id'), ['person_id'], unique=False)

    # The address each introduction used for each party: until now, a person had one.
    with op.batch_alter_table('introduction_parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=True))
    op.execute("UPDATE introduction_parties SET email = "
               "(SELECT email FROM people WHERE people.id = introduction_parties.person_id)")
    with op.batch_alter_table('introduction_parties', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=320), nullable=False)

    # The CHECK constraint lists the purposes: rebuilt with the new one (a table copy on SQLite).
    with op.batch_alter_table('links', schema=None, recreate='always') as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_links_person_id_people'), 'people', ['person_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.alter_column('purpose', existing_type=_purpose(*_BEFORE), type_=_purpose(*_BEFORE, 'address'),
                              existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM links WHERE purpose = 'address'")
    with op.batch_alter_table('links', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_links_person_id_people'), type_='foreignkey')
        batch_op.drop_column('person_id')
        batch_op.alter_column('purpose', existing_type=_purpose(*_BEFORE, 'address'), type_=_purpose(*_BEFORE),
                              existing_nullable=False)

    with op.batch_alter_table('introduction_parties', schema=None) as batch_op:
        batch_op.drop_column('email')

    with op.batch_alter_table('person_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_addresses_person_id'))

    op.drop_table('person_addresses')
