"""Recording what a message means: introductions, their threads, answers, and what people ask.

The understanding (inbound/understanding) decides what a message says on its own and
hands over a ``Meaning``; this module decides, with what is already stored, what it
means: a second copy of a known introduction, a reply in its thread, evidence that the
people introduced have connected, an answer to a follow-up; and carries out what a
person asked (join, see or erase their data).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from intro import consent, counts, links, privacy, questions, suppression, webhooks
from intro import trust as trust_policy
from intro.addresses import ANSWER_TAG, BOUNCE_TAG, UNSUBSCRIBE_TAG, Address
from intro.answers import MAX_COMMENT, opt_out, record_answer
from intro.campaigns import campaign_id_for
from intro.config import Config
from intro.followups import by_tag, person_by_tag, schedule
from intro.meaning import Meaning
from intro.models import (
    AskStatus,
    ConsentAsk,
    InboundMessage,
    Introduction,
    IntroductionParty,
    MessageStatus,
    Person,
    QuestionAnswer,
)
from intro.people import find_id, person_id_for
from intro.timeutil import utcnow
from intro.trust import Trust

# A Date header further in the future than this is a wrong clock, not a fact.
_CLOCK_SKEW = timedelta(days=1)
# Reply and forward prefixes, repeated ("Re: Fwd: RE:") and localised, ignored when comparing subjects.
_PREFIXES = re.compile(r"^\s*((re|aw|sv|vs|antw|res|r|fwd?|wg|tr|rv|enc|doorst)\s*(\[\d+\])?\s*:\s*)+", re.I)


def record(session: Session, message: InboundMessage, meaning: Meaning, config: Config,
           trust: Trust | None = None) -> int | None:
    """Record what a stored ``message`` means and mark it processed: a new introduction is
    counted and its follow-ups scheduled as ``config`` says; with ``trust``, one that
    must first be confirmed is held (intro.trust).

    Returns the id of the introduction it made, if it made a new one.
    """
    if meaning.kind in ("survey_reply", "bounce") or UNSUBSCRIBE_TAG in meaning.tags:
        _record_followup_mail(session, message, meaning)
        return None
    meaning = _without_forgotten(session, message, meaning)
    meaning = _without_never_logged(session, message, meaning, config.privacy.never_log)
    if meaning.asks_first is not None and meaning.sender is not None:
        settled = _asked_first(session, message, meaning, config, trust)
        if settled is not None:
            message.auth, message.auth_note = meaning.auth or None, meaning.auth_note or None
            _processed(message, *settled)
            return None
    if meaning.command is not None and meaning.sender is not None:
        _carry_out(session, message, meaning, config)
        return None
    thread = _thread_introduction(session, meaning.thread_ids)
    kind, note, made = meaning.kind, meaning.reason, None
    crowd = len(meaning.parties) > config.trust.max_parties
    if kind == "introduction" and crowd:
        # However it reads, a message to this many people mails none of them (one message
        # must not make intro write to hundreds of strangers).
        kind, note = "other", (f"a group mail to {len(meaning.parties)} people, more than [trust] max_parties = "
                               f"{config.trust.max_parties}: not an introduction; nobody is mailed")
    elif kind == "introduction":
        same = _same_introduction(session, meaning, thread)
        if same is not None and thread is not None:
            kind, note = "reply", f"introduces no one new in the thread of introduction {same.id}"
        elif same is not None:
            note = f"the same introduction as {same.id}, counted once"
            message.introduction_id = same.id
        else:
            assert meaning.introducer is not None
            held = trust_policy.hold_reason(session, trust, meaning.introducer.email, meaning.auth,
                                            meaning.auth_note, utcnow(), peer=message.peer) if trust else None
            busy = trust_policy.busy_reason(session, trust, len(meaning.parties), utcnow()) \
                if trust and held is None else None
            made = _new_introduction(session, message.id, made_at(meaning.date, message.received_at), meaning,
                                     config.campaign.goal, held or busy)
            message.introduction_id = made
            consent.link(session, made, utcnow())
            if busy is not None:
                for organizer in config.web.admins:
                    links.request_held(session, organizer, utcnow())
                note = f"{note}; held until an organizer releases it: {busy}"
            elif held is not None:
                trust_policy.held(session, meaning.introducer.email, utcnow())
                note = f"{note}; held until its introducer confirms it: {held}"
            else:
                schedule(session, made, made_at(meaning.date, message.received_at), config, utcnow())
    if thread is not None and kind == "other":
        # Its text did not show it, but its thread is a recorded introduction's.
        kind, note = "reply", f"a later message in the thread of introduction {thread.id}"
    elif meaning.ask and meaning.sender is not None and not crowd:
        held = trust_policy.hold_reason(session, trust, meaning.sender.email, meaning.auth, meaning.auth_note,
                                        utcnow(), count=False) if trust else None
        asked = questions.ask(session, message, meaning, config, held, made_at(meaning.date, message.received_at),
                              utcnow())
        note = f"{note}; {asked}"
    if thread is not None and message.introduction_id is None:
        message.introduction_id = thread.id
        if kind == "reply" and meaning.sender and _is_party(thread, find_id(session, meaning.sender.email)):
            # A party writing in the thread is the best evidence that the two connected.
            thread.connected_at = min(filter(None, [thread.connected_at, meaning.date or message.received_at]))
    message.auth, message.auth_note = meaning.auth or None, meaning.auth_note or None
    _processed(message, kind, note)
    return made


def _without_forgotten(session: Session, message: InboundMessage, meaning: Meaning) -> Meaning:
    """``meaning`` without the people who asked to be forgotten (intro.suppression): they
    are never recorded or mailed again, and the mail that names them is not kept. An
    introduction left with fewer than two people, or from a forgotten introducer, is none."""
    people = [*meaning.parties, *filter(None, (meaning.introducer, meaning.sender))]
    if not people or meaning.kind not in ("introduction", "other"):
        return meaning
    forgotten = suppression.suppressed(session, {p.email for p in people})
    if not forgotten:
        return meaning
    message.raw, message.mail_from, message.rcpt_to, message.peer = b"", "", [], ""
    parties = tuple(p for p in meaning.parties if p.email not in forgotten)
    reason = f"{meaning.reason}; names {len(forgotten)} forgotten at their request: not kept, not mailed"
    introducer, sender = meaning.introducer, meaning.sender
    if (introducer and introducer.email in forgotten) or (sender and sender.email in forgotten) or len(parties) < 2:
        return replace(meaning, kind="other", reason=reason, parties=(), introducer=None, sender=None, ask=False,
                       command=None)
    return replace(meaning, reason=reason, parties=parties)


def _without_never_logged(session: Session, message: InboundMessage, meaning: Meaning,
                          never_log: tuple[str, ...]) -> Meaning:
    """``meaning`` without the people introduced who are never to be recorded ([privacy]
    never_log, or their own "never record me"): the introduction counts for its
    introducer without them when two or more others remain, and is none otherwise. The
    raw message, which names them, is not kept."""
    if not meaning.parties or meaning.kind not in ("introduction", "other"):
        return meaning
    excluded = privacy.never_logged(session, {p.email for p in meaning.parties}, never_log)
    if not excluded:
        return meaning
    message.raw, message.mail_from, message.rcpt_to, message.peer = b"", "", [], ""
    parties = tuple(p for p in meaning.parties if p.email not in excluded)
    reason = f"{meaning.reason}; names {len(excluded)} never to be recorded: not kept, not mailed"
    if len(parties) < 2:
        return replace(meaning, kind="other", reason=reason, parties=(), ask=False)
    return replace(meaning, reason=reason, parties=parties)


def _asked_first(session: Session, message: InboundMessage, meaning: Meaning, config: Config,
                 trust: Trust | None) -> tuple[str, str] | None:
    """A message copying intro+ask@ (intro.consent): an answer to an ask, a later message in
    its thread, or a new ask; the kind and note it is recorded with. None: it is an
    introduction, recorded as any other (and linked to the ask it follows)."""
    said, sender, now = meaning.asks_first, meaning.sender, utcnow()
    assert said is not None and sender is not None
    ask = consent.ask_about(session, meaning.thread_ids, sender, said.to + said.cc)
    if ask is not None:
        sender_id = find_id(session, sender.email)
        if sender_id == ask.asked_id:
            if trust is not None and meaning.auth == "fail":
                return "other", f"an answer to ask {ask.id} whose From failed authentication: not taken"
            if said.answer is None:
                consent.nudge_now(session, ask, now)
                return "survey_reply", (f"a reply to ask {ask.id} that says neither yes, not now nor no clearly: "
                                        "the note with the buttons goes now")
            if consent.answer(session, ask, said.answer, "reply", now):
                return "survey_reply", f"answered {said.answer!r} to ask {ask.id} by mail"
            return "survey_reply", f"an answer to ask {ask.id}, which was settled already"
        if sender_id == ask.introducer_id and meaning.kind == "introduction":
            return None
        return "reply", f"a later message in the thread of ask {ask.id}"
    if meaning.kind == "introduction" and len(said.to) >= 2:
        return None  # it introduces the people it is sent to: intro+ask@ copied by habit
    who = consent.who(said.to, said.cc, said.named)
    if consent.excluded(session, who, config.privacy.never_log):
        message.raw, message.mail_from, message.rcpt_to, message.peer = b"", "", [], ""
        return "other", "an ask that names someone never to be recorded: not kept, nobody mailed"
    if trust is not None and meaning.auth == "fail":
        return "other", f"an ask whose From failed authentication ({meaning.auth_note}): not recorded, nobody mailed"
    return "other", consent.record_ask(session, message, sender, meaning.subject, who, now,
                                       config.trust.introductions_per_day)


def send_asked(session: Session, ask_id: int, subject: str, body: str, config: Config, now: datetime) -> int:
    """"Send the introduction": the person asked said yes, and the introducer sends the
    introduction the service writes for them. It is logged as theirs and gets its
    follow-ups like any other; its mail goes out through the outbox. Returns its id.

    The mail's Message-ID is kept as a received message of the introduction's, so that the
    two people's replies, copying the service, join its thread as they would any other's.
    """
    ask = session.scalars(select(ConsentAsk).where(ConsentAsk.id == ask_id).with_for_update()).one()
    problem = consent.not_ready(session, ask)
    if problem:
        raise consent.NotReady(problem)
    assert ask.asked_id is not None and ask.other_id is not None and ask.asked_email and ask.other_email
    introducer, asked, other = (session.get_one(Person, pid) for pid in (ask.introducer_id, ask.asked_id,
                                                                          ask.other_id))
    tag = consent.mail_introduction(session, ask, subject, body, now)
    row = InboundMessage(message_id=f"introduction.{tag}@{config.service.address[0].partition('@')[2]}",
                         mail_from="", rcpt_to=[], peer="", received_at=now, raw=b"", size=0,
                         status=MessageStatus.PROCESSED, kind="introduction", processed_at=now,
                         note=f"the introduction of ask {ask.id}, sent by the service in its introducer's name")
    session.add(row)
    session.flush()
    meaning = Meaning("introduction", "asked first, then sent by its introducer", subject=subject,
                      introducer=Address(introducer.email, introducer.display_name),
                      parties=(Address(ask.asked_email, asked.display_name),
                               Address(ask.other_email, other.display_name or ask.other_name)))
    intro_id = _new_introduction(session, row.id, now, meaning, config.campaign.goal, confirmed_at=now)
    schedule(session, intro_id, now, config, now)
    row.introduction_id = intro_id
    ask.status, ask.introduction_id = AskStatus.INTRODUCED, intro_id
    return intro_id


def _processed(message: InboundMessage, kind: str, note: str) -> None:
    message.kind, message.note = kind, note
    message.status, message.processed_at, message.error = MessageStatus.PROCESSED, utcnow(), None


def _record_followup_mail(session: Session, message: InboundMessage, meaning: Meaning) -> None:
    """Mail that came back to a follow-up's tagged addresses: an answer, a bounce, an opt-out."""
    note, kind = meaning.reason, meaning.kind
    if UNSUBSCRIBE_TAG in meaning.tags and kind not in ("bounce", "auto_reply"):
        # RFC 2369/8058: mail to the List-Unsubscribe mailto address means "stop".
        person = person_by_tag(session, meaning.tags[UNSUBSCRIBE_TAG])
        if person is not None:
            opt_out(session, person.id)
            note = "asked by mail to stop all mail: opted out"
        else:
            note = "sent to an unsubscribe address that names no follow-up"
    elif kind == "bounce":
        person = person_by_tag(session, meaning.tags.get(BOUNCE_TAG, ""))
        if person is not None and meaning.permanent is not False:
            person.bouncing_since = person.bouncing_since or utcnow()
            note = f"{note}; the follow-up to {person.email} bounced: no more mail to that address"
    elif kind == "survey_reply":
        followup = by_tag(session, meaning.tags.get(ANSWER_TAG, ""))
        if followup is None:
            note = "sent to a follow-up address that names no follow-up: not an answer"
        elif meaning.answer is not None:
            record_answer(session, followup.id, meaning.answer, meaning.comment, source="reply")
            note = f"answered {meaning.answer.value!r} by mail"
        else:
            message.needs_review, message.review_text = True, meaning.comment[:MAX_COMMENT]
            note = "an answer by mail that could not be read with confidence: filed for review"
    _processed(message, kind, note)


