"""A campaign's figures, kept exact as introductions and answers are written.

Counting a million introductions takes seconds (docs/PERFORMANCE.md); the tally page
must answer in milliseconds. So every write that changes a figure changes its counter in
the same transaction: the counters are exactly as current as the rows, never stale and
never ahead. `recount` rebuilds them from the rows, for bulk loads and as the check the
tests hold the counters to.

On PostgreSQL the counter rows of a campaign are updated by every processor that records
one of its introductions, so those writers queue on them for the rest of their
transaction; the processor's batches are short, and the service writes one campaign.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, and_, delete, extract, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from intro import growth
from intro.models import (
    AnswerValue,
    Campaign,
    CampaignCount,
    CampaignPerson,
    FollowUp,
    IntroducerCount,
    Introduction,
    IntroductionParty,
)

INTRODUCTIONS = "introductions"
CONNECTED = "connected"  # distinct people introduced in the campaign
# Goes up with every write that changes what the public page shows (introductions,
# answers, who takes part and who is listed): a web process that kept the figures knows
# from this one row whether they are still exact.
CHANGES = "changes"


def month_name(month: int) -> str:
    return f"m{month:02d}"


@cache
def _statements(dialect_name: str) -> tuple[Insert, Insert]:
    dialect: Any = postgresql if dialect_name == "postgresql" else sqlite
    campaign = dialect.insert(CampaignCount)
    return (
        campaign.on_conflict_do_update(index_elements=["campaign_id", "name"],
                                       set_={"value": CampaignCount.value + campaign.excluded.value}),
        dialect.insert(CampaignPerson).on_conflict_do_nothing().returning(CampaignPerson.person_id),
    )


def add(session: Session, campaign_id: int, changes: Mapping[str, int]) -> None:
    """Add to (or, with negative numbers, take from) a campaign's named counters."""
    rows = [{"campaign_id": campaign_id, "name": name, "value": n} for name, n in sorted(changes.items()) if n]
    if rows:
        # Sorted: two transactions always lock a campaign's counter rows in the same order.
        session.execute(_statements(session.get_bind().dialect.name)[0], rows)


def introduction_added(session: Session, campaign_id: int, introducer_id: int, made_at: datetime,
                       party_ids: Iterable[int]) -> None:
    """Count a new introduction: the campaign's, its month's, its introducer's, any person
    it connects for the first time in the campaign, and the growth (intro.growth)."""
    # The CHANGES row first: every writer of the campaign's figures takes it first, so
    # they queue on it and each sees the last one's rows (the growth reads before it writes).
    add(session, campaign_id, {CHANGES: 1})
    party_ids = sorted(set(party_ids))
    new_people = session.execute(_statements(session.get_bind().dialect.name)[1], [
        {"campaign_id": campaign_id, "person_id": p} for p in party_ids]).all() if party_ids else []
    changes = growth.introduction_added(session, campaign_id, introducer_id, made_at, party_ids)
    changes.update({INTRODUCTIONS: 1, month_name(made_at.month): 1, CONNECTED: len(new_people)})
    add(session, campaign_id, changes)


def answer_changed(session: Session, followup_id: int, value: AnswerValue) -> None:
    """Make ``value`` the follow-up's latest answer and move its count."""
    # Locked, so two answers to one follow-up at once cannot both count as the first.
    followup = session.get_one(FollowUp, followup_id, with_for_update=True)
    previous, followup.answer = followup.answer, value
    if previous == value:
        return
    campaign_id = session.scalar(
        select(Introduction.campaign_id).join(IntroductionParty, IntroductionParty.introduction_id == Introduction.id)
        .where(IntroductionParty.id == followup.party_id))
    assert campaign_id is not None
    changes = {str(value): 1, CHANGES: 1}
    if previous is not None:
        changes[str(previous)] = -1
    add(session, campaign_id, changes)


def recount(session: Session, campaign_id: int) -> None:
    """Rebuild a campaign's counters from its rows (after a bulk load; and the reference
    the tests compare the counters kept on write with)."""
    before = session.scalar(select(CampaignCount.value).where(CampaignCount.campaign_id == campaign_id,
                                                              CampaignCount.name == CHANGES)) or 0
    for table in (CampaignCount, IntroducerCount, CampaignPerson):
        session.execute(delete(table).where(table.campaign_id == campaign_id))
    # Held introductions are not counted until confirmed (intro.trust).
    in_campaign = and_(Introduction.campaign_id == campaign_id, Introduction.held_reason.is_(None))
    session.execute(insert(CampaignPerson).from_select(
        ["campaign_id", "person_id"],
        select(Introduction.campaign_id, IntroductionParty.person_id).distinct()
        .join(IntroductionParty, IntroductionParty.introduction_id == Introduction.id).where(in_campaign)))
    changes: Counter[str] = Counter({
        CHANGES: before + 1, CONNECTED: session.scalar(select(func.count()).where(
            CampaignPerson.campaign_id == campaign_id)) or 0})
    introducers: dict[int, tuple[int, datetime, int]] = {}  # count, first introduction, months (a bit each)
    # Summed by the database per introducer and month: a twelfth of the rows at most.
    month = _month(session, Introduction.made_at)
    for introducer, in_month, n, earliest in session.execute(
            select(Introduction.introducer_id, month, func.count(), func.min(Introduction.made_at))
            .where(in_campaign).group_by(Introduction.introducer_id, month)):
        in_month = int(in_month)
        changes[INTRODUCTIONS] += n
        changes[month_name(in_month)] += n
        count, first, months = introducers.get(introducer, (0, earliest, 0))
        introducers[introducer] = (count + n, min(first, earliest), months | 1 << (in_month - 1))
    changes.update(growth.recount(session, campaign_id, introducers))
    answers = session.execute(
        select(FollowUp.answer, func.count()).join(IntroductionParty, FollowUp.party_id == IntroductionParty.id)
        .join(Introduction, IntroductionParty.introduction_id == Introduction.id)
        .where(in_campaign, FollowUp.answer.is_not(None)).group_by(FollowUp.answer))
    changes.update({str(value): n for value, n in answers})
    add(session, campaign_id, changes)


def _month(session: Session, column: Any) -> Any:
    """The month (1 to 12) of a stored UTC time, in SQL: PostgreSQL's would otherwise be
    the session's time zone's."""
    if session.get_bind().dialect.name == "postgresql":
        return extract("month", func.timezone("UTC", column))
    return extract("month", column)


def changed(session: Session, campaign_id: int) -> None:
    """Note a change to who takes part or who is listed (the figures kept are no longer exact)."""
    add(session, campaign_id, {CHANGES: 1})


def version(session: Session, year: int) -> int | None:
    """The campaign's CHANGES counter; None when there is no such campaign."""
    found = session.execute(
        select(Campaign.id, CampaignCount.value).outerjoin(CampaignCount, and_(
            CampaignCount.campaign_id == Campaign.id, CampaignCount.name == CHANGES)).where(Campaign.year == year)
    ).first()
    return None if found is None else (found.value or 0)


def figures(session: Session, campaign_id: int) -> dict[str, int]:
    """The campaign's counters by name (missing ones are zero)."""
    return {name: value for name, value in session.execute(
        select(CampaignCount.name, CampaignCount.value).where(CampaignCount.campaign_id == campaign_id))}
