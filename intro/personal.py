"""What a signed-in person may see of their own: the introductions they made, the people
in them (they introduced them, so they know them), follow-up status and answers.

Comments written with answers are not shown: they were written to the service, and the
introducer sees only what the answer was.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from intro import counts
from intro.models import (
    Campaign,
    FollowUp,
    IntroducerCount,
    Introduction,
    IntroductionParty,
    MailStatus,
    Participant,
    Person,
)
from intro.trust import DISOWNED, FOR_ORGANIZER, REFUSED


@dataclass(frozen=True)
class Party:
    name: str
    email: str
    followup: str  # "scheduled", "sent", "reminded", "not sent" or "none"
    answer: str  # "helped", "not_yet", "no" or ""


@dataclass(frozen=True)
class MyIntroduction:
    id: int
    made_at: datetime
    year: int
    subject: str
    parties: tuple[Party, ...]
    connected: bool  # someone introduced wrote in the thread
    held: str | None  # why it waits for their confirmation (not counted); None: counted


@dataclass(frozen=True)
class MyCampaign:
    year: int
    name: str
    goal: int
    count: int
    participant: bool
    listed: bool  # their own choice
    hidden: bool  # by an organizer


def campaigns(session: Session, person_id: int) -> list[MyCampaign]:
    """Every campaign they take part in or made an introduction in, newest first."""
    counted = dict(session.execute(select(IntroducerCount.campaign_id, IntroducerCount.count)
                                   .where(IntroducerCount.person_id == person_id)).all())
    joined = {p.campaign_id: p for p in session.scalars(select(Participant).where(Participant.person_id == person_id))}
    held = set(session.scalars(select(Introduction.campaign_id).distinct().where(  # not counted, still theirs
        Introduction.introducer_id == person_id, Introduction.held_reason.is_not(None))))
    found = session.scalars(select(Campaign).where(Campaign.id.in_(set(counted) | set(joined) | held))
                            .order_by(Campaign.year.desc()))
    return [MyCampaign(c.year, c.name or f"{c.goal} in {c.year}", c.goal, counted.get(c.id, 0), c.id in joined,
                       joined[c.id].listed if c.id in joined else False,
                       joined[c.id].hidden if c.id in joined else False) for c in found]


def status(followup: FollowUp | None) -> str:
    if followup is None:
        return "none"
    if followup.status in (MailStatus.FAILED, MailStatus.CANCELLED):
        return "not sent"
    if followup.reminder_sent_at is not None:
        return "reminded"
    return "sent" if followup.sent_at is not None else "scheduled"


def introductions(session: Session, person_id: int, year: int | None = None,
                  awaiting: bool = False) -> Iterator[MyIntroduction]:
    """Their introductions, newest first (all years when ``year`` is None); with
    ``awaiting``, only those held for their confirmation."""
    query = (select(Introduction, Campaign.year).join(Campaign, Introduction.campaign_id == Campaign.id)
             .where(Introduction.introducer_id == person_id)
             .options(selectinload(Introduction.parties).joinedload(IntroductionParty.person))
             .order_by(Introduction.made_at.desc(), Introduction.id.desc()))
    mine = select(IntroductionParty.id).join(Introduction).where(Introduction.introducer_id == person_id)
    if awaiting:
        # Those held for an organizer (the service-wide hourly limit) are not theirs to confirm.
        query = query.where(Introduction.held_reason.is_not(None), Introduction.held_reason.not_in((DISOWNED, REFUSED)),
                            ~Introduction.held_reason.startswith(FOR_ORGANIZER))
    if year is not None:
        query = query.where(Campaign.year == year)
        mine = mine.join(Campaign, Introduction.campaign_id == Campaign.id).where(Campaign.year == year)
    followups = {f.party_id: f for f in session.scalars(select(FollowUp).where(FollowUp.party_id.in_(mine)))}
    for intro, intro_year in session.execute(query).all():
        parties = []
        for party in sorted(intro.parties, key=lambda p: p.id):
            person: Person = party.person
            followup = followups.get(party.id)
            parties.append(Party(person.display_name, party.email, status(followup),  # the address it used
                                 str(followup.answer) if followup and followup.answer else ""))
        yield MyIntroduction(intro.id, intro.made_at, intro_year, intro.subject, tuple(parties),
                             intro.connected_at is not None, intro.held_reason)


def set_listed(session: Session, person_id: int, year: int, listed: bool) -> bool:
    """Their choice to appear on the public page of ``year``; False if not a participant."""
    participant = session.scalars(select(Participant).join(Campaign).where(
        Participant.person_id == person_id, Campaign.year == year)).first()
    if participant is None:
        return False
    participant.listed = listed
    counts.changed(session, participant.campaign_id)
    return True
