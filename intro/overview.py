"""What an organizer sees: every participant and every introduction, with addresses (on
the organizer's pages, in the API, and in `intro intros --json`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from intro import counts
from intro.models import (
    Campaign,
    FollowUp,
    InboundMessage,
    IntroducerCount,
    Introduction,
    IntroductionParty,
    Participant,
    Person,
)
from intro.personal import status


@dataclass(frozen=True)
class ParticipantRow:
    id: int  # the participant row: what hiding changes
    name: str
    email: str
    count: int
    listed: bool
    hidden: bool
    joined_at: datetime


def participants(session: Session, year: int) -> list[ParticipantRow]:
    """The campaign's participants, most introductions first."""
    rows = session.execute(
        select(Participant, Person, IntroducerCount.count).join(Person, Participant.person_id == Person.id)
        .join(Campaign, Participant.campaign_id == Campaign.id)
        .outerjoin(IntroducerCount, and_(IntroducerCount.person_id == Person.id,
                                         IntroducerCount.campaign_id == Campaign.id))
        .where(Campaign.year == year))
    found = [ParticipantRow(p.id, person.display_name, person.email, n or 0, p.listed, p.hidden, p.joined_at)
             for p, person, n in rows]
    return sorted(found, key=lambda r: (-r.count, r.name.casefold(), r.email))


def set_hidden(session: Session, participant_id: int, hidden: bool) -> bool:
    participant = session.get(Participant, participant_id)
    if participant is None:
        return False
    participant.hidden = hidden
    counts.changed(session, participant.campaign_id)
    return True


def introductions(session: Session, year: int, after: int | None, limit: int) -> list[dict[str, Any]]:
    """One page of the campaign's introductions as plain data, newest first; ``after`` is
    the last id of the previous page (keyset paging: as fast on page 1000 as on page 1)."""
    query = (select(Introduction).join(Campaign, Introduction.campaign_id == Campaign.id)
             .where(Campaign.year == year)
             .options(joinedload(Introduction.introducer),
                      selectinload(Introduction.parties).joinedload(IntroductionParty.person))
             .order_by(Introduction.id.desc()).limit(limit))
    if after is not None:
        query = query.where(Introduction.id < after)
    found = session.scalars(query).all()
    party_ids = [p.id for intro in found for p in intro.parties]
    followups = {f.party_id: f for f in session.scalars(select(FollowUp).where(FollowUp.party_id.in_(party_ids)))}
    return [{
        "id": intro.id,
        "made_at": intro.made_at.isoformat(),
        "campaign": year,
        "subject": intro.subject,
        "introducer": {"name": intro.introducer.display_name, "email": intro.introducer.email},
        "parties": [{"name": p.person.display_name, "email": p.person.email,
                     "follow_up": status(followups.get(p.id)),
                     "answer": str(followups[p.id].answer) if p.id in followups and followups[p.id].answer else ""}
                    for p in sorted(intro.parties, key=lambda p: p.id)],
        "connected": intro.connected_at is not None,
        "held": intro.held_reason,  # not counted until its introducer confirms it; None: counted
    } for intro in found]


def set_goal(session: Session, year: int, goal: int) -> None:
    """Set the campaign's goal per participant, creating the campaign if it has no
    introduction yet; a name that only said the old goal follows the new one."""
    campaign = session.scalars(select(Campaign).where(Campaign.year == year)).first()
    if campaign is None:
        campaign = Campaign(year=year, goal=goal, name=f"{goal} in {year}")
        session.add(campaign)
        session.flush()
    elif campaign.name in ("", f"{campaign.goal} in {year}", f"{campaign.goal} in '{year % 100:02d}"):
        campaign.name = f"{goal} in {year}"
    campaign.goal = goal
    counts.changed(session, campaign.id)


def listing(session: Session, year: int | None = None) -> Iterator[dict[str, Any]]:
    """Every recorded introduction as a plain dict, oldest first (for `intro intros --json`)."""
    query = (
        select(Introduction, InboundMessage.message_id)
        .outerjoin(InboundMessage, Introduction.inbound_message_id == InboundMessage.id)
        .options(joinedload(Introduction.introducer), joinedload(Introduction.campaign),
                 selectinload(Introduction.parties).joinedload(IntroductionParty.person))
        .order_by(Introduction.made_at, Introduction.id)
    )
    if year is not None:
        query = query.join(Campaign, Introduction.campaign_id == Campaign.id).where(Campaign.year == year)
    for intro, message_id in session.execute(query.execution_options(yield_per=500)):
        yield {
            "id": intro.id,
            "introducer": intro.introducer.email,
            "parties": sorted(p.person.email for p in intro.parties),
            "subject": intro.subject,
            "made_at": intro.made_at.isoformat(),
            "campaign": intro.campaign.year,
            "message_id": message_id,
        }
