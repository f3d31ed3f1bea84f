"""Follow-ups: scheduled when an introduction starts to count, then sent through the
outbox (intro.outbox) as a kind of mail with two stages, the first mail and its one
reminder, each retried with backoff.

A person mailed ``per_week`` times in the last 7 days gets nothing now: their follow-ups
wait until the oldest of those mails is a week old. Several due for one person now go
out together, as one mail (mailer/outbox.py groups them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from intro import notices
from intro.config import Config
from intro.models import Answer, FollowUp, Introduction, IntroductionParty, MailStatus, Notice, NoticeKind, Person
from intro.outbox import Cancel, Decision, Retry, Send, Stage, Wait, locked, new_tag, ready

# Temporary failures: tried again after 5 minutes, doubling, 8 attempts (about a day and a half).
FIRST = Stage("followup", FollowUp, Retry(attempts=8))
REMINDER = Stage("reminder", FollowUp, Retry(attempts=8), claimed="reminder_claimed_at", sent="reminder_sent_at",
                 final=False)
WEEK = timedelta(days=7)
_FOLLOWUP = insert(FollowUp)


@dataclass(frozen=True)
class Plan:
    """When follow-ups go out, from the configuration ([followup])."""

    delay: timedelta  # after the introduction
    reminder: timedelta  # after the first mail; zero: no reminder
    max_age: timedelta  # older introductions (a backfill) get none
    per_week: int = 3  # follow-up mails one person gets in any 7 days (several due together: one mail)


def plan_from(config: Config) -> Plan:
    followup = config.followup
    return Plan(followup.delay, followup.reminder, followup.max_age, followup.per_person_per_week)


@dataclass(frozen=True)
class Job:
    """One mail to send: a follow-up's first mail or its single reminder."""

    followup_id: int
    tag: str
    reminder: bool
    person_id: int
    recipient_email: str
    recipient_name: str
    introducer_email: str
    introducer_name: str
    others: tuple[str, ...]
    subject: str
    made_at: datetime
    language: str | None = None  # the person's choice, else the introduction's (intro.languages)


def schedule(session: Session, intro_id: int, made_at: datetime, config: Config, now: datetime) -> None:
    """An introduction starts to count: one follow-up per party, and the introducer's
    receipt when [followup] receipts is on."""
    plan = plan_from(config)
    parties = session.scalars(select(IntroductionParty.id).where(IntroductionParty.introduction_id == intro_id))
    too_old = now - made_at > plan.max_age
    rows = [{
        "party_id": party_id, "tag": new_tag(), "due_at": made_at + plan.delay, "attempts": 0,
        "status": MailStatus.CANCELLED if too_old else MailStatus.PENDING,
        "last_error": f"the introduction was {(now - made_at).days} days old when recorded" if too_old else None,
    } for party_id in parties]
    if rows:
        session.execute(_FOLLOWUP, rows)
    if config.followup.receipts:
        notices.add(session, intro_id, NoticeKind.RECEIPT)


class FollowUps:
    """The outbox kind: first mails in the order they fell due, then reminders."""

    name = "followups"
    stages: tuple[Stage, ...] = (FIRST, REMINDER)

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def due(self, session: Session, now: datetime, limit: int) -> list[tuple[Stage, Any, Decision[Job]]]:
        first = session.scalars(locked(
            select(FollowUp).where(FollowUp.status == MailStatus.PENDING, FollowUp.claimed_at.is_(None),
                                   FollowUp.due_at <= now, ready(FollowUp, now))
            .order_by(FollowUp.due_at, FollowUp.id), FollowUp, limit)).all()
        reminders: list[FollowUp] = []
        if self.plan.reminder and len(first) < limit:
            reminders = list(session.scalars(locked(
                select(FollowUp).where(FollowUp.status == MailStatus.SENT, FollowUp.reminder_claimed_at.is_(None),
                                       FollowUp.sent_at <= now - self.plan.reminder, ready(FollowUp, now),
                                       ~exists().where(Answer.followup_id == FollowUp.id))
                .order_by(FollowUp.sent_at, FollowUp.id), FollowUp, limit - len(first))))
        due = [(FIRST, f) for f in first] + [(REMINDER, f) for f in reminders]
        return [(stage, row, decision) for (stage, row), decision in zip(due, _decide(session, due, now,
                                                                                      self.plan.per_week), strict=True)]


