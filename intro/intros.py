"""Recording what a message turned out to be: introductions, their threads, their people.

The classifier (inbound/) decides what a message says on its own; this module decides,
with what is already stored, what it means: a second copy of a known introduction, a
reply in its thread, or evidence that the people introduced have connected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, joinedload, selectinload

from intro import counts, links, notices
from intro import trust as trust_policy
from intro.addresses import ANSWER_TAG, BOUNCE_TAG, UNSUBSCRIBE_TAG
from intro.answers import opt_out, record_answer
from intro.campaigns import DEFAULT_GOAL, campaign_id_for, join
from intro.followups import Plan, by_tag, person_by_tag, schedule
from intro.models import (
    AnswerValue,
    Campaign,
    InboundMessage,
    Introduction,
    IntroductionParty,
    MessageStatus,
    NoticeKind,
    Person,
)
from intro.people import Contact, person_id_for
from intro.timeutil import utcnow
from intro.trust import Trust

# A Date header further in the future than this is a wrong clock, not a fact.
_CLOCK_SKEW = timedelta(days=1)
# Reply and forward prefixes, repeated ("Re: Fwd: RE:") and localised, ignored when comparing subjects.
_PREFIXES = re.compile(r"^\s*((re|aw|sv|vs|antw|res|r|fwd?|wg|tr|rv|enc|doorst)\s*(\[\d+\])?\s*:\s*)+", re.I)


@dataclass(frozen=True)
class Facts:
    """What the classifier found in one message."""

    kind: str
    note: str
    subject: str
    date: datetime | None
    sender: Contact | None  # the From
    introducer: Contact | None = None
    parties: tuple[Contact, ...] = ()
    thread_ids: tuple[str, ...] = ()  # In-Reply-To and References
    # The follow-up tags of the service addresses it was sent to, by prefix (intro.followups).
    tags: dict[str, str] = field(default_factory=dict)
    answer: str | None = None  # survey_reply: "yes", "no", "not_yet", or None when unclear
    comment: str = ""  # survey_reply: the new text of the reply
    permanent: bool | None = None  # bounce: a hard failure
    auth: str = ""  # introductions: "pass", "fail" or "none" (inbound.authentication); "" not checked
    auth_note: str = ""


def record(session: Session, message: InboundMessage, facts: Facts, plan: Plan | None = None,
           trust: Trust | None = None) -> int | None:
    """Record ``facts`` about a stored ``message`` and mark it processed; with ``plan``,
    schedule the follow-ups of a new introduction; with ``trust``, hold one that must
    first be confirmed (intro.trust).

    Returns the id of the introduction it made, if it made a new one.
    """
    if facts.kind in ("survey_reply", "bounce") or UNSUBSCRIBE_TAG in facts.tags:
        _record_followup_mail(session, message, facts)
        return None
    if facts.kind == "other" and facts.sender and _PRIVACY.match(facts.subject):
        queued = links.request_privacy(session, facts.sender.email, utcnow())
        _processed(message, "other", "asked about their data: a link to their page is on its way" if queued else
                   "asked about their data: asked too often this hour, no new link")
        return None
    if facts.kind == "other" and facts.sender and _JOIN.match(facts.subject):
        if plan is None or plan.open_join:
            _join_by_mail(session, message, facts, plan.goal if plan else DEFAULT_GOAL)
            return None
        _processed(message, "other", "asked to join by mail; joining is by invitation only ([web] open_join = false)")
        return None
    thread = _thread_introduction(session, facts.thread_ids)
    kind, note, made = facts.kind, facts.note, None
    if kind == "introduction":
        same = _same_introduction(session, facts, thread)
        if same is not None and thread is not None:
            kind, note = "reply", f"introduces no one new in the thread of introduction {same.id}"
        elif same is not None:
            note = f"the same introduction as {same.id}, counted once"
            message.introduction_id = same.id
        else:
            assert facts.introducer is not None
            held = trust_policy.hold_reason(session, trust, facts.introducer.email, facts.auth, facts.auth_note,
                                            utcnow()) if trust else None
            made = _new_introduction(session, message, facts, plan.goal if plan else DEFAULT_GOAL, held)
            message.introduction_id = made
            if held is not None:
                trust_policy.held(session, facts.introducer.email, utcnow())
                note = f"{note}; held until its introducer confirms it: {held}"
            elif plan is not None:
                schedule(session, made, made_at(facts.date, message.received_at), plan, utcnow())
                if plan.receipts:
                    notices.add(session, made, NoticeKind.RECEIPT)
    if thread is not None and message.introduction_id is None:
        message.introduction_id = thread.id
        if kind == "reply" and facts.sender and _is_party(thread, facts.sender.email):
            # A party writing in the thread is the best evidence that the two connected.
            thread.connected_at = min(filter(None, [thread.connected_at, facts.date or message.received_at]))
    message.auth, message.auth_note = facts.auth or None, facts.auth_note or None
    _processed(message, kind, note)
    return made


def _processed(message: InboundMessage, kind: str, note: str) -> None:
    message.kind, message.note = kind, note
    message.status, message.processed_at, message.error = MessageStatus.PROCESSED, utcnow(), None


_ANSWERS = {"yes": AnswerValue.HELPED, "no": AnswerValue.NO, "not_yet": AnswerValue.NOT_YET}


def _record_followup_mail(session: Session, message: InboundMessage, facts: Facts) -> None:
    """Mail that came back to a follow-up's tagged addresses: an answer, a bounce, an opt-out."""
    note, kind = facts.note, facts.kind
    if UNSUBSCRIBE_TAG in facts.tags and kind not in ("bounce", "auto_reply"):
        # RFC 2369/8058: mail to the List-Unsubscribe mailto address means "stop".
        person = person_by_tag(session, facts.tags[UNSUBSCRIBE_TAG])
        if person is not None:
            opt_out(session, person.id)
            note = "asked by mail to stop all mail: opted out"
        else:
            note = "sent to an unsubscribe address that names no follow-up"
    elif kind == "bounce":
        person = person_by_tag(session, facts.tags.get(BOUNCE_TAG, ""))
        if person is not None and facts.permanent is not False:
            person.bouncing_since = person.bouncing_since or utcnow()
            note = f"{note}; the follow-up to {person.email} bounced: no more mail to that address"
    elif kind == "survey_reply":
        followup = by_tag(session, facts.tags.get(ANSWER_TAG, ""))
        if followup is None:
            note = "sent to a follow-up address that names no follow-up: not an answer"
        elif facts.answer in _ANSWERS:
            record_answer(session, followup.id, _ANSWERS[facts.answer], facts.comment, source="reply")
            note = f"answered {facts.answer!r} by mail"
        else:
            message.needs_review = True
            note = "an answer by mail that could not be read with confidence: filed for review"
    _processed(message, kind, note)


