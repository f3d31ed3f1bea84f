"""Which introductions are held until their introducer confirms them, and confirming them.

A held introduction is recorded (nothing acknowledged is lost) but not counted, and
nobody is mailed because of it, except its claimed introducer, once, asking them to
confirm it on their page. Confirmed, it counts and its follow-ups are scheduled as if it
had just arrived.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from intro import counts, links, webhooks
from intro.config import Config
from intro.followups import schedule
from intro.models import InboundMessage, Introduction, IntroductionParty, Participant, Person
from intro.people import find_id

DISOWNED = "the introducer says they did not make it"
# Held for an organizer, not its introducer: only an organizer releases it (web/admin.py).
FOR_ORGANIZER = "waiting for an organizer: "
REFUSED = "an organizer did not release it"


@dataclass(frozen=True)
class Trust:
    on_fail: str = "hold"  # "accept", "hold" or "reject" (refused at SMTP; held if it got in)
    on_none: str = "confirm"  # "accept", "hold", or "confirm" (the first from an unknown address)
    trusted_senders: tuple[str, ...] = ()
    per_day: int = 20  # introductions a day from one sender; 0: no limit
    authserv_id: str = ""
    resolver: str = ""
    followups_per_hour: int = 200  # across the service; beyond it, introductions wait for an organizer; 0: no limit

    @classmethod
    def from_config(cls, config: Config) -> Trust:
        t = config.trust
        return cls(t.on_fail, t.on_none, t.trusted_senders, t.introductions_per_day, t.authserv_id, t.resolver,
                   t.followups_per_hour)


def hold_reason(session: Session, trust: Trust, introducer: str, auth: str, auth_note: str,
                now: datetime, count: bool = True, peer: str = "") -> str | None:
    """Why an introduction from ``introducer`` must wait for confirmation, or None. Without
    ``count``, only whether its sender is authenticated as [trust] requires (for asking
    them about a message: that question goes to their mailbox alone and its "Log it" is
    their confirmation, so a first message from an unknown address is asked about).

    The daily limit counts per sender; for a sender that is not authenticated (anyone can
    write any From) also per domain and per client address (``peer``), so that changing
    the local part, or the domain, does not start a new count."""
    if introducer in trust.trusted_senders:
        return None
    if auth == "fail" and trust.on_fail != "accept":
        return f"the sender could not be authenticated ({auth_note})"
    if auth == "none" and trust.on_none == "hold":
        return f"the sender was not authenticated ({auth_note})"
    if count and auth == "none" and trust.on_none == "confirm" and not known(session, introducer):
        return f"the first introduction from this address, and its sender was not authenticated ({auth_note})"
    if not (count and trust.per_day):
        return None
    day = select(func.count()).select_from(Introduction).where(Introduction.recorded_at > now - timedelta(days=1))
    by_sender = day.join(Person, Introduction.introducer_id == Person.id)
    if (session.scalar(day.where(Introduction.introducer_id == find_id(session, introducer))) or 0) >= trust.per_day:
        return f"more than {trust.per_day} introductions from one sender in a day"
    if auth == "pass":
        return None
    unauthenticated = or_(InboundMessage.auth.is_(None), InboundMessage.auth != "pass")
    domain = introducer.rpartition("@")[2]
    of_domain = by_sender.join(InboundMessage, Introduction.inbound_message_id == InboundMessage.id).where(
        Person.email.endswith(f"@{domain}", autoescape=True), unauthenticated)
    if (session.scalar(of_domain) or 0) >= trust.per_day:
        return f"more than {trust.per_day} introductions in a day from senders at {domain} that were not authenticated"
    if peer and not _local(peer):
        of_client = day.join(InboundMessage, Introduction.inbound_message_id == InboundMessage.id).where(
            InboundMessage.peer == peer, unauthenticated)
        if (session.scalar(of_client) or 0) >= trust.per_day:
            return f"more than {trust.per_day} introductions in a day that were not authenticated from {peer}"
    return None


def busy_reason(session: Session, trust: Trust, parties: int, now: datetime) -> str | None:
    """Why an introduction to ``parties`` people must wait for an organizer: its follow-ups
    would take the service past [trust] followups_per_hour (follow-ups of introductions
    counted in the last hour). A flood from many senders, each within their own limits,
    then mails nobody until a person has looked at it."""
    if not trust.followups_per_hour:
        return None
    scheduled = session.scalar(
        select(func.count()).select_from(IntroductionParty).join(Introduction)
        .where(Introduction.recorded_at > now - timedelta(hours=1), Introduction.held_reason.is_(None))) or 0
    if scheduled + parties <= trust.followups_per_hour:
        return None
    return f"{FOR_ORGANIZER}more than {trust.followups_per_hour} follow-ups an hour across the service"


def known(session: Session, email: str) -> bool:
    """A participant, or an introducer with an introduction counted (confirmed once, or
    from before): their unsigned mail need not be confirmed again."""
    person_id = find_id(session, email)  # any of their confirmed addresses
    if person_id is None:
        return False
    return bool(session.scalar(select(or_(
        exists().where(Participant.person_id == person_id),
        exists().where(Introduction.introducer_id == person_id, Introduction.held_reason.is_(None))))))


def _local(peer: str) -> bool:
    """An MTA on this machine (Postfix or Exim handing mail over by LMTP): every message
    comes from it, so its address says nothing of who sent one."""
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


def held(session: Session, introducer: str, now: datetime) -> None:
    """Ask the introducer of a held introduction to confirm it (a link mail; the
    per-address limit keeps a flood of held ones from becoming a flood of mail, and
    their page lists every one waiting)."""
    links.request_confirm(session, introducer, now)


def release(session: Session, intro_id: int, person_id: int | None, config: Config, now: datetime) -> bool:
    """The introducer confirms a held introduction of theirs (``person_id``), or an
    organizer releases one held for them (None): count it, and schedule its follow-ups
    (and receipt) as if it had just arrived. False if not theirs to release, or not held."""
    intro = session.get(Introduction, intro_id, with_for_update=True)
    if intro is None or intro.held_reason is None:
        return False
    for_organizer = intro.held_reason.startswith(FOR_ORGANIZER)
    if (person_id is None) != for_organizer or (person_id is not None and intro.introducer_id != person_id):
        return False
    intro.held_reason, intro.confirmed_at = None, now
    parties = session.scalars(select(IntroductionParty.person_id).where(IntroductionParty.introduction_id == intro_id))
    counts.introduction_added(session, intro.campaign_id, intro.introducer_id, intro.made_at, list(parties))
    webhooks.emit(session, webhooks.CONFIRMED, webhooks.introduction, intro_id)
    schedule(session, intro_id, intro.made_at, config, now)
    return True


def refuse(session: Session, intro_id: int) -> bool:
    """An organizer keeps an introduction held for them held, for good."""
    intro = session.get(Introduction, intro_id)
    if intro is None or intro.held_reason is None or not intro.held_reason.startswith(FOR_ORGANIZER):
        return False
    intro.held_reason = REFUSED
    return True


def for_organizer(session: Session) -> list[Introduction]:
    """The introductions that wait for an organizer, oldest first."""
    return list(session.scalars(select(Introduction).where(Introduction.held_reason.startswith(FOR_ORGANIZER))
                                .order_by(Introduction.id)))


def disown(session: Session, intro_id: int, person_id: int) -> bool:
    """The claimed introducer says they did not make it: it stays held, for good."""
    intro = session.get(Introduction, intro_id)
    if intro is None or intro.introducer_id != person_id or intro.held_reason is None:
        return False
    intro.held_reason = DISOWNED
    return True
