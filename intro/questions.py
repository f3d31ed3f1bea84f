"""No silent misses: when a person's message to two or more others copies the service and
is not recognised as an introduction, its sender is asked, once, whether it was one.

The question is a kind of mail of the outbox (intro.outbox). Its answer is kept with what
was predicted, so every "Log it" and "It was not an introduction" is a correction an
organizer can measure recognition with (`intro corrections export`). Logging one is in
intro.recording (it records an introduction); here is everything else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intro.config import Config
from intro.meaning import Meaning
from intro.models import InboundMessage, MailStatus, Person, Question, QuestionAnswer
from intro.outbox import Cancel, Decision, Send, Stage, locked, new_tag, ready
from intro.people import person_id_for

QUESTION = Stage("question", Question)
# A question can be answered this long, on the page its mail links to or on one's own page.
OPEN_FOR = timedelta(days=30)
# Not mailed after this: a question about last week's mail is still fair, a month's is not.
FRESH = timedelta(days=3)


@dataclass(frozen=True)
class QuestionJob:
    question_id: int
    tag: str
    person_id: int
    email: str
    name: str
    subject: str
    candidates: tuple[tuple[str, str, bool], ...]  # (address, name, suggested)
    sent_on: datetime  # when the message arrived
    language: str | None = None  # the sender's choice


def ask(session: Session, message: InboundMessage, meaning: Meaning, config: Config, held: str | None,
        made_at: datetime, now: datetime) -> str:
    """Queue the question about a message that was not recognised; returns what was done, for the note."""
    if meaning.sender is None or not meaning.ask:
        return ""
    if held is not None:
        return "not asked: its sender could not be authenticated"
    limit = config.recognition.questions_per_day
    person_id = person_id_for(session, meaning.sender)
    person = session.get_one(Person, person_id)
    if not limit or person.never_ask_at or person.opted_out_at:
        return "not asked: its sender asked never to be, or questions are off"
    today = session.scalar(select(func.count()).where(Question.person_id == person_id,
                                                      Question.created_at > now - timedelta(days=1))) or 0
    if today >= limit:
        return f"not asked: {limit} questions to its sender today already"
    named = set(meaning.named)
    session.add(Question(
        inbound_message_id=message.id, person_id=person_id, subject=meaning.subject, predicted=meaning.kind,
        score=meaning.score, made_at=made_at, created_at=now, tag=new_tag(), status=MailStatus.PENDING,
        candidates=[{"email": p.email, "name": p.name, "suggested": p.email in named} for p in meaning.parties]))
    return "its sender is asked whether it was an introduction"


class Questions:
    """The outbox kind: one short question each, never tried again (a late one is stale)."""

    name = "questions"
    stages: tuple[Stage, ...] = (QUESTION,)

    def due(self, session: Session, now: datetime, limit: int) -> list[tuple[Stage, Any, Decision[QuestionJob]]]:
        pending = session.scalars(locked(
            select(Question).where(Question.status == MailStatus.PENDING, Question.claimed_at.is_(None),
                                   ready(Question, now)).order_by(Question.id), Question, limit)).all()
        decided: list[tuple[Stage, Any, Decision[QuestionJob]]] = []
        for question in pending:
            person = session.get_one(Person, question.person_id)
            reason = _not_sent(question, person, now)
            decided.append((QUESTION, question, Cancel(reason) if reason else Send(_job(question, person))))
        return decided


def _not_sent(question: Question, person: Person, now: datetime) -> str:
    if person.opted_out_at or person.bouncing_since:
        return "opted out" if person.opted_out_at else "address bounces"
    if person.never_ask_at:
        return "asked never to be asked"
    if question.answer is not None:
        return "answered before it was sent"
    if now - question.created_at > FRESH:
        return "too old to ask about when it could be sent"
    return ""


def _job(question: Question, person: Person) -> QuestionJob:
    return QuestionJob(question.id, question.tag, person.id, person.email, person.display_name, question.subject,
                       tuple((str(c["email"]), str(c.get("name") or ""), bool(c.get("suggested")))
                             for c in question.candidates), question.created_at, person.language)


class Unanswerable(Exception):
    """The question is not theirs, was answered already, or is closed: ``problem`` says which."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def open_question(session: Session, question_id: int, person_id: int | None, now: datetime) -> Question:
    """The question, if it may be answered now (by ``person_id``, when given)."""
    question = session.get(Question, question_id)
    if question is None or (person_id is not None and question.person_id != person_id):
        raise Unanswerable("invalid")
    if question.answer is not None:
        raise Unanswerable("answered")
    if now - question.created_at > OPEN_FOR:
        raise Unanswerable("expired")
    return question


def settle(session: Session, question: Question, answer: QuestionAnswer, now: datetime,
           introduction_id: int | None = None) -> None:
    question.answer, question.answered_at, question.introduction_id = answer, now, introduction_id
    if question.status == MailStatus.PENDING and question.claimed_at is None:
        question.status, question.last_error = MailStatus.CANCELLED, "answered before it was sent"


def decline(session: Session, question_id: int, person_id: int | None, now: datetime) -> None:
    """'It was not an introduction' (``person_id`` None: an organizer dismissing it)."""
    question = open_question(session, question_id, person_id, now)
    settle(session, question, QuestionAnswer.DECLINED if person_id is not None else QuestionAnswer.DISMISSED, now)


def never_ask(session: Session, person_id: int, now: datetime) -> bool:
    """They want no more questions. False if they had said so already."""
    person = session.get(Person, person_id)
    if person is None or person.never_ask_at is not None:
        return False
    person.never_ask_at = now
    return True


def waiting(session: Session, person_id: int, now: datetime) -> list[Question]:
    """Their questions that may still be answered, newest first (for their own page)."""
    return list(session.scalars(select(Question).where(
        Question.person_id == person_id, Question.answer.is_(None), Question.created_at > now - OPEN_FOR)
        .order_by(Question.id.desc())))


def unanswered(session: Session, now: datetime) -> list[Question]:
    """Every question still open, oldest first (for the organizer's review)."""
    return list(session.scalars(select(Question).where(
        Question.answer.is_(None), Question.created_at > now - OPEN_FOR).order_by(Question.id)))


def corrections(session: Session) -> Iterator[dict[str, Any]]:
    """Every answered question as a correction: what was predicted, what it was."""
    rows = session.execute(
        select(Question, InboundMessage.message_id, Person.email)
        .outerjoin(InboundMessage, Question.inbound_message_id == InboundMessage.id)
        .join(Person, Question.person_id == Person.id)
        .where(Question.answer.in_((QuestionAnswer.LOGGED, QuestionAnswer.DECLINED))).order_by(Question.answered_at))
    for question, message_id, email in rows:
        logged = question.answer == QuestionAnswer.LOGGED
        yield {
            "message_id": message_id,
            "predicted": question.predicted,
            "corrected": "introduction" if logged else question.predicted,
            "introducer": email if logged else None,
            "parties": sorted(str(c["email"]) for c in question.candidates if c.get("chosen")) if logged else [],
            "at": question.answered_at.isoformat() if question.answered_at else None,
        }
