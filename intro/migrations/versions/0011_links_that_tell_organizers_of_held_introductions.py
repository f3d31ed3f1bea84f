"""links that tell organizers introductions wait for them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ('sign_in', 'join', 'invite', 'privacy', 'confirm')


def _purpose(*values: str) -> sa.Enum:
    return sa.Enum(*values, name='linkpurpose', native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    # The CHECK constraint lists the purposes: rebuilt with the new one (a table copy on SQLite).
    with op.batch_alter_table('links', schema=None, recreate='always') as batch_op:
        batch_op.alter_column('purpose', existing_type=_purpose(*_BEFORE), type_=_purpose(*_BEFORE, 'held'),
                              existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM links WHERE purpose = 'held'")
    with op.batch_alter_table('links', schema=None, recreate='always') as batch_op:
        batch_op.alter_column('purpose', existing_type=_purpose(*_BEFORE, 'held'), type_=_purpose(*_BEFORE),
                              existing_nullable=False)
