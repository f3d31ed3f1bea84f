"""What the service holds about a person: export it, erase it, and keep raw mail only so long.

People who were introduced never signed up, so they must be able to see and erase what
is held about them (GDPR articles 15 and 17): `intro person export|forget ADDRESS`, or
by mail (a message with the subject "export" or "forget" gets a link to their page).
Forgetting keeps the anonymous counts (an introduction was made, someone answered
"helped") and erases the person: address, name, the mail that named them, what they
wrote.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, Text, cast, func, or_, select, update
from sqlalchemy.orm import Session

from intro import counts, mail_text, people, suppression
from intro.db import checkpoint, transaction
from intro.models import (
    Answer,
    Campaign,
    ConsentAsk,
    FollowUp,
    InboundMessage,
    Introduction,
    IntroductionParty,
    Link,
    MessageStatus,
    Participant,
    Person,
    PersonAddress,
    Question,
    WebhookDelivery,
    WebSession,
)
from intro.timeutil import utcnow

log = logging.getLogger(__name__)
FORGOTTEN_DOMAIN = "forgotten.invalid"  # RFC 2606: never a real address, never mailed


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(session: Session, email: str) -> dict[str, Any] | None:
    """Everything held about the person with this address (any of theirs: all of their
    addresses are covered), as plain data; None if nobody."""
    person = people.find(session, email)
    if person is None:
        return None
    emails = people.addresses(session, person.id)
    made = session.scalars(select(Introduction).where(Introduction.introducer_id == person.id)
                           .order_by(Introduction.made_at)).all()
    parties = session.scalars(select(IntroductionParty).where(IntroductionParty.person_id == person.id)).all()
    joined = session.execute(select(Participant, Campaign.year).join(Campaign)
                             .where(Participant.person_id == person.id)).all()
    messages = session.scalars(select(InboundMessage).where(or_(*(_mentions(session, e) for e in emails)))
                               .order_by(InboundMessage.id)).all()
    extra = session.scalars(select(PersonAddress).where(PersonAddress.person_id == person.id)
                            .order_by(PersonAddress.id)).all()
    return {
        "person": {"email": person.email, "display_name": person.display_name, "first_seen": _iso(person.created_at),
                   "opted_out_at": _iso(person.opted_out_at), "bouncing_since": _iso(person.bouncing_since),
                   "other_addresses": [{"email": a.email, "confirmed_at": _iso(a.confirmed_at)} for a in extra]},
        "campaigns": [{"year": year, "listed": p.listed, "hidden_by_organizer": p.hidden,
                       "joined_at": _iso(p.joined_at)} for p, year in joined],
        "introductions_made": [{"date": _iso(i.made_at), "subject": i.subject,
                                "people": sorted(p.email for p in i.parties)} for i in made],
        "introduced": [_as_party(session, party) for party in parties],
        "messages": [{"received_at": _iso(m.received_at), "kind": m.kind, "from": m.mail_from,
                      "raw_kept": bool(m.raw)} for m in messages],
        **_asks(session, person.id),
    }


def _asks(session: Session, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """The asks they made, and those they were asked (intro.consent). An ask made *about*
    them is not shown to them unless it became an introduction (then it is one of
    "introduced"): the person asked was promised that the other never hears of a "not
    now" or a "no", and a right of access must not undo another person's (GDPR Art. 15(4))."""
    def email_of(person: int | None) -> str | None:
        return session.scalar(select(Person.email).where(Person.id == person)) if person is not None else None

    made = session.scalars(select(ConsentAsk).where(ConsentAsk.introducer_id == person_id)
                           .order_by(ConsentAsk.id)).all()
    asked = session.scalars(select(ConsentAsk).where(ConsentAsk.asked_id == person_id).order_by(ConsentAsk.id)).all()
    return {
        "asks_made": [{"date": _iso(a.created_at), "subject": a.subject, "asked": a.asked_email,
                       "about": a.other_email, "status": str(a.status),
                       # As they were told: "not now" and "no" alike are "not this time".
                       "answer": {"yes": "yes", None: None}.get(a.answer, "not this time")} for a in made],
        "asks_answered": [{"date": _iso(a.created_at), "by": email_of(a.introducer_id), "about": a.other_email,
                           "answer": a.answer, "answered_at": _iso(a.answered_at), "how": a.answered_by}
                          for a in asked],
    }


