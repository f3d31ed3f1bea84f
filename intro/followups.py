"""Follow-ups: scheduled when an introduction is recorded, claimed, sent at most once.

Exactly once, as close as mail allows: a scheduler *claims* due follow-ups in one
transaction (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so two schedulers never take
the same one; SQLite: one writer at a time), commits the claim, sends, then marks them
sent. A claim that is never marked (the process died between claiming and marking) is
not sent again: it may have gone out, and a second copy to someone who never signed up
is worse than a missing one. After CLAIM_LEASE it is marked failed with that reason.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, exists, insert, select, update
from sqlalchemy.orm import Session

from intro.config import Config
from intro.db import transaction
from intro.models import (
    Answer,
    FollowUp,
    FollowUpStatus,
    Introduction,
    IntroductionParty,
    Notice,
    Person,
)

CLAIM_LEASE = timedelta(hours=1)  # longer than any batch can take to send
MAX_ATTEMPTS = 8  # temporary failures, with backoff: about a day and a half in all
_BACKOFF = timedelta(minutes=5)
_FOLLOWUP = insert(FollowUp)


@dataclass(frozen=True)
class Plan:
    """When follow-ups go out, from the configuration ([followup])."""

    delay: timedelta  # after the introduction
    reminder: timedelta  # after the first mail; zero: no reminder
    max_age: timedelta  # older introductions (a backfill) get none
    per_week: int = 3  # follow-up mails one person gets in any 7 days (several due together: one mail)


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


def plan_from(config: Config) -> Plan:
    followup = config.followup
    return Plan(followup.delay, followup.reminder, followup.max_age, followup.per_person_per_week)


def new_tag() -> str:
    # 80 random bits in lowercase hex: unguessable, and safe in an address's local part,
    # which some systems lowercase.
    return secrets.token_hex(10)


def schedule(session: Session, intro_id: int, made_at: datetime, plan: Plan, now: datetime) -> None:
    """One follow-up per party of a newly recorded introduction."""
    parties = session.scalars(select(IntroductionParty.id).where(IntroductionParty.introduction_id == intro_id))
    too_old = now - made_at > plan.max_age
    rows = [{
        "party_id": party_id, "tag": new_tag(), "due_at": made_at + plan.delay, "attempts": 0,
        "status": FollowUpStatus.CANCELLED if too_old else FollowUpStatus.PENDING,
        "last_error": f"the introduction was {(now - made_at).days} days old when recorded" if too_old else None,
    } for party_id in parties]
    if rows:
        session.execute(_FOLLOWUP, rows)


def claim(engine: Engine, now: datetime, plan: Plan, limit: int = 100) -> list[Job]:
    """Take up to ``limit`` due mails (first mails, then reminders) for this scheduler."""
    with transaction(engine, write=True) as session:
        first = session.scalars(
            select(FollowUp)
            .where(FollowUp.status == FollowUpStatus.PENDING, FollowUp.claimed_at.is_(None),
                   FollowUp.due_at <= now, _ready(now))
            .order_by(FollowUp.due_at, FollowUp.id).limit(limit)
            .with_for_update(skip_locked=True, of=FollowUp)
        ).all()
        reminders: list[FollowUp] = []
        if plan.reminder and len(first) < limit:
            reminders = list(session.scalars(
                select(FollowUp)
                .where(FollowUp.status == FollowUpStatus.SENT, FollowUp.reminder_claimed_at.is_(None),
                       FollowUp.sent_at <= now - plan.reminder, _ready(now),
                       ~exists().where(Answer.followup_id == FollowUp.id))
                .order_by(FollowUp.sent_at, FollowUp.id).limit(limit - len(first))
                .with_for_update(skip_locked=True, of=FollowUp)
            ))
        claimed = [(f, False) for f in first] + [(f, True) for f in reminders]
        return _jobs(session, claimed, now, plan.per_week)


def _ready(now: datetime):  # type: ignore[no-untyped-def]
    return (FollowUp.next_attempt_at.is_(None)) | (FollowUp.next_attempt_at <= now)


WEEK = timedelta(days=7)


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


def _jobs(session: Session, claimed: list[tuple[FollowUp, bool]], now: datetime, per_week: int = 3) -> list[Job]:
    """Mark the claims and gather what each mail shows, in a few queries for the batch.

    A person already mailed ``per_week`` times in the last 7 days gets nothing now: their
    follow-ups wait until the oldest of those mails is a week old. Several due for one
    person now go out together (mailer/followups.py), as one mail.
    """
    if not claimed:
        return []
    party_ids = [f.party_id for f, _ in claimed]
    recipients = {row.party_id: row for row in session.execute(
        select(IntroductionParty.id.label("party_id"), IntroductionParty.introduction_id, Person.id,
               Person.email, Person.display_name, Person.opted_out_at, Person.bouncing_since)
        .join(Person, IntroductionParty.person_id == Person.id).where(IntroductionParty.id.in_(party_ids)))}
    mailed = _mails_this_week(session, {row.id for row in recipients.values()}, now)
    intro_ids = {row.introduction_id for row in recipients.values()}
    intros = {row.id: row for row in session.execute(
        select(Introduction.id, Introduction.subject, Introduction.made_at, Person.email, Person.display_name)
        .join(Person, Introduction.introducer_id == Person.id).where(Introduction.id.in_(intro_ids)))}
    everyone: dict[int, list[tuple[int, str]]] = {}
    for intro_id, party_id, name, address in session.execute(
            select(IntroductionParty.introduction_id, IntroductionParty.id, Person.display_name, Person.email)
            .join(Person, IntroductionParty.person_id == Person.id)
            .where(IntroductionParty.introduction_id.in_(intro_ids)).order_by(IntroductionParty.id)):
        everyone.setdefault(intro_id, []).append((party_id, name or address))
    jobs = []
    for followup, reminder in claimed:
        person = recipients[followup.party_id]
        if reminder:
            followup.reminder_claimed_at = now
        if person.opted_out_at or person.bouncing_since:
            # No mail of any kind to someone who opted out or whose address bounces.
            if not reminder:
                followup.status = FollowUpStatus.CANCELLED
                followup.last_error = "opted out" if person.opted_out_at else "address bounces"
            continue
        this_week = mailed[person.id]
        if now not in this_week and len(this_week) >= per_week:
            followup.next_attempt_at = min(this_week) + WEEK  # room again then
            if reminder:
                followup.reminder_claimed_at = None
            continue
        this_week.add(now)  # the mail this pass sends them, shared by all their follow-ups in it
        if not reminder:
            followup.claimed_at = now
        followup.attempts += 1
        intro = intros[person.introduction_id]
        jobs.append(Job(
            followup_id=followup.id, tag=followup.tag, reminder=reminder, person_id=person.id,
            recipient_email=person.email, recipient_name=person.display_name,
            introducer_email=intro.email, introducer_name=intro.display_name,
            others=tuple(name for party_id, name in everyone[intro.id] if party_id != followup.party_id),
            subject=intro.subject, made_at=intro.made_at,
        ))
    return jobs


@dataclass(frozen=True)
class Outcome:
    job: Job
    result: str  # SENT, RETRY or FAILED
    error: str = ""


SENT, RETRY, FAILED = "sent", "retry", "failed"


def settle(engine: Engine, outcomes: list[Outcome], now: datetime) -> None:
    """Record how a batch of sends went, in one transaction.

    If this fails, the claims stay unmarked and expire as failed: at most once.
    """
    sent = [o.job for o in outcomes if o.result == SENT]
    with transaction(engine, write=True) as session:
        cleared = {"next_attempt_at": None, "last_error": None, "attempts": 0}
        if first := [j.followup_id for j in sent if not j.reminder]:
            session.execute(update(FollowUp).where(FollowUp.id.in_(first))
                            .values(status=FollowUpStatus.SENT, sent_at=now, **cleared))
        if again := [j.followup_id for j in sent if j.reminder]:
            session.execute(update(FollowUp).where(FollowUp.id.in_(again)).values(reminder_sent_at=now, **cleared))
        for outcome in outcomes:
            job = outcome.job
            if outcome.result == SENT:
                continue
            followup = session.get_one(FollowUp, job.followup_id)
            if outcome.result == RETRY and followup.attempts < MAX_ATTEMPTS:
                followup.last_error = outcome.error
                followup.next_attempt_at = now + _BACKOFF * 2 ** (followup.attempts - 1)
                if job.reminder:
                    followup.reminder_claimed_at = None
                else:
                    followup.claimed_at = None
            else:
                reason = outcome.error if outcome.result == FAILED else \
                    f"gave up after {followup.attempts} attempts: {outcome.error}"
                _give_up(followup, reason, job.reminder)


def _give_up(followup: FollowUp, error: str, reminder: bool) -> None:
    followup.last_error = error
    if not reminder:  # a failed reminder leaves the (sent) follow-up as it was
        followup.status = FollowUpStatus.FAILED


def expire_claims(engine: Engine, now: datetime) -> int:
    """Mark claims older than the lease, never marked sent, as failed (see the module doc)."""
    with transaction(engine, write=True) as session:
        stale = session.scalars(
            select(FollowUp).where(FollowUp.status == FollowUpStatus.PENDING,
                                   FollowUp.claimed_at <= now - CLAIM_LEASE)
            .with_for_update(skip_locked=True)
        ).all()
        for followup in stale:
            _give_up(followup, "the sender stopped between claiming and marking; not sent again, "
                               "so that nobody gets it twice", reminder=False)
        return len(stale)


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
