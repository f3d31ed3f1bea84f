"""The public figures of a campaign: what the tally page and the JSON API show.

Privacy is decided here, once: nothing about the people who were introduced leaves this
module but counts. Participants appear by display name, and only those who chose to be
listed and whom no organizer has hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from intro import counts
from intro.meaning import AnswerValue
from intro.models import Campaign, IntroducerCount, Participant, Person


@dataclass(frozen=True)
class Progress:
    name: str
    count: int
    goal: int


@dataclass(frozen=True)
class Tallies:
    year: int
    name: str
    starts: date
    ends: date
    goal: int  # per participant
    introductions: int  # all introductions logged in the campaign
    team_count: int  # those made by participants
    team_goal: int  # participants x goal
    participants: int
    listed: tuple[Progress, ...]  # most introductions first
    people_connected: int  # distinct people introduced
    helped: int
    not_yet: int
    did_not_help: int
    helped_share: float | None  # among those who answered; None before any answer
    per_month: tuple[int, ...]  # January to December
    earlier: tuple[int, ...]  # years of the other campaigns, newest first

    def as_dict(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies every one of ten thousand entries.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["starts"], data["ends"] = self.starts.isoformat(), self.ends.isoformat()
        data["listed"] = [{"name": p.name, "count": p.count, "goal": p.goal} for p in self.listed]
        data["per_month"], data["earlier"] = list(self.per_month), list(self.earlier)
        return data


def tallies(session: Session, year: int) -> Tallies | None:
    """The campaign's public figures, read from the counters kept on write (intro.counts)."""
    campaign = session.scalars(select(Campaign).where(Campaign.year == year)).first()
    if campaign is None:
        return None
    kept = counts.figures(session, campaign.id)
    # Core rows, sorted and summed by the database: at ten thousand participants the
    # ORM's per-row work would cost more than the query (bench/web_tallies.py).
    conn = session.connection()
    counted = and_(IntroducerCount.person_id == Participant.person_id, IntroducerCount.campaign_id == campaign.id)
    members = Participant.campaign_id == campaign.id
    participants, team_count = conn.execute(
        select(func.count(), func.coalesce(func.sum(IntroducerCount.count), 0))
        .select_from(Participant).outerjoin(IntroducerCount, counted).where(members)).one()
    n = func.coalesce(IntroducerCount.count, 0)
    shown = [Progress(name or "A participant", count, campaign.goal) for name, count in conn.execute(
        select(Person.display_name, n).select_from(Participant).join(Person, Person.id == Participant.person_id)
        .outerjoin(IntroducerCount, counted)
        .where(members, Participant.listed.is_(True), Participant.hidden.is_(False))
        .order_by(n.desc(), Person.display_name, Person.id))]
    helped, not_yet, no = (kept.get(str(v), 0) for v in (AnswerValue.HELPED, AnswerValue.NOT_YET, AnswerValue.NO))
    answered = helped + not_yet + no
    earlier = tuple(session.scalars(select(Campaign.year).where(Campaign.year != year).order_by(Campaign.year.desc())))
    return Tallies(
        year=year, name=campaign.name or f"{campaign.goal} in {year}", starts=date(year, 1, 1), ends=date(year, 12, 31),
        goal=campaign.goal, introductions=kept.get(counts.INTRODUCTIONS, 0), team_count=team_count,
        team_goal=participants * campaign.goal, participants=participants, listed=tuple(shown),
        people_connected=kept.get(counts.CONNECTED, 0), helped=helped, not_yet=not_yet, did_not_help=no,
        helped_share=helped / answered if answered else None,
        per_month=tuple(kept.get(counts.month_name(m), 0) for m in range(1, 13)), earlier=earlier,
    )


def default_year(session: Session, this_year: int) -> int | None:
    """The campaign the front page shows: this year's, else the latest; None before any."""
    years = set(session.scalars(select(Campaign.year)))
    if this_year in years:
        return this_year
    return max(years) if years else None
