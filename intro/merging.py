"""One person, several addresses (issue 14): an address confirmed by a link mailed to it
becomes one of the person's, and two people who turn out to be one are merged.

Confirming is the proof: the link reaches only the mailbox it names. So an address that
was already someone else's (they made or received introductions at it) is merged into
the person who asked: whoever holds both mailboxes has shown that the two are one. An
organizer's merge (``/admin``) is the same link, mailed to the address being merged.

A merge moves everything of the person merged (``gone``) to the one kept: introductions
made and received, follow-ups and answers, participations, questions; their addresses
become the kept person's; their sessions end. Two collisions are settled here:

- both took part in the same campaign: the kept person's participation stays (with its
  choices), the other's weekly notes move to it for the weeks it had none;
- both were introduced in the same introduction: it stays, with the person once (the
  kept one's party row, at the address it used); the other's answers move to that
  party's follow-up, and the latest of all counts.

The campaigns' figures are then rebuilt from the rows (``counts.recount``), so they are
exactly what counting afresh gives.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, insert, select, union, update
from sqlalchemy.orm import Session

from intro import counts, people
from intro.models import (
    Answer,
    ConsentAsk,
    FollowUp,
    Introduction,
    IntroductionParty,
    Link,
    PaceNote,
    Participant,
    Person,
    PersonAddress,
    Question,
    WebSession,
)

log = logging.getLogger(__name__)
# What a person chose or what is known of their mail, kept through a merge if either had it.
_FLAGS = ("opted_out_at", "bouncing_since", "never_ask_at", "never_record_at")


def confirm_address(session: Session, person_id: int, email: str, now: datetime) -> int | None:
    """The holder of the mailbox ``email`` confirmed that it is ``person_id``'s too.
    Returns the id of the person merged into them, if the address was someone else's."""
    holder = people.find_id(session, email)
    if holder == person_id:
        return None
    if holder is not None:
        merge(session, person_id, holder, now)
        return holder
    session.execute(insert(PersonAddress).values(person_id=person_id, email=email, confirmed_at=now))
    return None


def merge(session: Session, keep: int, gone: int, now: datetime) -> None:
    """Make ``gone`` part of ``keep``: everything of theirs moves, their addresses become
    ``keep``'s, and the row of ``gone`` is deleted."""
    if keep == gone:
        return
    kept = session.get_one(Person, keep, with_for_update=True)
    old = session.get_one(Person, gone, with_for_update=True)
    campaigns = _campaigns_of(session, gone)
    _merge_parties(session, keep, gone)
    _merge_participants(session, keep, gone)
    for statement in (
        update(Introduction).where(Introduction.introducer_id == gone).values(introducer_id=keep),
        update(IntroductionParty).where(IntroductionParty.person_id == gone).values(person_id=keep),
        update(Question).where(Question.person_id == gone).values(person_id=keep),
        update(Link).where(Link.invited_by == gone).values(invited_by=keep),
        update(Link).where(Link.person_id == gone).values(person_id=keep),
        update(PersonAddress).where(PersonAddress.person_id == gone).values(person_id=keep),
        update(ConsentAsk).where(ConsentAsk.introducer_id == gone).values(introducer_id=keep),
        update(ConsentAsk).where(ConsentAsk.asked_id == gone).values(asked_id=keep),
        update(ConsentAsk).where(ConsentAsk.other_id == gone).values(other_id=keep),
        delete(WebSession).where(WebSession.person_id == gone),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    for flag in _FLAGS:
        times = [t for t in (getattr(kept, flag), getattr(old, flag)) if t is not None]
        setattr(kept, flag, min(times) if times else None)
    kept.display_name = kept.display_name or old.display_name
    address = old.email
    for campaign_id in sorted(campaigns):
        counts.changed(session, campaign_id)  # the campaign's figures locked first, as every writer does
        counts.recount(session, campaign_id)
    session.flush()
    session.execute(delete(Person).where(Person.id == gone).execution_options(synchronize_session=False))
    session.execute(insert(PersonAddress).values(person_id=keep, email=address, confirmed_at=now))
    session.expire_all()
    log.info("merged person %s into person %s", gone, keep)


def _campaigns_of(session: Session, person_id: int) -> set[int]:
    """The campaigns whose figures name this person: they made, received or joined there."""
    return set(session.scalars(union(
        select(Introduction.campaign_id).where(Introduction.introducer_id == person_id),
        select(Introduction.campaign_id).join(IntroductionParty).where(IntroductionParty.person_id == person_id),
        select(Participant.campaign_id).where(Participant.person_id == person_id))))


def _merge_parties(session: Session, keep: int, gone: int) -> None:
    """Introductions that name both: one party row stays, ``keep``'s, with every answer."""
    theirs = {intro_id: party_id for intro_id, party_id in session.execute(
        select(IntroductionParty.introduction_id, IntroductionParty.id).where(IntroductionParty.person_id == gone))}
    if not theirs:
        return
    both = session.execute(select(IntroductionParty.introduction_id, IntroductionParty.id).where(
        IntroductionParty.person_id == keep, IntroductionParty.introduction_id.in_(theirs))).all()
    for intro_id, party_id in both:
        mine = session.scalar(select(FollowUp).where(FollowUp.party_id == party_id))
        other = session.scalar(select(FollowUp).where(FollowUp.party_id == theirs[intro_id]))
        if other is not None and mine is None:
            other.party_id = party_id
        elif other is not None and mine is not None:
            session.execute(update(Answer).where(Answer.followup_id == other.id).values(followup_id=mine.id))
            latest = session.scalar(select(Answer.value).where(Answer.followup_id == mine.id)
                                    .order_by(Answer.answered_at.desc(), Answer.id.desc()).limit(1))
            mine.answer = latest
        session.flush()
        session.execute(delete(IntroductionParty).where(IntroductionParty.id == theirs[intro_id]))


def _merge_participants(session: Session, keep: int, gone: int) -> None:
    """Campaigns both joined: ``keep``'s participation stays, with the other's weekly notes
    for weeks it had none."""
    mine = {campaign_id: pid for campaign_id, pid in session.execute(
        select(Participant.campaign_id, Participant.id).where(Participant.person_id == keep))}
    for campaign_id, pid in session.execute(select(Participant.campaign_id, Participant.id)
                                            .where(Participant.person_id == gone)).all():
        if campaign_id not in mine:
            session.execute(update(Participant).where(Participant.id == pid).values(person_id=keep))
            continue
        weeks = select(PaceNote.week).where(PaceNote.participant_id == mine[campaign_id]).scalar_subquery()
        session.execute(update(PaceNote).where(PaceNote.participant_id == pid, PaceNote.week.not_in(weeks))
                        .values(participant_id=mine[campaign_id]).execution_options(synchronize_session=False))
        session.execute(delete(Participant).where(Participant.id == pid))

