"""Asking first (double opt-in): an introducer asks one person whether they want to meet
another before introducing them, as careful introducers do, and copies intro+ask@.

- The ask ("Lee, would you like to meet Dana Reyes <dana@example.net>?", to Lee, copying
  intro+ask@) is recorded as pending; nobody is mailed. The person asked is its To (or,
  with the service in To, its one Cc); the other is its one other Cc, else the one
  address its text names.
- The person asked answers as they would, by reply-all (read like a follow-up's answer,
  inbound.understanding.consent), or, unanswered after [consent] nudge, by the one-click
  buttons of a short note (web/consent.py: GET shows, POST records).
- "Yes": the introducer gets "Lee said yes" with "Send the introduction", which sends the
  introduction to both from the service in the introducer's name and logs it as theirs
  (intro.recording.send_asked). An introduction the introducer writes themselves, copying
  the service, is linked to the ask instead.
- "Not now" and "no" reach only the introducer, as "not this time"; the other person is
  never told. Nothing about an ask is shown on any page or counted.
- Unanswered after [consent] expires: the introducer is told, once.

Every mail about an ask is a row of ``AskMail``, one of each kind per ask, sent by the
outbox at most once like every other mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from intro import privacy, suppression
from intro.addresses import Address
from intro.models import (
    AskMail,
    AskMailKind,
    AskStatus,
    ConsentAsk,
    InboundMessage,
    Introduction,
    IntroductionParty,
    MailStatus,
    Person,
)
from intro.outbox import Cancel, Decision, Retry, Send, Stage, locked, new_tag, ready
from intro.people import find_id, person_id_for
from intro.upsert import insert_new

ASK = Stage("ask", AskMail, Retry(attempts=3))
OPEN = (AskStatus.PENDING, AskStatus.ANSWERED, AskStatus.EXPIRED)  # not yet introduced, not unclear
ANSWERS = ("yes", "not_now", "no")


@dataclass(frozen=True)
class Who:
    """Whom an ask asks, and about whom; or why that could not be told."""

    asked: Address | None
    other: Address | None
    problem: str = ""


def who(to: tuple[Address, ...], cc: tuple[Address, ...], named: tuple[Address, ...]) -> Who:
    """The person asked and the one they are asked about, from whom an ask went to and
    what its text names (the service and the introducer already left out)."""
    if len(to) == 1:
        asked, others = to[0], cc or named
    elif not to and len(cc) == 1:  # the service in To, the person asked in Cc
        asked, others = cc[0], named
    else:
        return Who(None, None, f"sent to {len(to)} people; an ask goes to the one person asked")
    if len(others) != 1:
        where = "copied" if cc and others == cc else "named with an address in the text"
        return Who(asked, None, f"{len(others)} people {where}; an ask is about one person")
    return Who(asked, others[0])


def record_ask(session: Session, message: InboundMessage, introducer: Address, subject: str, said: Who,
               now: datetime, per_day: int) -> str:
    """A new ask from ``introducer``: pending, or unclear (its introducer is told); or not
    recorded at all (a note says why). Returns the note for the message."""
    introducer_id = person_id_for(session, introducer)
    if per_day and _asks_today(session, introducer_id, now) >= per_day:
        return f"more than {per_day} asks today from this sender ([trust] introductions_per_day): not recorded"
    values: dict[str, Any] = {"introducer_id": introducer_id, "inbound_message_id": message.id,
                              "message_id": message.message_id, "subject": subject, "created_at": now}
    if said.asked is None or said.other is None:
        ask = ConsentAsk(**values, status=AskStatus.UNCLEAR)
        session.add(ask)
        session.flush()
        _mail(session, ask.id, AskMailKind.UNCLEAR, now)
        return f"an ask, but unclear ({said.problem}): its sender is told how to ask"
    ask = ConsentAsk(**values, status=AskStatus.PENDING,
                     asked_id=person_id_for(session, said.asked), asked_email=said.asked.email,
                     other_id=person_id_for(session, said.other), other_email=said.other.email,
                     other_name=said.other.name)
    session.add(ask)
    session.flush()
    return f"asks {said.asked.email} first whether they want to meet {said.other.email} (ask {ask.id}); nobody mailed"


def excluded(session: Session, said: Who, never_log: tuple[str, ...]) -> bool:
    """Whether the ask names someone who must never be recorded (forgotten at their
    request, [privacy] never_log, or their own "never record me")."""
    emails = {a.email for a in (said.asked, said.other) if a is not None}
    return bool(emails and (suppression.suppressed(session, emails) or privacy.never_logged(session, emails,
                                                                                             never_log)))


def _asks_today(session: Session, introducer_id: int, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(ConsentAsk).where(
        ConsentAsk.introducer_id == introducer_id, ConsentAsk.created_at > now - timedelta(days=1))) or 0


def ask_about(session: Session, thread_ids: tuple[str, ...], sender: Address,
              recipients: tuple[Address, ...]) -> ConsentAsk | None:
    """The ask a message belongs to: the one whose message it answers (its In-Reply-To or
    References), else an open ask of the sender's, as the person asked, to one of the
    message's recipients as introducer (an answer written as a new message)."""
    if thread_ids:
        found = session.scalars(select(ConsentAsk).where(ConsentAsk.message_id.in_(thread_ids[-50:]))
                                .order_by(ConsentAsk.id.desc())).first()
        if found is not None:
            return found
    sender_id = find_id(session, sender.email)
    if sender_id is None:
        return None
    introducers = {pid for a in recipients if (pid := find_id(session, a.email)) is not None}
    return session.scalars(select(ConsentAsk).where(
        ConsentAsk.asked_id == sender_id, ConsentAsk.introducer_id.in_(introducers),
        ConsentAsk.status.in_(OPEN)).order_by(ConsentAsk.id.desc())).first()