def _carry_out(session: Session, message: InboundMessage, meaning: Meaning, config: Config) -> None:
    """What a person asked of the service by mail (intro.meaning.Command)."""
    assert meaning.command is not None and meaning.sender is not None
    command = meaning.command
    if command.name != "join":
        # A link to their page, mailed to that address: a forged From gets the forger nothing.
        queued = links.request_privacy(session, meaning.sender.email, utcnow())
        _processed(message, "other", "asked about their data: a link to their page is on its way" if queued else
                  "asked about their data: asked too often this hour, no new link")
    elif not config.web.open_join:
        _processed(message, "other", "asked to join by mail; joining is by invitation only ([web] open_join = false)")
    else:
        # Like joining on the web: a link to that address confirms it, with the name the
        # person gives there. A forged From lists nobody, and gets the forger nothing.
        year = command.year or made_at(meaning.date, message.received_at).year
        queued = links.request_join(session, meaning.sender.email, meaning.sender.name, True, year, utcnow())
        _processed(message, "other", f"asked to join the {year} campaign by mail: a link to confirm is on its way"
                   if queued else "asked to join by mail: asked too often this hour, no new link")


def log_question(session: Session, question_id: int, person_id: int | None, chosen: set[str], config: Config,
                 now: datetime) -> int:
    """'Log it': the message its sender was asked about was an introduction of the people
    ``chosen`` (two or more of its candidates). It counts and gets its follow-ups like any
    other, marked as confirmed by its introducer. Returns the introduction's id.

    ``person_id`` None: an organizer logs it from the review screen.
    """
    question = questions.open_question(session, question_id, person_id, now)
    known = {str(c["email"]): c for c in question.candidates}
    picked = sorted(e for e in chosen if e in known)
    if len(picked) < 2:
        raise questions.Unanswerable("too_few")
    introducer = session.get_one(Person, question.person_id)
    meaning = Meaning("introduction", "confirmed by its introducer", subject=question.subject,
                      introducer=Address(introducer.email, introducer.display_name),
                      parties=tuple(Address(e, str(known[e].get("name") or "")) for e in picked))
    intro_id = _new_introduction(session, question.inbound_message_id, question.made_at, meaning,
                                 config.campaign.goal, confirmed_at=now)
    schedule(session, intro_id, question.made_at, config, now)
    consent.link(session, intro_id, now)
    question.candidates = [{**c, "chosen": str(c["email"]) in picked} for c in question.candidates]
    questions.settle(session, question, QuestionAnswer.LOGGED, now, intro_id)
    message = session.get(InboundMessage, question.inbound_message_id) if question.inbound_message_id else None
    if message is not None:
        message.kind, message.introduction_id = "introduction", intro_id
        message.note = f"{message.note}; confirmed as an introduction by its introducer"
    return intro_id


