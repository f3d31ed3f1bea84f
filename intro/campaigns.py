"""Campaigns: one a year, each with its goal per participant, and who takes part."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from intro import counts, webhooks
from intro.models import Campaign, Participant
from intro.timeutil import utcnow
from intro.upsert import insert_new

DEFAULT_GOAL = "15"
_CAMPAIGN_ID = select(Campaign.id).where(Campaign.year == bindparam("year"))


def terms(goal_setting: str, year: int) -> tuple[int, str]:
    """The goal and name of a new campaign: "15" gives 15 in 2026; "year" gives the
    campaign its own year's number, "26 in '26", as "15 in '15" did."""
    if goal_setting == "year":
        short = year % 100
        return short, f"{short} in '{short:02d}"
    goal = int(goal_setting)
    return goal, f"{goal} in {year}"


def campaign_id_for(session: Session, year: int, goal_setting: str = DEFAULT_GOAL) -> int:
    """The campaign of ``year``, created with the configured goal the first time."""
    found = session.execute(_CAMPAIGN_ID, {"year": year}).scalar()
    if found is None:
        goal, name = terms(goal_setting, year)
        found = insert_new(session, Campaign, {"year": year, "goal": goal, "name": name}, ["year"])
    return found if found is not None else session.execute(_CAMPAIGN_ID, {"year": year}).scalar_one()


def join(session: Session, person_id: int, campaign_id: int, when: datetime | None = None,
         listed: bool = True) -> bool:
    """Make the person a participant (listed by display name, the default). False if already one."""
    joined = insert_new(session, Participant, {"person_id": person_id, "campaign_id": campaign_id, "listed": listed,
                                               "joined_at": when or utcnow()}, ["campaign_id", "person_id"])
    if joined is not None:
        counts.changed(session, campaign_id)
        webhooks.emit(session, webhooks.JOINED, webhooks.participant, joined)
    return joined is not None


def is_participant(session: Session, person_id: int, campaign_id: int) -> bool:
    return session.scalar(select(Participant.id).where(Participant.person_id == person_id,
                                                       Participant.campaign_id == campaign_id)) is not None