def _as_party(session: Session, party: IntroductionParty) -> dict[str, Any]:
    intro: Introduction = party.introduction
    followup = session.scalars(select(FollowUp).where(FollowUp.party_id == party.id)).first()
    answers = session.scalars(select(Answer).where(Answer.followup_id == followup.id)
                              .order_by(Answer.answered_at)).all() if followup else []
    return {
        "date": _iso(intro.made_at), "subject": intro.subject, "by": intro.introducer.email, "at": party.email,
        "with": sorted(p.email for p in intro.parties if p.id != party.id),
        "follow_up": {"status": str(followup.status), "sent_at": _iso(followup.sent_at),
                      "reminder_sent_at": _iso(followup.reminder_sent_at)} if followup else None,
        "answers": [{"answer": str(a.value), "comment": a.comment, "at": _iso(a.answered_at), "by": a.source}
                    for a in answers],
    }


def _mentions(session: Session, email: str) -> ColumnElement[bool]:
    """Stored messages sent by this address or naming it anywhere in the raw text."""
    needle = email.lower()
    if session.get_bind().dialect.name == "postgresql":
        # 'escape' keeps ASCII as it is (an address is ASCII here) and cannot fail on bytes.
        raw = func.strpos(func.lower(func.encode(InboundMessage.raw, "escape")), needle) > 0
    else:
        raw = func.instr(func.lower(cast(InboundMessage.raw, Text)), needle) > 0
    return or_(InboundMessage.mail_from == email, raw)


def _naming(session: Session, emails: list[str], batch: int = 500) -> list[int]:
    """The stored messages whose raw text names any of ``emails`` however it is encoded (the
    SQL search finds it only as written): every kept message is decoded, a batch at a time."""
    found: list[int] = []
    after = 0
    while True:
        rows = session.execute(select(InboundMessage.id, InboundMessage.raw).where(
            InboundMessage.id > after, func.length(InboundMessage.raw) > 0).order_by(InboundMessage.id)
            .limit(batch)).all()
        if not rows:
            return found
        found += [row.id for row in rows if any(mail_text.mentions(row.raw, e) for e in emails)]
        after = rows[-1].id


def addresses_of(session: Session, email: str) -> list[str]:
    """Every address of the person with this one (to ``scrub`` after a forget), or just it."""
    person_id = people.find_id(session, email)
    return people.addresses(session, person_id) if person_id is not None else [email]


def forget(session: Session, email: str, now: datetime | None = None) -> bool:
    """Erase the person with this address everywhere, all of their addresses, keeping
    anonymous counts, and keep each address's keyed hash so that it is never recorded or
    mailed again. False if nobody has that address.

    ``scrub`` then clears what is outside this transaction: the write-ahead log, the outbox."""
    now = now or utcnow()
    person = people.find(session, email)
    emails = addresses_of(session, email)
    # Questions that list them among the people a message went to (they may be no one's
    # person yet), and those they were asked.
    listed = False
    for question in session.scalars(select(Question).where(or_(
            Question.person_id == (person.id if person else None),
            *(func.lower(cast(Question.candidates, Text)).contains(e) for e in emails)))):
        if person is not None and question.person_id == person.id:
            question.subject = ""
        listed = listed or any(c.get("email") in emails for c in question.candidates)
        question.candidates = [c for c in question.candidates if c.get("email") not in emails]
    if person is None:
        return listed
    mine = select(IntroductionParty.id).where(IntroductionParty.person_id == person.id)
    intros = select(Introduction.id).where(Introduction.introducer_id == person.id).union(
        select(IntroductionParty.introduction_id).where(IntroductionParty.person_id == person.id))
    # Sent by them, or naming them anywhere: _naming decodes every kept message, so the raw
    # text needs no second search in SQL (as export's _mentions does).
    naming = or_(InboundMessage.introduction_id.in_(intros), InboundMessage.mail_from.in_(emails),
                 InboundMessage.id.in_(_naming(session, emails)))
    session.execute(update(InboundMessage).where(naming)
                    .values(raw=b"", mail_from="", rcpt_to=[], peer="", note=None, error=None, review_text=None)
                    .execution_options(synchronize_session=False))
    # Subjects name people ("Dana, meet Lee"); the introductions themselves stay, counted.
    session.execute(update(Introduction).where(Introduction.id.in_(intros)).values(subject="")
                    .execution_options(synchronize_session=False))
    followups = select(FollowUp.id).where(FollowUp.party_id.in_(mine))
    session.execute(update(Answer).where(Answer.followup_id.in_(followups)).values(comment="")
                    .execution_options(synchronize_session=False))
    session.execute(update(FollowUp).where(FollowUp.party_id.in_(mine)).values(last_error=None)
                    .execution_options(synchronize_session=False))
    session.query(Link).filter(or_(Link.email.in_(emails), Link.person_id == person.id)) \
        .delete(synchronize_session=False)
    session.query(WebSession).filter(WebSession.person_id == person.id).delete(synchronize_session=False)
    # Webhook deliveries that name them (a listed introducer, a participant): neither sent nor kept.
    session.query(WebhookDelivery).filter(or_(*(WebhookDelivery.payload.contains(json.dumps(e, ensure_ascii=False),
                                                                                 autoescape=True) for e in emails))) \
        .delete(synchronize_session=False)
    # Asks they made, were asked, or were asked about (intro.consent): none is counted.
    session.query(ConsentAsk).filter(or_(ConsentAsk.introducer_id == person.id, ConsentAsk.asked_id == person.id,
                                         ConsentAsk.other_id == person.id)).delete(synchronize_session=False)
    for participant in session.scalars(select(Participant).where(Participant.person_id == person.id)):
        participant.listed = False
        counts.changed(session, participant.campaign_id)
    for address in emails:
        suppression.add(session, address)
    session.query(PersonAddress).filter(PersonAddress.person_id == person.id).delete(synchronize_session=False)
    person.email = f"person-{person.id}@{FORGOTTEN_DOMAIN}"
    session.execute(update(IntroductionParty).where(IntroductionParty.person_id == person.id)
                    .values(email=person.email).execution_options(synchronize_session=False))
    person.display_name = ""
    person.opted_out_at = person.opted_out_at or now
    log.info("forgot person %s on request", person.id)
    return True


