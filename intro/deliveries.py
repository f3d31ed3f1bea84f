"""Delivering webhooks at least once: the outbox's kind for them (intro.outbox), and the
mail that tells an organizer an endpoint was disabled.

A delivery is claimed like a mail, posted (mailer/webhooks.py) and settled: a 2xx answer
delivers it; any other answer, a timeout or a refused connection is a failure, tried
again after 30 seconds, doubling up to an hour, for about a day (RETRY). Every attempt
carries the same webhook-id, and so does one after a sender that stopped mid-way: its
claim is released after LEASE and the delivery tried again (at least once; receivers
drop repeats by the id).

An endpoint whose every attempt has failed for a day (FAILURES of them at least) is
disabled: nothing more is queued for it, and the organizer who added it (or, if they are
no longer one, every address of [web] admins) gets one short mail saying so. What was
queued waits until an organizer enables it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, exists, select
from sqlalchemy.orm import Session

from intro import webhooks
from intro.db import transaction
from intro.models import MailStatus, Person, WebhookDelivery, WebhookEndpoint, WebhookNote
from intro.outbox import Cancel, Decision, Outcome, Result, Retry, Send, Stage, locked, new_tag, ready

# 30 s, 1, 2, 4 ... 32 minutes, then hourly: 31 attempts over about 24 hours.
RETRY = Retry(attempts=31, backoff=timedelta(seconds=30), longest=timedelta(hours=1))
# Longer than a pass can take: a batch of 100, four at a time, 30 s at most each ([webhooks] timeout).
LEASE = timedelta(minutes=15)
DISABLE_AFTER = timedelta(days=1)
FAILURES = 5
KEPT = timedelta(days=30)  # delivered and failed deliveries stay in the log this long
NOTE = Stage("webhook_note", WebhookNote, Retry(attempts=3))


@dataclass(frozen=True)
class DeliveryJob:
    """One attempt at one delivery: what to post where, and what to sign it with."""

    delivery_id: int
    webhook_id: str
    url: str
    secret: str
    body: str


class Deliveries:
    """The outbox kind. An endpoint that is failing gets one attempt at a time: its other
    deliveries wait for a later batch, so that a dead receiver costs one timeout a batch,
    not one per event queued for it."""

    name = "webhooks"

    def __init__(self, admins: tuple[str, ...]) -> None:
        self.admins = admins
        self.stages: tuple[Stage, ...] = (Stage("webhook", WebhookDelivery, RETRY, at_least_once=True, lease=LEASE,
                                                settled=self.settled),)

    def due(self, session: Session, now: datetime, limit: int) -> list[tuple[Stage, Any, Decision[DeliveryJob]]]:
        rows = session.scalars(locked(select(WebhookDelivery).join(WebhookEndpoint).where(_waiting(now))
                                      .order_by(WebhookDelivery.id), WebhookDelivery, limit)).all()
        decided: list[tuple[Stage, Any, Decision[DeliveryJob]]] = []
        failing: set[int] = set()
        for delivery in rows:
            endpoint = session.get_one(WebhookEndpoint, delivery.endpoint_id)  # a few: read once a batch
            if endpoint.failures:
                if endpoint.id in failing:
                    continue
                failing.add(endpoint.id)
            decided.append((self.stages[0], delivery, Send(DeliveryJob(delivery.id, delivery.tag, endpoint.url,
                                                                       endpoint.secret, delivery.payload))))
        return decided

    def settled(self, session: Session, rows: list[tuple[Any, Outcome]], now: datetime) -> None:
        """Each attempt's answer in its log, and its endpoint's run of failures: ended by
        a success, and after a day of them the endpoint disabled and its organizer told."""
        for delivery, outcome in rows:
            delivery.last_status = outcome.status
            endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
            if endpoint is None:
                continue
            if outcome.result == Result.SENT:
                endpoint.failures, endpoint.failing_since = 0, None
                continue
            endpoint.failures += 1
            endpoint.failing_since = endpoint.failing_since or now
            if endpoint.disabled_at is None and endpoint.failures >= FAILURES and \
                    now - endpoint.failing_since >= DISABLE_AFTER:
                webhooks.disable(session, endpoint.id, f"every attempt failed for a day ({endpoint.failures} in a "
                                                       f"row; the last: {outcome.error})", now)
                for email in self._organizers(session, endpoint):
                    session.add(WebhookNote(endpoint_id=endpoint.id, email=email, tag=new_tag(), created_at=now,
                                            status=MailStatus.PENDING, attempts=0))

    def _organizers(self, session: Session, endpoint: WebhookEndpoint) -> tuple[str, ...]:
        person = session.get(Person, endpoint.created_by) if endpoint.created_by else None
        return (person.email,) if person is not None and person.email in self.admins else self.admins


def _waiting(now: datetime) -> Any:
    return (WebhookDelivery.status == MailStatus.PENDING) & WebhookDelivery.claimed_at.is_(None) & \
        ready(WebhookDelivery, now) & WebhookEndpoint.disabled_at.is_(None)


def waiting(engine: Engine, now: datetime) -> bool:
    """Whether a delivery waits to be made now (the scheduler looks every few seconds)."""
    with transaction(engine) as session:
        return session.scalar(select(exists().where(WebhookDelivery.endpoint_id == WebhookEndpoint.id,
                                                    _waiting(now)))) is True


def purge(engine: Engine, now: datetime) -> int:
    """Forget deliveries settled more than KEPT ago; return how many."""
    with transaction(engine, write=True) as session:
        gone = session.execute(delete(WebhookDelivery).where(WebhookDelivery.status != MailStatus.PENDING,
                                                             WebhookDelivery.created_at < now - KEPT))
    return int(gone.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NoteJob:
    """The mail to an organizer about an endpoint that was disabled."""

    note_id: int
    tag: str
    email: str
    url: str
    disabled_at: datetime
    language: str | None = None  # the organizer's choice


class Notes:
    """The outbox kind for those mails: not sent once the endpoint is enabled again, or
    to someone who is no longer an organizer."""

    name = "webhook_notes"
    stages: tuple[Stage, ...] = (NOTE,)

    def __init__(self, admins: tuple[str, ...]) -> None:
        self.admins = admins

    def due(self, session: Session, now: datetime, limit: int) -> list[tuple[Stage, Any, Decision[NoteJob]]]:
        pending = session.scalars(locked(select(WebhookNote).where(
            WebhookNote.status == MailStatus.PENDING, WebhookNote.claimed_at.is_(None), ready(WebhookNote, now))
            .order_by(WebhookNote.id), WebhookNote, limit)).all()
        decided: list[tuple[Stage, Any, Decision[NoteJob]]] = []
        for note in pending:
            endpoint = session.get_one(WebhookEndpoint, note.endpoint_id)
            if endpoint.disabled_at is None:
                decided.append((NOTE, note, Cancel("the endpoint was enabled again first")))
            elif note.email not in self.admins:
                decided.append((NOTE, note, Cancel("not an organizer (any more)")))
            else:
                language = session.scalar(select(Person.language).where(Person.email == note.email))
                decided.append((NOTE, note, Send(NoteJob(note.id, note.tag, note.email, endpoint.url,
                                                         endpoint.disabled_at, language))))
        return decided