# A message to the service with one of these subjects asks to see or erase what is held
# about its sender (answered with a link mailed to that address, never with the data).
_PRIVACY = re.compile(r"^\s*(export|forget|delete|erase|gdpr|privacy)(\s+(me|my\s+data|my\s+address))?\s*[.!]?\s*$",
                      re.IGNORECASE)
# A message to the service with the subject "join" (or "Join 2026") makes its sender a
# participant of that year's campaign.
_JOIN = re.compile(r"^\s*join(?:\s+(?:the\s+)?(?:campaign\s*)?(\d{4}))?\s*[.!]?\s*$", re.IGNORECASE)


def _join_by_mail(session: Session, message: InboundMessage, facts: Facts, goal: str) -> None:
    assert facts.sender is not None
    match = _JOIN.match(facts.subject)
    year = int(match.group(1)) if match and match.group(1) else made_at(facts.date, message.received_at).year
    campaign = campaign_id_for(session, year, goal)
    joined = join(session, person_id_for(session, facts.sender), campaign)
    _processed(message, "other",
               f"joined the {year} campaign by mail" if joined else f"already a participant of {year}")


def made_at(date: datetime | None, received_at: datetime) -> datetime:
    """When the introduction was made: its Date header, unless missing or in the future."""
    if date is None or date > received_at + _CLOCK_SKEW:
        return received_at
    return date


