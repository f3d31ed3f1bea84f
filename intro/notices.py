"""Notes to introducers: a receipt when an introduction is logged, and a note once
everyone introduced has answered. A kind of mail of the outbox (intro.outbox), never
tried again: a note that does not go out promptly is not worth a second try.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intro.models import (
    Answer,
    Campaign,
    FollowUp,
    Introduction,
    IntroductionParty,
    MailStatus,
    Notice,
    NoticeKind,
    Participant,
    Person,
)
from intro.outbox import Cancel, Decision, Send, Stage, locked, new_tag, ready
from intro.timeutil import utcnow
from intro.upsert import insert_new

# A note that could not go out soon after its event is no longer news: not sent late
# (also when the setting that allows it is switched on long after).
FRESH = {NoticeKind.RECEIPT: timedelta(days=2), NoticeKind.ANSWERED: timedelta(days=7)}
ANSWERED_NOTES = ("participants", "everyone", "nobody")
NOTICE = Stage("notice", Notice)


@dataclass(frozen=True)
class NoticeJob:
    notice_id: int
    kind: NoticeKind
    tag: str
    person_id: int
    introducer_email: str
    introducer_name: str
    others: tuple[str, ...]  # the people introduced: the introducer may see them
    subject: str
    made_at: datetime
    year: int
    goal: int
    count: int  # this is the introducer's count-th introduction of the campaign
    answers: tuple[tuple[str, str], ...]  # (person, latest answer) for ANSWERED
    language: str | None = None  # the introducer's choice, else the introduction's


def add(session: Session, intro_id: int, kind: NoticeKind) -> None:
    insert_new(session, Notice, {"introduction_id": intro_id, "kind": kind, "tag": new_tag(),
                                 "status": MailStatus.PENDING, "created_at": utcnow()},
               ["introduction_id", "kind"])


def after_answer(session: Session, followup_id: int) -> None:
    """Once every party of the introduction has answered, note it for the introducer."""
    intro_id = session.scalar(
        select(IntroductionParty.introduction_id).join(FollowUp, FollowUp.party_id == IntroductionParty.id)
        .where(FollowUp.id == followup_id))
    parties = session.scalar(select(func.count()).where(IntroductionParty.introduction_id == intro_id))
    answered = session.scalar(
        select(func.count(func.distinct(FollowUp.id))).join(Answer, Answer.followup_id == FollowUp.id)
        .join(IntroductionParty, FollowUp.party_id == IntroductionParty.id)
        .where(IntroductionParty.introduction_id == intro_id))
    if intro_id is not None and parties and answered == parties:
        add(session, intro_id, NoticeKind.ANSWERED)


class Notices:
    """The outbox kind, as [followup] receipts and answered_notes say."""

    name = "notices"
    stages: tuple[Stage, ...] = (NOTICE,)

    def __init__(self, answered_notes: str, receipts: bool) -> None:
        self.answered_notes, self.receipts = answered_notes, receipts

    def due(self, session: Session, now: datetime, limit: int) -> list[tuple[Stage, Any, Decision[NoticeJob]]]:
        pending = session.scalars(locked(
            select(Notice).where(Notice.status == MailStatus.PENDING, Notice.claimed_at.is_(None), ready(Notice, now))
            .order_by(Notice.id), Notice, limit)).all()
        decided: list[tuple[Stage, Any, Decision[NoticeJob]]] = []
        for notice in pending:
            reason = _not_sendable(session, notice, now, self.answered_notes, self.receipts)
            decided.append((NOTICE, notice, Cancel(reason) if reason else Send(_job(session, notice))))
        return decided


def _not_sendable(session: Session, notice: Notice, now: datetime, answered_notes: str, receipts: bool) -> str:
    intro = session.get_one(Introduction, notice.introduction_id)
    person = intro.introducer
    if person.opted_out_at or person.bouncing_since:
        return "opted out" if person.opted_out_at else "address bounces"
    if now - notice.created_at > FRESH[notice.kind]:
        return "no longer news when it could be sent"
    if notice.kind == NoticeKind.RECEIPT and not receipts:
        return "receipts are switched off"
    if notice.kind == NoticeKind.ANSWERED:
        if answered_notes == "nobody":
            return "answered notes are switched off"
        joined = session.scalar(select(Participant.id).where(Participant.person_id == person.id,
                                                             Participant.campaign_id == intro.campaign_id))
        if answered_notes == "participants" and joined is None:
            return "the introducer is not a participant of the campaign"
    return ""


def _job(session: Session, notice: Notice) -> NoticeJob:
    intro = session.get_one(Introduction, notice.introduction_id)
    campaign = session.get_one(Campaign, intro.campaign_id)
    count = session.scalar(select(func.count()).where(
        Introduction.introducer_id == intro.introducer_id, Introduction.campaign_id == intro.campaign_id,
        Introduction.id <= intro.id, Introduction.held_reason.is_(None))) or 0
    answers = []
    for party in sorted(intro.parties, key=lambda p: p.id):
        latest = session.scalar(
            select(Answer.value).join(FollowUp, Answer.followup_id == FollowUp.id)
            .where(FollowUp.party_id == party.id).order_by(Answer.answered_at.desc(), Answer.id.desc()).limit(1))
        answers.append((party.person.display_name or party.person.email, str(latest) if latest else ""))
    person: Person = intro.introducer
    return NoticeJob(
        notice_id=notice.id, kind=notice.kind, tag=notice.tag, person_id=person.id,
        introducer_email=person.email, introducer_name=person.display_name,
        others=tuple(name for name, _ in answers), subject=intro.subject, made_at=intro.made_at,
        year=campaign.year, goal=campaign.goal, count=count,
        answers=tuple(answers) if notice.kind == NoticeKind.ANSWERED else (),
        language=person.language or intro.language,
    )
