"""Webhooks: the endpoints organizers add, the events queued for them, and the hosts they
may point at.

Four events: an introduction logged (counted when it arrived), one confirmed (held, then
counted), an answer recorded, a participant joined. ``emit`` queues one delivery per
enabled endpoint subscribed to the event, in the transaction that records the event, so
that an event recorded is an event delivered (intro.deliveries sends them, at least
once). With no endpoint subscribed it costs one query on a table of a few rows.

A payload carries no address or name of anyone introduced: ids, counts, times, and the
introducer's own name and address only where they are a listed participant of the
campaign (shown on its public page by their own choice, and not hidden by an organizer).

An endpoint's URL is http or https, and its host must not resolve to a loopback, private,
link-local, unique-local, multicast, unspecified or reserved address (unless [webhooks]
allow_private): when it is added, and again at every delivery, as a host's DNS may
change in between (DNS rebinding). Otherwise the site would be a way for an organizer's
account, or whoever holds it, to reach the machines behind it.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from intro import counts
from intro.models import (
    Answer,
    Campaign,
    CampaignCount,
    FollowUp,
    Introduction,
    IntroductionParty,
    MailStatus,
    Participant,
    Person,
    WebhookDelivery,
    WebhookEndpoint,
)
from intro.outbox import new_tag
from intro.timeutil import utcnow

EVENTS = ("introduction.logged", "introduction.confirmed", "answer.recorded", "participant.joined")
LOGGED, CONFIRMED, ANSWERED, JOINED = EVENTS
TEST = "webhook.test"  # sent to one endpoint when an organizer asks, whatever it subscribes to
MAX_URL = 2000
SECRET_PREFIX = "whsec_"  # Standard Webhooks: the prefix, then the key's bytes in base64

# Built once: emit runs for every introduction recorded (bench/smtp_ingest.py).
_SUBSCRIBED = select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.disabled_at.is_(None))
_DELIVERY = insert(WebhookDelivery)


def emit(session: Session, event: str, data: Callable[..., dict[str, Any]], *args: Any) -> int:
    """Queue ``event`` for each enabled endpoint subscribed to it; its data is
    ``data(session, *args)``, asked for only when one is. Returns how many were queued."""
    endpoints = [endpoint_id for endpoint_id, events in session.execute(_SUBSCRIBED) if event in events]
    if endpoints:
        _queue(session, endpoints, event, data(session, *args))
    return len(endpoints)


def _queue(session: Session, endpoints: list[int], event: str, data: dict[str, Any]) -> None:
    now = utcnow()
    # Standard Webhooks' envelope: the type, when it happened, and the event's data.
    body = json.dumps({"type": event, "timestamp": iso(now), "data": data}, ensure_ascii=False, separators=(",", ":"))
    session.execute(_DELIVERY, [{"endpoint_id": endpoint_id, "event": event, "payload": body, "created_at": now,
                                 "tag": f"msg_{new_tag()}", "status": MailStatus.PENDING, "attempts": 0}
                                for endpoint_id in endpoints])


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


# What each event says --------------------------------------------------------------------

def introduction(session: Session, intro_id: int) -> dict[str, Any]:
    """introduction.logged and introduction.confirmed: how many people, never who."""
    intro = session.execute(select(Introduction.made_at, Introduction.campaign_id, Introduction.introducer_id,
                                   Campaign.year).join(Campaign).where(Introduction.id == intro_id)).one()
    parties = session.scalar(select(func.count()).where(IntroductionParty.introduction_id == intro_id))
    total = _figure(session, intro.campaign_id, counts.INTRODUCTIONS)
    return {"introduction": {"id": intro_id, "made_at": iso(intro.made_at), "parties": parties},
            "campaign": {"year": intro.year, "introductions": total},
            "introducer": _listed(session, intro.introducer_id, intro.campaign_id)}


def answer(session: Session, answer_id: int) -> dict[str, Any]:
    """answer.recorded: the answer, never its comment nor who gave it."""
    found = session.execute(
        select(Answer.value, Answer.answered_at, IntroductionParty.introduction_id, Introduction.campaign_id,
               Campaign.year)
        .join(FollowUp, Answer.followup_id == FollowUp.id)
        .join(IntroductionParty, FollowUp.party_id == IntroductionParty.id)
        .join(Introduction, IntroductionParty.introduction_id == Introduction.id).join(Campaign)
        .where(Answer.id == answer_id)).one()
    return {"answer": {"value": str(found.value), "answered_at": iso(found.answered_at)},
            "introduction": {"id": found.introduction_id},
            "campaign": {"year": found.year, "helped": _figure(session, found.campaign_id, "helped")}}


def participant(session: Session, participant_id: int) -> dict[str, Any]:
    """participant.joined: who, only if they chose to be listed; how many take part."""
    found = session.execute(select(Participant.person_id, Participant.campaign_id, Participant.joined_at,
                                   Campaign.year).join(Campaign).where(Participant.id == participant_id)).one()
    taking_part = session.scalar(select(func.count()).where(Participant.campaign_id == found.campaign_id))
    return {"participant": _listed(session, found.person_id, found.campaign_id),
            "joined_at": iso(found.joined_at), "campaign": {"year": found.year, "participants": taking_part}}


def _figure(session: Session, campaign_id: int, name: str) -> int:
    return session.scalar(select(CampaignCount.value).where(CampaignCount.campaign_id == campaign_id,
                                                            CampaignCount.name == name)) or 0


def _listed(session: Session, person_id: int, campaign_id: int) -> dict[str, str] | None:
    """A person's name and address, if they are on the campaign's public page."""
    found = session.execute(select(Person.display_name, Person.email).join(Participant).where(
        Participant.person_id == person_id, Participant.campaign_id == campaign_id, Participant.listed,
        ~Participant.hidden)).first()
    return {"name": found.display_name, "email": found.email} if found else None


# Endpoints -------------------------------------------------------------------------------

class Refused(Exception):
    """An endpoint URL that may not be used; ``problem`` says why (for the page), the
    message with the detail (for the log)."""

    def __init__(self, problem: str, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else problem)
        self.problem = problem


def check(url: str, allow_private: bool) -> list[str]:
    """The addresses a delivery to ``url`` may connect to, its host resolved now; raises
    Refused with "url" (not an http(s) URL with a host), "unresolved" (no such host),
    or "private" (it resolves to an address that is not public, and that is not allowed)."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("url", "a bad port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username is not None \
            or len(url) > MAX_URL or any(c.isspace() for c in url):
        raise Refused("url")
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise Refused("unresolved", str(e)) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not allow_private:
        for address in addresses:
            if not public(address):
                raise Refused("private", f"{parts.hostname} is {address}")
    return addresses


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def public(address: str) -> bool:
    """Whether ``address`` is on the public internet: not loopback, private, link-local,
    unique-local, multicast, unspecified or reserved; nor an IPv6 form of such an IPv4
    address (mapped, 6to4, Teredo, NAT64)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None) or \
            (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if inner is not None and not public(str(inner)):
            return False
    return ip.is_global and not ip.is_multicast


def new_secret() -> str:
    # 32 random bytes: Standard Webhooks asks for 24 to 64.
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def add(session: Session, url: str, events: list[str], person_id: int | None) -> WebhookEndpoint:
    """A new endpoint for ``events`` (at least one of EVENTS), added by ``person_id``, at
    ``url`` as ``check`` passed it (before the transaction: it asks DNS); raises Refused
    with "events" when none is chosen."""
    chosen = [event for event in EVENTS if event in events]
    if not chosen:
        raise Refused("events")
    endpoint = WebhookEndpoint(url=url, events=chosen, secret=new_secret(), created_by=person_id, created_at=utcnow())
    session.add(endpoint)
    session.flush()
    return endpoint


def endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def deliveries(session: Session, endpoint_id: int, limit: int = 50) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first: its log."""
    return list(session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
                                .order_by(WebhookDelivery.id.desc()).limit(limit)))


def disable(session: Session, endpoint_id: int, reason: str, now: datetime) -> bool:
    """Queue nothing more for it, and send it nothing, until it is enabled again."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return False
    if endpoint.disabled_at is None:
        endpoint.disabled_at, endpoint.reason = now, reason
    return True


def enable(session: Session, endpoint_id: int) -> bool:
    """Deliver to it again, its count of failures started anew: what waited while it was
    disabled goes at the next pass."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return False
    endpoint.disabled_at = endpoint.reason = endpoint.failing_since = None
    endpoint.failures = 0
    return True


def delete(session: Session, endpoint_id: int) -> bool:
    """The endpoint, its log and whatever waited for it, gone."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return False
    session.delete(endpoint)  # its deliveries and notes: ON DELETE CASCADE
    return True


def test(session: Session, endpoint_id: int) -> bool:
    """Queue a webhook.test delivery to this endpoint, whatever it subscribes to."""
    if session.get(WebhookEndpoint, endpoint_id) is None:
        return False
    _queue(session, [endpoint_id], TEST, {"test": True})
    return True