def answer(session: Session, ask: ConsentAsk, value: str, source: str, now: datetime) -> bool:
    """The person asked answered ``value`` ("yes", "not_now", "no"); False if the ask is
    past answering (introduced already, or unclear). An answer may change until then; the
    introducer hears of a yes once and of a "not this time" once."""
    if ask.status not in OPEN or value not in ANSWERS:
        return False
    ask.status, ask.answer, ask.answered_at, ask.answered_by = AskStatus.ANSWERED, value, now, source
    _cancel(session, ask.id, AskMailKind.NUDGE, "answered before the note went out")
    _mail(session, ask.id, AskMailKind.YES if value == "yes" else AskMailKind.DECLINED, now)
    return True


class NotReady(Exception):
    """The introduction cannot be sent for this ask; the message says why, for the page."""


def not_ready(session: Session, ask: ConsentAsk) -> str:
    """Why "Send the introduction" cannot go ahead, or ""."""
    if ask.status == AskStatus.INTRODUCED:
        return "introduced"
    if ask.status != AskStatus.ANSWERED or ask.answer != "yes":
        return "not_yes"
    for person_id in (ask.asked_id, ask.other_id):
        person = session.get(Person, person_id) if person_id is not None else None
        if person is None or person.opted_out_at or person.never_record_at or person.bouncing_since:
            return "unreachable"
    return ""


def nudge_now(session: Session, ask: ConsentAsk, now: datetime) -> None:
    """A reply that does not say clearly: the note with the buttons goes at once."""
    if ask.status == AskStatus.PENDING:
        _mail(session, ask.id, AskMailKind.NUDGE, now)


def link(session: Session, introduction_id: int, now: datetime) -> int:
    """An introduction its introducer wrote: the open asks it answers (its introducer's,
    about two of its people, not declined) are settled by it. Returns how many. One
    indexed query when there are none, as for nearly every introduction."""
    parties = select(IntroductionParty.person_id).where(IntroductionParty.introduction_id == introduction_id)
    introducer = select(Introduction.introducer_id).where(Introduction.id == introduction_id).scalar_subquery()
    asks = session.scalars(select(ConsentAsk).where(
        ConsentAsk.introducer_id == introducer, ConsentAsk.status.in_(OPEN),
        ConsentAsk.asked_id.in_(parties), ConsentAsk.other_id.in_(parties))).all()
    linked = 0
    for ask in asks:
        if ask.answer in ("not_now", "no"):
            continue
        ask.status, ask.introduction_id = AskStatus.INTRODUCED, introduction_id
        for kind in (AskMailKind.NUDGE, AskMailKind.YES):
            _cancel(session, ask.id, kind, "its introducer wrote the introduction")
        linked += 1
    return linked


def _mail(session: Session, ask_id: int, kind: AskMailKind, now: datetime, **values: str) -> int | None:
    return insert_new(session, AskMail, {"ask_id": ask_id, "kind": kind, "tag": new_tag(), "created_at": now,
                                         "status": MailStatus.PENDING, "attempts": 0, "subject": "", "body": "",
                                         **values}, ["ask_id", "kind"])


def mail_introduction(session: Session, ask: ConsentAsk, subject: str, body: str, now: datetime) -> str:
    """The introduction's mail, to be sent by the outbox; return its tag."""
    tag = new_tag()
    insert_new(session, AskMail, {"ask_id": ask.id, "kind": AskMailKind.INTRODUCTION, "tag": tag, "created_at": now,
                                  "status": MailStatus.PENDING, "attempts": 0, "subject": subject, "body": body},
               ["ask_id", "kind"])
    return tag


def _cancel(session: Session, ask_id: int, kind: AskMailKind, reason: str) -> None:
    session.execute(update(AskMail).where(
        AskMail.ask_id == ask_id, AskMail.kind == kind, AskMail.status == MailStatus.PENDING,
        AskMail.claimed_at.is_(None)).values(status=MailStatus.CANCELLED, last_error=reason))