def scrub(engine: Engine, emails: str | list[str], outbox: str | Path | None) -> list[Path]:
    """After a forget has committed: the database's write-ahead log emptied (it holds the
    old pages), and the mail files in ``outbox`` (the folder mail goes to without a relay)
    addressed to or naming any of ``emails`` (``addresses_of``) deleted. Returns the files deleted."""
    wanted = [emails] if isinstance(emails, str) else emails
    if not checkpoint(engine):
        log.warning("the write-ahead log could not be emptied after a forget: a reader held it; it empties "
                    "at the next checkpoint")
    folder = Path(outbox) if outbox else None
    if folder is None or not folder.is_dir():
        return []
    deleted = [path for path in sorted(folder.iterdir())
               if path.is_file() and any(mail_text.mentions(path.read_bytes(), e) for e in wanted)]
    for path in deleted:
        path.unlink()
    return deleted


def purge_raw(engine: Engine, retention: timedelta, now: datetime, batch: int = 1000) -> int:
    """Drop the raw text of processed messages older than ``retention``; the facts read
    from them stay. Returns how many were purged. A zero retention keeps everything."""
    if not retention:
        return 0
    purged, after = 0, 0
    while True:  # in id order, a batch a transaction: writers wait for one batch at most
        with transaction(engine, write=True) as session:
            rows = session.execute(
                select(InboundMessage.id, func.length(InboundMessage.raw)).where(
                    InboundMessage.id > after, InboundMessage.received_at < now - retention,
                    InboundMessage.status != MessageStatus.NEW).order_by(InboundMessage.id).limit(batch)).all()
            full = [message_id for message_id, length in rows if length]
            if full:
                session.execute(update(InboundMessage).where(InboundMessage.id.in_(full)).values(raw=b""))
        purged += len(full)
        if len(rows) < batch:
            return purged
        after = rows[-1][0]


def never_logged(session: Session, emails: set[str], never_log: tuple[str, ...]) -> set[str]:
    """Those of ``emails`` never to be recorded: listed in [privacy] never_log (as an
    address, or under a listed domain), or whose owner chose "never record me"."""
    listed = set(never_log)
    found = {e for e in emails if e in listed or any(_under(e.rpartition("@")[2], d) for d in listed if "@" not in d)}
    rest = emails - found
    if rest:
        # At any of their addresses, primary or confirmed.
        found |= set(session.scalars(select(Person.email).where(Person.email.in_(rest),
                                                                Person.never_record_at.is_not(None))))
        found |= set(session.scalars(select(PersonAddress.email).join(Person, Person.id == PersonAddress.person_id)
                                     .where(PersonAddress.email.in_(rest), Person.never_record_at.is_not(None))))
    return found


def _under(domain: str, listed: str) -> bool:
    return domain == listed or domain.endswith(f".{listed}")


def never_record(session: Session, person_id: int, now: datetime) -> None:
    """"Never record me": from now on, introductions naming this person are recorded
    without them (intro.recording), and no mail of any kind goes to them."""
    person = session.get_one(Person, person_id)
    person.never_record_at = person.never_record_at or now
    person.opted_out_at = person.opted_out_at or now
