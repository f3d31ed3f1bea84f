"""growth kept on write: each introducer's first introduction, months, generation

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:22:58.660428
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('introducer_counts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('months', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('brought_in_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('brought_in', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_introducer_counts_brought_in_by_people'), 'people',
                                    ['brought_in_by'], ['id'], ondelete='SET NULL')
    _count_what_is_there()
    with op.batch_alter_table('introducer_counts', schema=None) as batch_op:
        batch_op.alter_column('first_at', existing_type=sa.DateTime(timezone=True), nullable=False)


# The growth of the introductions already recorded, counted once; from here on the
# service keeps it as it writes (intro/growth.py has the definitions). Plain SQL and a
# pass in time order, valid on both databases: a revision must not depend on the
# application's code as it is today.
_COUNTED = ("FROM introductions i WHERE i.campaign_id = introducer_counts.campaign_id "
            "AND i.introducer_id = introducer_counts.person_id AND i.held_reason IS NULL")


def _count_what_is_there() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    month = (lambda column: f"CAST(strftime('%m', {column}) AS INTEGER)") if sqlite else \
        (lambda column: f"CAST(EXTRACT(MONTH FROM {column} AT TIME ZONE 'UTC') AS INTEGER)")
    op.execute(f"UPDATE introducer_counts SET first_at = (SELECT MIN(i.made_at) {_COUNTED}), "
               f"months = COALESCE((SELECT SUM(DISTINCT 1 << ({month('i.made_at')} - 1)) {_COUNTED}), 0)")
    # Rows counted before introductions could be held (0005) and have none counted now.
    op.execute("DELETE FROM introducer_counts WHERE first_at IS NULL")
    # Who brought whom in: introductions received strictly before one's own first, in
    # time order, so that an introducer's generation is settled before it is passed on.
    edges = bind.execute(sa.text(
        "SELECT i.campaign_id, i.introducer_id, p.person_id FROM introductions i "
        "JOIN introduction_parties p ON p.introduction_id = i.id "
        "JOIN introducer_counts r ON r.campaign_id = i.campaign_id AND r.person_id = p.person_id "
        "WHERE i.held_reason IS NULL AND i.made_at < r.first_at AND p.person_id <> i.introducer_id "
        "ORDER BY i.campaign_id, i.made_at, i.id"))
    best: dict[tuple[int, int], tuple[int, int]] = {}  # (campaign, person): (generation, brought in by)
    for campaign, introducer, person in edges:
        generation = best.get((campaign, introducer), (0, 0))[0] + 1
        if (campaign, person) not in best or generation < best[campaign, person][0]:
            best[campaign, person] = (generation, introducer)
    update = sa.text("UPDATE introducer_counts SET generation = :g, brought_in_by = :by "
                     "WHERE campaign_id = :c AND person_id = :p")
    if best:
        bind.execute(update, [{"c": c, "p": p, "g": g, "by": by} for (c, p), (g, by) in best.items()])
    op.execute("UPDATE introducer_counts SET brought_in = (SELECT COUNT(*) FROM introducer_counts c "
               "WHERE c.campaign_id = introducer_counts.campaign_id AND c.brought_in_by = introducer_counts.person_id)")
    two_digits = "substr(CAST(100 + {} AS VARCHAR(3)), 2, 2)"
    for name, where, by in (
            ("'gen_' || CAST(generation AS VARCHAR(12))", "1 = 1", ", generation"),
            (f"'new_m' || {two_digits.format(month('first_at'))}", "1 = 1", f", {month('first_at')}"),
            ("'parents'", "brought_in > 0", ""),
            *((f"'active_m{m:02d}'", f"(months & {1 << (m - 1)}) <> 0", "") for m in range(1, 13))):
        op.execute(f"INSERT INTO campaign_counts (campaign_id, name, value) SELECT campaign_id, {name}, COUNT(*) "
                   f"FROM introducer_counts WHERE {where} GROUP BY campaign_id{by}")


def downgrade() -> None:
    op.execute("DELETE FROM campaign_counts WHERE name = 'parents' OR substr(name, 1, 4) = 'gen_' "
               "OR substr(name, 1, 5) = 'new_m' OR substr(name, 1, 8) = 'active_m'")
    with op.batch_alter_table('introducer_counts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_introducer_counts_brought_in_by_people'), type_='foreignkey')
        batch_op.drop_column('brought_in')
        batch_op.drop_column('brought_in_by')
        batch_op.drop_column('generation')
        batch_op.drop_column('months')
        batch_op.drop_column('first_at')