def made_at(date: datetime | None, received_at: datetime) -> datetime:
    """When the introduction was made: its Date header, unless missing or in the future."""
    if date is None or date > received_at + _CLOCK_SKEW:
        return received_at
    return date


# Statements built once: recording runs for every message, and the ORM's unit of work
# costs several times the inserts themselves (see bench/smtp_ingest.py).
_INTRODUCTION = insert(Introduction).returning(Introduction.id)
_PARTY = insert(IntroductionParty)


def _new_introduction(session: Session, message_id: int | None, when: datetime, meaning: Meaning, goal: str,
                      held: str | None = None, confirmed_at: datetime | None = None) -> int:
    """Insert the introduction and its people; count it unless it is ``held`` (the reason)."""
    assert meaning.introducer is not None
    campaign_id, introducer_id = campaign_id_for(session, when.year, goal), person_id_for(session, meaning.introducer)
    intro_id: int = session.execute(_INTRODUCTION, {
        "campaign_id": campaign_id, "introducer_id": introducer_id,
        "inbound_message_id": message_id, "subject": meaning.subject, "made_at": when, "recorded_at": utcnow(),
        "held_reason": held, "confirmed_at": confirmed_at, "language": meaning.language,
    }).scalar_one()
    people: dict[int, str] = {}  # each person once, at the first of their addresses it used: mailed there
    for party in meaning.parties:
        people.setdefault(person_id_for(session, party), party.email)
    session.execute(_PARTY, [{"introduction_id": intro_id, "person_id": pid, "email": people[pid]}
                             for pid in sorted(people)])
    if held is None:
        counts.introduction_added(session, campaign_id, introducer_id, when, people)
        webhooks.emit(session, webhooks.LOGGED, webhooks.introduction, intro_id)
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


