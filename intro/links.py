"""Links mailed on request: sign in, confirm joining, an organizer's invitation, add an
address to one's own (intro.merging).

The web site only queues a link (a row in `links`); the scheduler mails it through the
outbox (intro.outbox), so a request never waits on, or fails with, the relay. The
mailed URL carries the row's id signed for its purpose (intro.tokens); following it is
a POST that marks the row used, so a link works once, and only within its lifetime.

Asking for a link must not tell anyone whether an address is known: the answer is the
same either way, and only a known address is mailed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, text, update
from sqlalchemy.orm import Session

from intro import merging, suppression
from intro.addresses import Address
from intro.campaigns import campaign_id_for, join
from intro.models import Introduction, Link, LinkPurpose, MailStatus, Participant, Person
from intro.outbox import Cancel, Decision, Send, Stage, locked, new_tag, ready
from intro.people import find, find_id, person_id_for

LIFETIME = {
    LinkPurpose.SIGN_IN: timedelta(minutes=30),
    LinkPurpose.JOIN: timedelta(days=3),
    LinkPurpose.INVITE: timedelta(days=30),
    LinkPurpose.PRIVACY: timedelta(days=1),
    LinkPurpose.CONFIRM: timedelta(days=7),
    LinkPurpose.HELD: timedelta(days=1),
    LinkPurpose.ADDRESS: timedelta(days=3),
}
# Links that sign in someone already known (the page they land on differs), and of
# those, the ones that never create a person.
SIGNS_IN = (LinkPurpose.SIGN_IN, LinkPurpose.PRIVACY, LinkPurpose.CONFIRM, LinkPurpose.HELD)
KNOWN_ONLY = (LinkPurpose.PRIVACY, LinkPurpose.CONFIRM)
# However often the forms are sent, an address gets at most this many links of each kind
# an hour (so asking to join in someone's name cannot use up their sign-in links), and
# one client (IP address) may ask for this many in all: the forms cannot be used to
# flood anyone's mailbox.
PER_ADDRESS_PER_HOUR = 3
PER_CLIENT_PER_HOUR = 20
# Rows are deleted this long after they were made: addresses typed into a form are not
# kept for longer than the link could be used, and a little while to answer questions.
KEPT = timedelta(days=31)
LINK = Stage("link", Link)


@dataclass(frozen=True)
class LinkJob:
    """One link mail to send."""

    link_id: int
    purpose: LinkPurpose
    tag: str
    email: str
    name: str
    year: int | None
    inviter: str  # the organizer's name or address, for an invitation (or a merge they asked for)
    created_at: datetime
    owner: str = ""  # for an address link: the person the address is to be added to
    language: str | None = None  # its owner's choice, else the page's it was asked on


def _queue(session: Session, purpose: LinkPurpose, email: str, now: datetime, client: str = "",
           **values: object) -> int | None:
    """Queue a link unless this address, or this client, asked too often in the last hour.

    No other check here, and the same statements whoever the address belongs to: how long
    a request takes must not tell whether an address is known. The scheduler decides
    whether to send (see `claim`).
    """
    hour_ago = now - timedelta(hours=1)
    if session.get_bind().dialect.name == "postgresql":
        # Count and insert as one step per address: concurrent requests (READ COMMITTED)
        # would otherwise each count below the limit. SQLite writers are serial already.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:email, 0))"), {"email": email})
    asked = session.scalar(select(func.count()).where(Link.email == email, Link.purpose == purpose,
                                                      Link.created_at > hour_ago)) or 0
    from_client = session.scalar(select(func.count()).where(Link.client == client, Link.created_at > hour_ago)) \
        if client else 0
    if asked >= PER_ADDRESS_PER_HOUR or (from_client or 0) >= PER_CLIENT_PER_HOUR:
        return None
    link = Link(purpose=purpose, email=email, tag=new_tag(), created_at=now, status=MailStatus.PENDING,
                client=client, **values)
    session.add(link)
    session.flush()
    return link.id


def is_known(session: Session, email: str, admins: tuple[str, ...]) -> bool:
    """Someone who may sign in: a participant, an introducer, or an organizer."""
    if email in admins:
        return True
    person_id = find_id(session, email)
    if person_id is None:
        return False
    return bool(session.scalar(select(or_(exists().where(Participant.person_id == person_id),
                                          exists().where(Introduction.introducer_id == person_id)))))


def request_sign_in(session: Session, email: str, now: datetime, client: str = "",
                    language: str | None = None) -> int | None:
    """Queue a sign-in request; it is mailed only if the address is known (see `claim`),
    in ``language`` (the page's) unless its owner chose one."""
    return _queue(session, LinkPurpose.SIGN_IN, email, now, client, language=language)


def request_join(session: Session, email: str, name: str, listed: bool, year: int, now: datetime,
                 client: str = "", language: str | None = None) -> int | None:
    """Queue the link that confirms joining ``year``'s campaign with these choices."""
    return _queue(session, LinkPurpose.JOIN, email, now, client, name=name, listed=listed, year=year,
                  language=language)


def request_privacy(session: Session, email: str, now: datetime) -> int | None:
    """Someone asked by mail to see or erase their data: a link to their page, mailed to
    that address (so a forged From gets the forger nothing)."""
    return _queue(session, LinkPurpose.PRIVACY, email, now)


def request_confirm(session: Session, email: str, now: datetime) -> int | None:
    """An introduction from this address was held: a link to their page, to confirm it."""
    return _queue(session, LinkPurpose.CONFIRM, email, now)


def request_held(session: Session, organizer: str, now: datetime) -> int | None:
    """Tell an organizer, once a day at most, that introductions wait for them (the
    service-wide hourly limit of follow-ups was reached): a link to the review page."""
    told = session.scalar(select(Link.id).where(Link.email == organizer, Link.purpose == LinkPurpose.HELD,
                                                Link.created_at > now - LIFETIME[LinkPurpose.HELD]).limit(1))
    return None if told is not None else _queue(session, LinkPurpose.HELD, organizer, now)


def invite(session: Session, organizer_id: int, email: str, year: int, now: datetime) -> int | None:
    return _queue(session, LinkPurpose.INVITE, email, now, year=year, invited_by=organizer_id)


def request_address(session: Session, person_id: int, email: str, now: datetime, client: str = "",
                    organizer_id: int | None = None) -> int | None:
    """Queue the link that adds ``email`` to ``person_id``'s addresses once its mailbox
    confirms (merging whoever had it: intro.merging). Asked on one's own page, or by an
    organizer merging two people (``organizer_id``)."""
    return _queue(session, LinkPurpose.ADDRESS, email, now, client, person_id=person_id, invited_by=organizer_id)


class LinkUnusable(Exception):
    """The link was used already, has expired, or does not exist: ``problem`` says which."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def peek(session: Session, link_id: int, purposes: tuple[LinkPurpose, ...], now: datetime) -> Link:
    """The link, if it could be used now (without using it: for the page with the button)."""
    link = session.get(Link, link_id)
    if link is None or link.purpose not in purposes:
        raise LinkUnusable("invalid")
    if link.used_at is not None:
        raise LinkUnusable("used")
    if now - link.created_at > LIFETIME[link.purpose]:
        raise LinkUnusable("expired")
    return link


def use(session: Session, link_id: int, purposes: tuple[LinkPurpose, ...], goal: str,
        now: datetime, name: str | None = None) -> tuple[int, bool]:
    """Use the link once: join the campaign it is for, if any. Returns the person it signs
    in, and whether they joined now (False: already a participant, or a sign-in link).

    ``name``: the name the person confirmed on the page, which becomes the one shown (a
    name from a mail header, or typed by someone else, is only a suggestion)."""
    link = peek(session, link_id, purposes, now)
    # The UPDATE decides between two clicks at once: only one of them finds used_at empty.
    marked = session.execute(update(Link).where(Link.id == link_id, Link.used_at.is_(None)).values(used_at=now))
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkUnusable("used")
    if link.purpose in KNOWN_ONLY:
        # Signs in someone already held, and never creates anyone (they may be forgotten since).
        found = find_id(session, link.email)
        if found is None:
            raise LinkUnusable("invalid")
        return found, False
    if link.purpose == LinkPurpose.ADDRESS:
        if link.person_id is None:
            raise LinkUnusable("invalid")
        merging.confirm_address(session, link.person_id, link.email, now)
        return link.person_id, False
    person_id = person_id_for(session, Address(link.email, link.name))
    if name is not None and link.purpose in (LinkPurpose.JOIN, LinkPurpose.INVITE):
        session.execute(update(Person).where(Person.id == person_id).values(display_name=name))
    joined = False
    if link.year is not None and link.purpose in (LinkPurpose.JOIN, LinkPurpose.INVITE):
        campaign_id = campaign_id_for(session, link.year, goal)
        joined = join(session, person_id, campaign_id, now, listed=link.listed)  # else they keep their choice
    return person_id, joined


class Links:
    """The outbox kind. Not tried again: the person can ask again, and a sign-in link
    that arrives an hour late is useless anyway. Requests that must not be mailed are
    cancelled with the reason: a sign-in for an unknown address, mail to an address that
    bounces or opted out (a sign-in link they asked for themselves still goes), a link
    that is too old to use."""

    name = "links"
    stages: tuple[Stage, ...] = (LINK,)

    def __init__(self, admins: tuple[str, ...]) -> None:
        self.admins = admins

    def due(self, session: Session, now: datetime, limit: int) -> list[tuple[Stage, Any, Decision[LinkJob]]]:
        session.execute(delete(Link).where(Link.created_at < now - KEPT))
        pending = session.scalars(locked(
            select(Link).where(Link.status == MailStatus.PENDING, Link.claimed_at.is_(None), ready(Link, now))
            .order_by(Link.id), Link, limit)).all()
        decided: list[tuple[Stage, Any, Decision[LinkJob]]] = []
        for link in pending:
            person = find(session, link.email)
            reason = _not_mailed(session, link, person, now, self.admins)
            decided.append((LINK, link, Cancel(reason) if reason else Send(_job(session, link, person))))
        return decided


def _job(session: Session, link: Link, person: Person | None) -> LinkJob:
    inviter = session.get(Person, link.invited_by) if link.invited_by else None
    # The greeting uses a name only the service knows: one typed into the join form is not
    # repeated to an address nobody has confirmed yet.
    known = person is not None and link.purpose in SIGNS_IN
    name = person.display_name if known and person is not None else ""
    owner = session.get(Person, link.person_id) if link.person_id else None
    return LinkJob(link.id, link.purpose, link.tag, link.email, name, link.year,
                   (inviter.display_name or inviter.email) if inviter else "", link.created_at,
                   str(Address(owner.email, owner.display_name)) if owner else "",
                   (person.language if person else None) or link.language)


def _not_mailed(session: Session, link: Link, person: Person | None, now: datetime, admins: tuple[str, ...]) -> str:
    if now - link.created_at > LIFETIME[link.purpose]:
        return "expired before it could be sent"
    if suppression.suppressed(session, [link.email]):
        return "forgotten at their request: never mailed again"
    if link.purpose == LinkPurpose.HELD and link.email not in admins:
        return "not an organizer (any more)"
    if link.purpose == LinkPurpose.SIGN_IN and not is_known(session, link.email, admins):
        return "not a known address: no sign-in link"
    if link.purpose in KNOWN_ONLY and person is None:
        return "nothing is held about this address"
    if link.purpose == LinkPurpose.ADDRESS and link.person_id is None:
        return "the person it was for is gone"
    if person is not None and person.bouncing_since:
        return "mail to this address bounces"
    # A link the person asked for themselves still goes (an address link asked on one's own page, too).
    asked = link.purpose in (LinkPurpose.SIGN_IN, LinkPurpose.PRIVACY) or \
        (link.purpose == LinkPurpose.ADDRESS and link.invited_by is None)
    if person is not None and person.opted_out_at and not asked:
        return "opted out of all mail"
    return ""
