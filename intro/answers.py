"""Answers to follow-ups, and the people who want no more mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from intro import counts, notices, webhooks
from intro.meaning import AnswerValue
from intro.models import Answer, FollowUp, Introduction, IntroductionParty, Person
from intro.timeutil import utcnow

MAX_COMMENT = 2000  # characters kept of a comment


@dataclass(frozen=True)
class Question:
    """What a survey page shows: whose follow-up, about which introduction."""

    followup_id: int
    person_name: str  # the person asked; shown only to them, through their own link
    introducer_name: str
    others: tuple[str, ...]  # the people they were introduced to (names, else addresses)
    subject: str
    made_at: datetime
    answer: AnswerValue | None  # the latest answer, if any
    comment: str


def question(session: Session, followup_id: int) -> Question | None:
    followup = session.get(FollowUp, followup_id)
    if followup is None:
        return None
    party = followup.party
    intro: Introduction = party.introduction
    others = tuple(p.person.display_name or p.person.email for p in intro.parties if p.id != party.id)
    latest = latest_answer(session, followup_id)
    return Question(
        followup_id=followup.id,
        person_name=party.person.display_name or party.person.email,
        introducer_name=intro.introducer.display_name or intro.introducer.email,
        others=others,
        subject=intro.subject,
        made_at=intro.made_at,
        answer=latest.value if latest else None,
        comment=latest.comment if latest else "",
    )


def latest_answer(session: Session, followup_id: int) -> Answer | None:
    return session.scalars(
        select(Answer).where(Answer.followup_id == followup_id).order_by(Answer.answered_at.desc(), Answer.id.desc())
    ).first()


def record_answer(session: Session, followup_id: int, value: AnswerValue, comment: str, source: str,
                  when: datetime | None = None) -> Answer:
    """Add an answer. Earlier ones are kept; the latest (by ``when``) counts."""
    answer = Answer(followup_id=followup_id, value=value, comment=comment.strip()[:MAX_COMMENT],
                    source=source, answered_at=when or utcnow())
    session.add(answer)
    session.flush()
    latest = latest_answer(session, followup_id)
    assert latest is not None
    counts.answer_changed(session, followup_id, latest.value)
    notices.after_answer(session, followup_id)
    webhooks.emit(session, webhooks.ANSWERED, webhooks.answer, answer.id)
    return answer


def opt_out(session: Session, person_id: int, when: datetime | None = None) -> bool:
    """Stop all mail to this person, for good. False if they had already opted out."""
    person = session.get_one(Person, person_id)
    if person.opted_out_at is not None:
        return False
    person.opted_out_at = when or utcnow()
    return True


def person_of_followup(session: Session, followup_id: int) -> Person | None:
    return session.scalars(
        select(Person).join(IntroductionParty, IntroductionParty.person_id == Person.id)
        .join(FollowUp, FollowUp.party_id == IntroductionParty.id).where(FollowUp.id == followup_id)
    ).first()