def plan(session: Session, now: datetime, nudge: timedelta, expires: timedelta) -> None:
    """The notes that time brings: to the person asked once ``nudge`` has passed without
    an answer, and to the introducer once ``expires`` has (the ask is then expired)."""
    pending = (ConsentAsk.status == AskStatus.PENDING)
    if expires:
        for ask in session.scalars(select(ConsentAsk).where(pending, ConsentAsk.created_at <= now - expires)
                                   .with_for_update(skip_locked=True)):
            ask.status = AskStatus.EXPIRED
            _cancel(session, ask.id, AskMailKind.NUDGE, "the ask expired first")
            _mail(session, ask.id, AskMailKind.EXPIRED, now)
    if nudge:
        nudged = exists().where(AskMail.ask_id == ConsentAsk.id, AskMail.kind == AskMailKind.NUDGE)
        for ask_id in session.scalars(select(ConsentAsk.id).where(pending, ConsentAsk.created_at <= now - nudge,
                                                                  ~nudged).limit(1000)):
            _mail(session, ask_id, AskMailKind.NUDGE, now)


@dataclass(frozen=True)
class Party:
    person_id: int
    email: str  # the address the ask used for them
    name: str
    language: str | None = None  # their choice


@dataclass(frozen=True)
class AskJob:
    """What a mail about an ask shows."""

    mail_id: int
    tag: str
    kind: AskMailKind
    ask_id: int
    recipients: tuple[Party, ...]  # one, or both people for the introduction
    introducer: Party
    asked: Party | None
    other: Party | None
    subject: str  # the ask's; for the introduction, the one its introducer chose
    body: str  # the introduction's words
    asked_on: datetime
    language: str | None = None  # the recipient's choice; for the introduction, its introducer's


class AskMails:
    """The outbox kind: the mails about asks, planned as time passes, then sent."""

    name = "asks"
    stages: tuple[Stage, ...] = (ASK,)

    def __init__(self, nudge: timedelta, expires: timedelta) -> None:
        self.nudge, self.expires = nudge, expires

    def due(self, session: Session, now: datetime, limit: int) -> list[tuple[Stage, Any, Decision[AskJob]]]:
        plan(session, now, self.nudge, self.expires)
        pending = session.scalars(locked(
            select(AskMail).where(AskMail.status == MailStatus.PENDING, AskMail.claimed_at.is_(None),
                                  ready(AskMail, now)).order_by(AskMail.id), AskMail, limit)).all()
        decided: list[tuple[Stage, Any, Decision[AskJob]]] = []
        for mail in pending:
            ask = session.get_one(ConsentAsk, mail.ask_id)
            reason = _not_sendable(session, mail, ask)
            decided.append((ASK, mail, Cancel(reason) if reason else Send(_job(session, mail, ask))))
        return decided


def _not_sendable(session: Session, mail: AskMail, ask: ConsentAsk) -> str:
    kind = mail.kind
    if kind == AskMailKind.NUDGE and ask.status != AskStatus.PENDING:
        return "the ask was answered or settled first"
    if kind == AskMailKind.YES and (ask.status != AskStatus.ANSWERED or ask.answer != "yes"):
        return "the answer changed, or the introduction was made, first"
    if kind == AskMailKind.DECLINED and (ask.status != AskStatus.ANSWERED or ask.answer == "yes"):
        return "the answer changed to yes first"
    if kind == AskMailKind.EXPIRED and ask.status != AskStatus.EXPIRED:
        return "answered before the note went out"
    recipients = [ask.asked_id] if kind == AskMailKind.NUDGE else \
        [ask.asked_id, ask.other_id] if kind == AskMailKind.INTRODUCTION else [ask.introducer_id]
    for person_id in recipients:
        person = session.get(Person, person_id) if person_id is not None else None
        if person is None:
            return "a person it goes to is gone"
        if person.opted_out_at or person.bouncing_since or person.never_record_at:
            return "opted out" if person.opted_out_at else \
                "address bounces" if person.bouncing_since else "never to be recorded"
    return ""


def _party(session: Session, person_id: int | None, email: str | None, name: str = "") -> Party | None:
    if person_id is None:
        return None
    person = session.get_one(Person, person_id)
    return Party(person.id, email or person.email, person.display_name or name, person.language)


def _job(session: Session, mail: AskMail, ask: ConsentAsk) -> AskJob:
    introducer = _party(session, ask.introducer_id, None)
    asked = _party(session, ask.asked_id, ask.asked_email)
    other = _party(session, ask.other_id, ask.other_email, ask.other_name)
    assert introducer is not None
    recipients: tuple[Party, ...]
    if mail.kind == AskMailKind.INTRODUCTION:
        assert asked is not None and other is not None
        recipients = (asked, other)
    elif mail.kind == AskMailKind.NUDGE:
        assert asked is not None
        recipients = (asked,)
    else:
        recipients = (introducer,)
    return AskJob(mail_id=mail.id, tag=mail.tag, kind=mail.kind, ask_id=ask.id, recipients=recipients,
                  introducer=introducer, asked=asked, other=other,
                  subject=mail.subject or ask.subject, body=mail.body, asked_on=ask.created_at,
                  language=(introducer if mail.kind == AskMailKind.INTRODUCTION else recipients[0]).language)
