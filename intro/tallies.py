"""The public figures of a campaign: what the tally page and the JSON API show.

Privacy is decided here, once: nothing about the people who were introduced leaves this
module but counts. Participants appear by display name, and only those who chose to be
listed and whom no organizer has hidden. The growth (intro.growth) counts people who
were introduced, so each of its figures under ``SUPPRESSED_BELOW`` people leaves as
None ("fewer than 5" on the page, null in the API), so that no one can be singled out.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from intro import counts, growth
from intro.meaning import AnswerValue
from intro.models import Campaign, IntroducerCount, Participant, Person


@dataclass(frozen=True)
class Progress:
    name: str
    count: int
    goal: int


SUPPRESSED_BELOW = 5  # people: a growth figure under this is not shown (zero included)


def _shown(people: int) -> int | None:
    # Zero too: showing 0 while hiding 1 to 4 would tell "nobody" from "someone".
    return people if people >= SUPPRESSED_BELOW else None


@dataclass(frozen=True)
class Generation:
    generation: int
    people: int | None  # None: fewer than SUPPRESSED_BELOW


@dataclass(frozen=True)
class IntroducersInMonth:
    month: str  # "2026-01"
    new: int | None  # whose first introduction in the campaign was this month
    total: int | None  # who made at least one introduction this month


@dataclass(frozen=True)
class Growth:
    """Does it grow? (intro.growth has the definitions.) Counts only, each of
    SUPPRESSED_BELOW people or more, else None."""

    generations: tuple[Generation, ...]  # 0 to the deepest
    introducers_by_month: tuple[IntroducersInMonth, ...]  # January to the last month with an introduction
    branching: float | None  # introducers brought in per introducer who brought any in, to 2 places
    suppressed_below: int = SUPPRESSED_BELOW

    def as_dict(self) -> dict[str, Any]:
        return {"suppressed_below": self.suppressed_below,
                "generations": [{"generation": g.generation, "people": g.people} for g in self.generations],
                "introducers_by_month": [{"month": m.month, "new": m.new, "total": m.total}
                                         for m in self.introducers_by_month],
                "branching": self.branching}


def _growth(kept: dict[str, int], year: int, per_month: tuple[int, ...]) -> Growth:
    deepest = max((int(name.removeprefix(growth.GENERATION)) for name, n in kept.items()
                   if name.startswith(growth.GENERATION) and n), default=-1)
    people = [kept.get(growth.generation_name(g), 0) for g in range(deepest + 1)]
    last = max((m for m, n in enumerate(per_month, 1) if n), default=0)
    brought, parents = sum(people[1:]), kept.get(growth.PARENTS, 0)
    return Growth(
        generations=tuple(Generation(g, _shown(n)) for g, n in enumerate(people)),
        introducers_by_month=tuple(
            IntroducersInMonth(f"{year}-{m:02d}", _shown(kept.get(growth.new_name(m), 0)),
                               _shown(kept.get(growth.active_name(m), 0))) for m in range(1, last + 1)),
        # Its inputs are people too: a ratio of small counts would show them.
        branching=round(brought / parents, 2) if _shown(brought) and _shown(parents) else None,
    )


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
    growth: Growth

    def as_dict(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies every one of ten thousand entries.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["starts"], data["ends"] = self.starts.isoformat(), self.ends.isoformat()
        data["listed"] = [{"name": p.name, "count": p.count, "goal": p.goal} for p in self.listed]
        data["per_month"], data["earlier"] = list(self.per_month), list(self.earlier)
        data["growth"] = self.growth.as_dict()
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
    per_month = tuple(kept.get(counts.month_name(m), 0) for m in range(1, 13))
    return Tallies(
        year=year, name=campaign.name or f"{campaign.goal} in {year}", starts=date(year, 1, 1), ends=date(year, 12, 31),
        goal=campaign.goal, introductions=kept.get(counts.INTRODUCTIONS, 0), team_count=team_count,
        team_goal=participants * campaign.goal, participants=participants, listed=tuple(shown),
        people_connected=kept.get(counts.CONNECTED, 0), helped=helped, not_yet=not_yet, did_not_help=no,
        helped_share=helped / answered if answered else None,
        per_month=per_month, earlier=earlier, growth=_growth(kept, year, per_month),
    )


def default_year(session: Session, this_year: int) -> int | None:
    """The campaign the front page shows: this year's, else the latest; None before any."""
    years = set(session.scalars(select(Campaign.year)))
    if this_year in years:
        return this_year
    return max(years) if years else None