def _decide(session: Session, due: list[tuple[Stage, FollowUp]], now: datetime, per_week: int) -> list[Decision[Job]]:
    """What to do with each due mail, and what it shows, in a few queries for the batch."""
    if not due:
        return []
    party_ids = [f.party_id for _, f in due]
    recipients = {row.party_id: row for row in session.execute(
        # The address the introduction used: a person with several is asked at that one.
        select(IntroductionParty.id.label("party_id"), IntroductionParty.introduction_id, Person.id,
               IntroductionParty.email, Person.display_name, Person.opted_out_at, Person.bouncing_since,
               Person.language)
        .join(Person, IntroductionParty.person_id == Person.id).where(IntroductionParty.id.in_(party_ids)))}
    mailed = _mails_this_week(session, {row.id for row in recipients.values()}, now)
    intro_ids = {row.introduction_id for row in recipients.values()}
    intros = {row.id: row for row in session.execute(
        select(Introduction.id, Introduction.subject, Introduction.made_at, Person.email, Person.display_name,
               Introduction.language)
        .join(Person, Introduction.introducer_id == Person.id).where(Introduction.id.in_(intro_ids)))}
    everyone: dict[int, list[tuple[int, str]]] = {}
    for intro_id, party_id, name, address in session.execute(
            select(IntroductionParty.introduction_id, IntroductionParty.id, Person.display_name,
                   IntroductionParty.email)
            .join(Person, IntroductionParty.person_id == Person.id)
            .where(IntroductionParty.introduction_id.in_(intro_ids)).order_by(IntroductionParty.id)):
        everyone.setdefault(intro_id, []).append((party_id, name or address))
    decisions: list[Decision[Job]] = []
    for stage, followup in due:
        person = recipients[followup.party_id]
        if person.opted_out_at or person.bouncing_since:
            # No mail of any kind to someone who opted out or whose address bounces.
            decisions.append(Cancel("opted out" if person.opted_out_at else "address bounces"))
            continue
        this_week = mailed[person.id]
        if now not in this_week and len(this_week) >= per_week:
            decisions.append(Wait(min(this_week) + WEEK))  # room again then
            continue
        this_week.add(now)  # the mail this pass sends them, shared by all their follow-ups in it
        intro = intros[person.introduction_id]
        decisions.append(Send(Job(
            followup_id=followup.id, tag=followup.tag, reminder=stage is REMINDER, person_id=person.id,
            recipient_email=person.email, recipient_name=person.display_name,
            introducer_email=intro.email, introducer_name=intro.display_name,
            others=tuple(name for party_id, name in everyone[intro.id] if party_id != followup.party_id),
            subject=intro.subject, made_at=intro.made_at, language=person.language or intro.language,
        )))
    return decisions


def _mails_this_week(session: Session, person_ids: set[int], now: datetime) -> dict[int, set[datetime]]:
    """When each person was mailed follow-ups in the last 7 days. A mail that covered
    several follow-ups marked them all with the same time, so it counts once."""
    found: dict[int, set[datetime]] = {pid: set() for pid in person_ids}
    for person_id, sent, reminded in session.execute(
            select(IntroductionParty.person_id, FollowUp.sent_at, FollowUp.reminder_sent_at)
            .join(FollowUp, FollowUp.party_id == IntroductionParty.id)
            .where(IntroductionParty.person_id.in_(person_ids),
                   (FollowUp.sent_at > now - WEEK) | (FollowUp.reminder_sent_at > now - WEEK))):
        found[person_id].update(t for t in (sent, reminded) if t is not None and t > now - WEEK)
    return found


def by_tag(session: Session, tag: str) -> FollowUp | None:
    return session.scalars(select(FollowUp).where(FollowUp.tag == tag)).first()


def person_by_tag(session: Session, tag: str) -> Person | None:
    """Whom the mail with this tag went to: a follow-up's party, or a notice's introducer."""
    followup = by_tag(session, tag)
    if followup is not None:
        return followup.party.person
    return session.scalars(
        select(Person).join(Introduction, Introduction.introducer_id == Person.id)
        .join(Notice, Notice.introduction_id == Introduction.id).where(Notice.tag == tag)).first()


def language_of(session: Session, followup_id: int) -> str | None:
    """The language the introduction of a follow-up was written in (its mail's, unless
    the person chose another), or None."""
    return session.scalar(select(Introduction.language).join(IntroductionParty)
                          .join(FollowUp, FollowUp.party_id == IntroductionParty.id).where(FollowUp.id == followup_id))