# Statements built once: recording runs for every message, and the ORM's unit of work
# costs several times the inserts themselves (see bench/smtp_ingest.py).
_INTRODUCTION = insert(Introduction).returning(Introduction.id)
_PARTY = insert(IntroductionParty)


def _new_introduction(session: Session, message: InboundMessage, facts: Facts, goal: str,
                      held: str | None = None) -> int:
    """Insert the introduction and its people; count it unless it is ``held`` (the reason)."""
    assert facts.introducer is not None
    when = made_at(facts.date, message.received_at)
    campaign_id, introducer_id = campaign_id_for(session, when.year, goal), person_id_for(session, facts.introducer)
    intro_id: int = session.execute(_INTRODUCTION, {
        "campaign_id": campaign_id, "introducer_id": introducer_id,
        "inbound_message_id": message.id, "subject": facts.subject, "made_at": when, "recorded_at": utcnow(),
        "held_reason": held,
    }).scalar_one()
    people = {person_id_for(session, p) for p in facts.parties}
    session.execute(_PARTY, [{"introduction_id": intro_id, "person_id": pid} for pid in sorted(people)])
    if held is None:
        counts.introduction_added(session, campaign_id, introducer_id, when, people)
    return intro_id


def _thread_introduction(session: Session, thread_ids: tuple[str, ...]) -> Introduction | None:
    """The introduction whose thread a message with these In-Reply-To/References joins."""
    if not thread_ids:
        return None
    found = session.scalars(
        select(Introduction)
        .join(InboundMessage, InboundMessage.introduction_id == Introduction.id)
        .where(InboundMessage.message_id.in_(thread_ids[-50:]))
        .order_by(Introduction.id)
    ).first()
    return found


def _same_introduction(session: Session, facts: Facts, thread: Introduction | None) -> Introduction | None:
    """An introduction already recorded between the same people: in this thread, or with
    the same introducer and subject (a forwarded copy, a "Re:" without threading headers)."""
    assert facts.introducer is not None
    people = {p.email for p in facts.parties}
    if thread is not None and people <= _people(thread):
        return thread
    subject = normalize_subject(facts.subject)
    # Subjects first (one light query), then the people of the few that match.
    recent = session.execute(
        select(Introduction.id, Introduction.subject).join(Person, Introduction.introducer_id == Person.id)
        .where(Person.email == facts.introducer.email)
        .order_by(Introduction.id.desc()).limit(500)
    )
    for intro_id, intro_subject in recent:
        if normalize_subject(intro_subject) != subject:
            continue
        party_emails = session.scalars(
            select(Person.email).join(IntroductionParty, IntroductionParty.person_id == Person.id)
            .where(IntroductionParty.introduction_id == intro_id)
        )
        if set(party_emails) == people:
            return session.get_one(Introduction, intro_id)
    return None


def _people(intro: Introduction) -> set[str]:
    return {p.person.email for p in intro.parties} | {intro.introducer.email}


def _is_party(intro: Introduction, email: str) -> bool:
    return any(p.person.email == email for p in intro.parties)


def normalize_subject(subject: str) -> str:
    return " ".join(_PREFIXES.sub("", subject).casefold().split())


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


def backlog(session: Session) -> tuple[int, datetime | None]:
    """The newest stored message's id, and when the oldest unprocessed one arrived."""
    newest = session.scalar(select(func.max(InboundMessage.id))) or 0
    oldest = session.scalar(
        select(InboundMessage.received_at).where(InboundMessage.status == MessageStatus.NEW)
        .order_by(InboundMessage.id).limit(1)
    )
    return newest, oldest


def unprocessed_ids(session: Session, limit: int = 100) -> list[int]:
    return list(session.scalars(
        select(InboundMessage.id).where(InboundMessage.status == MessageStatus.NEW)
        .order_by(InboundMessage.id).limit(limit)
    ))

