"""The counters kept on write agree with counting the rows, after every kind of write."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select, text

from intro import counts, schema
from intro.answers import record_answer
from intro.db import transaction
from intro.meaning import AnswerValue
from intro.models import Campaign, CampaignCount, FollowUp, IntroducerCount
from intro.tallies import tallies
from tests.seed import seeded_app


def _kept(engine: Engine) -> tuple[dict[tuple[int, str], int], dict[tuple[int, int], int]]:
    with transaction(engine) as s:
        campaign = {(c, n): v for c, n, v in s.execute(select(CampaignCount.campaign_id, CampaignCount.name,
                                                                 CampaignCount.value)) if v}
        people = {(c, p): n for c, p, n in s.execute(select(IntroducerCount.campaign_id, IntroducerCount.person_id,
                                                              IntroducerCount.count))}
    return campaign, people


def _without_changes(kept: tuple[dict[tuple[int, str], int], dict[tuple[int, int], int]]) -> tuple[object, object]:
    return {k: v for k, v in kept[0].items() if k[1] != counts.CHANGES}, kept[1]


def _recounted(engine: Engine) -> tuple[dict[tuple[int, str], int], dict[tuple[int, int], int]]:
    with transaction(engine, write=True) as s:
        for campaign_id in s.scalars(select(Campaign.id)):
            counts.recount(s, campaign_id)
    return _kept(engine)


def test_counters_kept_on_write_equal_a_recount(engine: Engine) -> None:
    seeded_app(engine)  # introductions by mail (one a copy), answers changed, an unlisted participant
    with transaction(engine, write=True) as s:
        followups = s.scalars(select(FollowUp.id).order_by(FollowUp.id)).all()
        record_answer(s, followups[2], AnswerValue.HELPED, "", source="web")
        record_answer(s, followups[2], AnswerValue.HELPED, "", source="reply")  # the same again: counted once
        # An answer dated before the latest one does not replace it.
        record_answer(s, followups[0], AnswerValue.NO, "", source="web", when=datetime(2020, 1, 1, tzinfo=UTC))
    kept = _kept(engine)
    assert _without_changes(kept) == _without_changes(_recounted(engine))
    campaign_figures = {name: v for (_, name), v in kept[0].items() if name != counts.CHANGES}
    assert campaign_figures == {"introductions": 3, "m01": 1, "m03": 2, "connected": 6,
                                "helped": 2, "not_yet": 1,
                                # Two introducers, neither introduced first (intro.growth).
                                "gen_0": 2, "new_m01": 1, "new_m03": 1, "active_m01": 1, "active_m03": 1}


def test_the_page_reads_what_a_full_count_finds(engine: Engine) -> None:
    seeded_app(engine)
    with transaction(engine) as s:
        before = tallies(s, 2026)
    _recounted(engine)
    with transaction(engine) as s:
        assert tallies(s, 2026) == before


def test_the_migration_counts_what_was_recorded_before_it(bare_engine: Engine) -> None:
    schema.upgrade(bare_engine, "0004")
    rows = [
        "INSERT INTO campaigns (id, year, goal, name) VALUES (1, 2026, 15, '15 in 2026'), (2, 2025, 15, '')",
        "INSERT INTO people (id, email, display_name, created_at) VALUES "
        "(1, 'sam@example.com', 'Sam', '2026-01-01'), (2, 'dana@example.com', '', '2026-01-01'), "
        "(3, 'lee@example.com', '', '2026-01-01'), (4, 'kim@example.com', '', '2026-01-01')",
        "INSERT INTO introductions (id, campaign_id, introducer_id, subject, made_at, recorded_at) VALUES "
        "(1, 1, 1, 'a', '2026-03-31 23:30:00', '2026-04-01'), (2, 1, 1, 'b', '2026-04-02 10:00:00', '2026-04-02'), "
        "(3, 2, 2, 'c', '2025-12-31 12:00:00', '2026-01-01')",
        "INSERT INTO introduction_parties (id, introduction_id, person_id) VALUES "
        "(1, 1, 2), (2, 1, 3), (3, 2, 2), (4, 2, 4), (5, 3, 3), (6, 3, 4)",
        "INSERT INTO followups (id, party_id, status, due_at, attempts, tag) VALUES "
        "(1, 1, 'sent', '2026-04-14', 0, 't1'), (2, 2, 'sent', '2026-04-14', 0, 't2'), "
        "(3, 5, 'sent', '2026-01-14', 0, 't3')",
        "INSERT INTO answers (id, followup_id, value, comment, answered_at, source) VALUES "
        "(1, 1, 'no', '', '2026-04-15', 'web'), (2, 1, 'helped', '', '2026-04-16', 'web'), "
        "(3, 2, 'not_yet', '', '2026-04-15', 'reply'), (4, 3, 'helped', '', '2026-01-15', 'web')",
    ]
    with bare_engine.begin() as conn:
        if bare_engine.dialect.name == "postgresql":
            conn.execute(text("SET TIME ZONE 'UTC'"))
        for statement in rows:
            conn.execute(text(statement))
    schema.upgrade(bare_engine)
    migrated = _kept(bare_engine)
    assert _without_changes(migrated) == _without_changes(_recounted(bare_engine))
    assert migrated[0] == {(1, "introductions"): 2, (1, "m03"): 1, (1, "m04"): 1, (1, "connected"): 3,
                           (1, "helped"): 1, (1, "not_yet"): 1,
                           (1, "gen_0"): 1, (1, "new_m03"): 1, (1, "active_m03"): 1, (1, "active_m04"): 1,
                           (2, "introductions"): 1, (2, "m12"): 1, (2, "connected"): 2, (2, "helped"): 1,
                           (2, "gen_0"): 1, (2, "new_m12"): 1, (2, "active_m12"): 1}
    assert migrated[1] == {(1, 1): 2, (2, 2): 1}
    with transaction(bare_engine) as s:
        assert s.scalar(select(FollowUp.answer).where(FollowUp.id == 1)) == AnswerValue.HELPED
