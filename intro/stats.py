"""Overall counts, for `intro stats` and for operators."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from intro.models import (
    Answer,
    FollowUp,
    InboundMessage,
    Introduction,
    MessageStatus,
    Person,
    Question,
    QuestionAnswer,
)


@dataclass(frozen=True)
class Counts:
    messages: int  # stored inbound messages, duplicates not included
    messages_unprocessed: int
    messages_failed: int
    introductions: int
    people: int
    followups_sent: int
    answers: int
    answers_to_review: int  # replies by mail whose answer could not be read with confidence
    introductions_confirmed: int  # messages not recognised, logged by their introducer when asked
    questions_declined: int  # asked about, and "it was not an introduction"

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def counts(session: Session) -> Counts:
    def count(*where: ColumnElement[bool], of: type = InboundMessage) -> int:
        return session.scalar(select(func.count()).select_from(of).where(*where)) or 0

    return Counts(
        messages=count(of=InboundMessage),
        messages_unprocessed=count(InboundMessage.status == MessageStatus.NEW),
        messages_failed=count(InboundMessage.status == MessageStatus.FAILED),
        introductions=count(of=Introduction),
        people=count(of=Person),
        followups_sent=count(FollowUp.sent_at.is_not(None), of=FollowUp),
        answers=count(of=Answer),
        answers_to_review=count(InboundMessage.needs_review.is_(True)),
        introductions_confirmed=count(Question.answer == QuestionAnswer.LOGGED, of=Question),
        questions_declined=count(Question.answer == QuestionAnswer.DECLINED, of=Question),
    )
