"""What waits for an organizer's eye: answers by mail that could not be read with
confidence, and messages whose sender was asked "was it an introduction?" and has not
answered. Each is settled with one click (intro.questions and intro.recording log or
dismiss a question; here, the answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from intro.addresses import ANSWER_TAG, tag_of
from intro.answers import record_answer
from intro.followups import by_tag
from intro.meaning import AnswerValue
from intro.models import FollowUp, InboundMessage, IntroductionParty, Person


@dataclass(frozen=True)
class UnclearAnswer:
    message_id: int
    received_at: datetime
    person: str  # who answered: the person the follow-up asked
    text: str  # what they wrote
    followup_id: int | None  # None: it names no follow-up any more


def unclear_answers(session: Session, service: tuple[str, ...]) -> list[UnclearAnswer]:
    """Every answer by mail filed for review, oldest first."""
    found = []
    for message in session.scalars(select(InboundMessage).where(InboundMessage.needs_review.is_(True))
                                   .order_by(InboundMessage.id)):
        followup = _followup(session, message, service)
        person = session.scalar(select(Person.email).join(IntroductionParty, IntroductionParty.person_id == Person.id)
                                .where(IntroductionParty.id == followup.party_id)) if followup else None
        found.append(UnclearAnswer(message.id, message.received_at, person or message.mail_from,
                                   message.review_text or "", followup.id if followup else None))
    return found


def _followup(session: Session, message: InboundMessage, service: tuple[str, ...]) -> FollowUp | None:
    tag = tag_of(message.rcpt_to, service, ANSWER_TAG)
    return by_tag(session, tag) if tag else None


def settle_answer(session: Session, message_id: int, value: AnswerValue | None, service: tuple[str, ...],
                  now: datetime) -> bool:
    """Record what an organizer read in an unclear answer (None: dismiss it). False if
    there is no such answer waiting."""
    message = session.get(InboundMessage, message_id)
    if message is None or not message.needs_review:
        return False
    followup = _followup(session, message, service)
    if value is not None and followup is not None:
        record_answer(session, followup.id, value, message.review_text or "", source="review", when=now)
        message.note = f"{message.note}; an organizer read it as {value.value!r}"
    else:
        message.note = f"{message.note}; dismissed by an organizer"
    message.needs_review = False
    return True