def _same_introduction(session: Session, meaning: Meaning, thread: Introduction | None) -> Introduction | None:
    """An introduction already recorded between the same people: in this thread, or with
    the same introducer and subject (a forwarded copy, a "Re:" without threading headers)."""
    assert meaning.introducer is not None
    people = {p.email for p in meaning.parties}
    if thread is not None and people <= _people(thread):
        return thread
    subject = normalize_subject(meaning.subject)
    # Subjects first (one light query), then the people of the few that match.
    recent = session.execute(
        select(Introduction.id, Introduction.subject)
        .where(Introduction.introducer_id == find_id(session, meaning.introducer.email))
        .order_by(Introduction.id.desc()).limit(500)
    )
    for intro_id, intro_subject in recent:
        if normalize_subject(intro_subject) != subject:
            continue
        party_emails = session.scalars(
            select(IntroductionParty.email).where(IntroductionParty.introduction_id == intro_id)
        )
        if set(party_emails) == people:
            return session.get_one(Introduction, intro_id)
    return None


def _people(intro: Introduction) -> set[str]:
    return {p.email for p in intro.parties} | {intro.introducer.email}


def _is_party(intro: Introduction, person_id: int | None) -> bool:
    return any(p.person_id == person_id for p in intro.parties)


def normalize_subject(subject: str) -> str:
    return " ".join(_PREFIXES.sub("", subject).casefold().split())
