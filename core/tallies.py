"""The public figures of a campaign: what the tally page and the JSON API show.

Privacy is decided here, once: nothing about the people who were introduced leaves this
module but counts. Participants appear by display name, and only those who chose to be
listed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, extract, func, select
from sqlalchemy.orm import Session, aliased

from core.models import Answer, AnswerValue, Campaign, FollowUp, Introduction, IntroductionParty, Participant, Person


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
        data = asdict(self)
        data["starts"], data["ends"] = self.starts.isoformat(), self.ends.isoformat()
        return data


def tallies(session: Session, year: int) -> Tallies | None:
    campaign = session.scalars(select(Campaign).where(Campaign.year == year)).first()
    if campaign is None:
        return None
    in_campaign = Introduction.campaign_id == campaign.id
    introductions = session.scalar(select(func.count()).where(in_campaign)) or 0
    members = select(Participant.person_id).where(Participant.campaign_id == campaign.id)
    participants = session.scalar(select(func.count()).select_from(members.subquery())) or 0
    team_count = session.scalar(select(func.count()).where(in_campaign, Introduction.introducer_id.in_(members))) or 0
    counts = (select(Introduction.introducer_id, func.count().label("n")).where(in_campaign)
              .group_by(Introduction.introducer_id).subquery())
    listed = tuple(
        Progress(name or "A participant", n or 0, campaign.goal)
        for name, n in session.execute(
            select(Person.display_name, counts.c.n).join(Participant, Participant.person_id == Person.id)
            .outerjoin(counts, counts.c.introducer_id == Person.id)
            .where(Participant.campaign_id == campaign.id, Participant.listed.is_(True))
            .order_by(func.coalesce(counts.c.n, 0).desc(), Person.display_name))
    )
    connected = session.scalar(
        select(func.count(func.distinct(IntroductionParty.person_id))).join(Introduction).where(in_campaign)) or 0
    answers = _latest_answers(session, campaign.id)
    answered = sum(answers.values())
    months = dict(session.execute(
        select(extract("month", Introduction.made_at), func.count()).where(in_campaign)
        .group_by(extract("month", Introduction.made_at))).all())
    earlier = tuple(session.scalars(select(Campaign.year).where(Campaign.year != year).order_by(Campaign.year.desc())))
    return Tallies(
        year=year, name=campaign.name or f"{campaign.goal} in {year}", starts=date(year, 1, 1), ends=date(year, 12, 31),
        goal=campaign.goal, introductions=introductions, team_count=team_count,
        team_goal=participants * campaign.goal, participants=participants, listed=listed,
        people_connected=connected, helped=answers[AnswerValue.HELPED], not_yet=answers[AnswerValue.NOT_YET],
        did_not_help=answers[AnswerValue.NO],
        helped_share=answers[AnswerValue.HELPED] / answered if answered else None,
        per_month=tuple(int(months.get(m, 0)) for m in range(1, 13)), earlier=earlier,
    )


def _latest_answers(session: Session, campaign_id: int) -> dict[AnswerValue, int]:
    """How many follow-ups' latest answer is each value (answers can change; the latest counts)."""
    newer = aliased(Answer)
    latest = (
        select(Answer.value, func.count())
        .join(FollowUp, Answer.followup_id == FollowUp.id)
        .join(IntroductionParty, FollowUp.party_id == IntroductionParty.id)
        .join(Introduction, IntroductionParty.introduction_id == Introduction.id)
        .outerjoin(newer, and_(newer.followup_id == Answer.followup_id,
                               (newer.answered_at > Answer.answered_at)
                               | ((newer.answered_at == Answer.answered_at) & (newer.id > Answer.id))))
        .where(Introduction.campaign_id == campaign_id, newer.id.is_(None))
        .group_by(Answer.value)
    )
    counted = {value: 0 for value in AnswerValue}
    counted.update({AnswerValue(v): n for v, n in session.execute(latest).all()})
    return counted


def default_year(session: Session, this_year: int) -> int | None:
    """The campaign the front page shows: this year's, else the latest; None before any."""
    years = set(session.scalars(select(Campaign.year)))
    if this_year in years:
        return this_year
    return max(years) if years else None
