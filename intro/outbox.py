"""Sending at most once: the one mechanism behind every mail the service sends.

Every kind of mail (a follow-up and its reminder, a link someone asked for, a note to an
introducer; later a digest or a question) is a row that keeps the same state
(models.Outgoing), and goes through the same four steps:

1. **claim**: in one transaction, the kind picks the rows that are due and decides, for
   each, to send it, to cancel it (with the reason), or to wait until a given time; those
   to send are marked claimed, and the claim is committed (PostgreSQL: SELECT ... FOR
   UPDATE SKIP LOCKED, so two senders never take the same row; SQLite: one writer at a
   time);
2. **render** and 3. **send**: outside any transaction (mailer/outbox.py);
4. **settle**: sent, failed with the reason, or, for a temporary failure, released for
   another attempt as the kind's ``Retry`` allows.

A claim that is never settled (the process died between claiming and settling) is not
sent again: the mail may have gone out, and a second copy to someone who never signed up
is worse than a missing one. After CLAIM_LEASE it is marked failed with that reason.
Nobody gets the same mail twice; one person may miss one.

A kind whose stage is ``at_least_once`` (a webhook delivery, intro.deliveries) makes the
other promise, for receivers that drop repeats: a claim that outlives the stage's lease
unsettled is released and tried again, the same row (and so the same id) as before.
Nothing is lost; a receiver may see one twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, Engine, Select, exists, select, update
from sqlalchemy.orm import Session

from intro.db import transaction
from intro.models import MailStatus, Outgoing

CLAIM_LEASE = timedelta(hours=1)  # longer than any batch can take to send
Job = TypeVar("Job")


def new_tag() -> str:
    # 80 random bits in lowercase hex: unguessable, and safe in an address's local part,
    # which some systems lowercase.
    return secrets.token_hex(10)


@dataclass(frozen=True)
class Retry:
    """How a kind of mail meets a temporary failure (a 4xx, a relay that is down)."""

    attempts: int = 1  # sends in all; 1: never tried again
    backoff: timedelta = timedelta(minutes=5)  # before the second attempt, doubled for each after
    longest: timedelta | None = None  # the most it grows to; None: doubled for ever

    def after(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt."""
        wait = self.backoff * 2 ** min(attempts - 1, 30)
        return min(wait, self.longest) if self.longest is not None else wait


@dataclass(frozen=True)
class Stage:
    """One kind of mail: the table that keeps it, the columns of its claim and its
    sending, and how it is retried."""

    name: str
    table: type[Outgoing]
    retry: Retry = field(default_factory=Retry)
    claimed: str = "claimed_at"
    sent: str = "sent_at"
    # Whether its outcome is the row's status. A reminder is a second mail about a row that
    # was sent already: its failure leaves the row as it was.
    final: bool = True
    # At least once (see the module doc): a claim unsettled after ``lease`` is tried again.
    at_least_once: bool = False
    lease: timedelta = CLAIM_LEASE
    # What the kind keeps of each outcome besides the row's state (rows and outcomes), in
    # the same transaction as the outbox's own record of them.
    settled: Callable[[Session, list[tuple[Any, Outcome]], datetime], None] | None = None


@dataclass(frozen=True)
class Send(Generic[Job]):
    job: Job  # what the mail will show


@dataclass(frozen=True)
class Cancel:
    reason: str  # why it will never be sent, for the record


@dataclass(frozen=True)
class Wait:
    until: datetime  # not before then (room in a weekly limit, say)


Decision = Send[Job] | Cancel | Wait


class Kind(Protocol[Job]):
    """A kind of mail: which rows are due now, and what to do with each."""

    name: str
    stages: tuple[Stage, ...]

    def due(self, session: Session, now: datetime, limit: int) -> list[tuple[Stage, Any, Decision[Job]]]:
        """Up to ``limit`` due rows (locked with ``locked``), each with its stage and decision."""
        ...


@dataclass(frozen=True)
class Claimed(Generic[Job]):
    stage: Stage
    row_id: int
    job: Job


class Result(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # certainly not delivered, and worth another try
    FAILED = "failed"  # not delivered and never will be, or may have been: never again


@dataclass(frozen=True)
class Outcome:
    result: Result
    error: str = ""
    status: int | None = None  # an HTTP answer's status code (webhooks); None for mail


def ready(table: type[Outgoing], now: datetime) -> ColumnElement[bool]:
    """Rows whose next attempt may be now."""
    return table.next_attempt_at.is_(None) | (table.next_attempt_at <= now)


def locked(query: Select[Any], table: type[Outgoing], limit: int) -> Select[Any]:
    """``query`` limited and locked for this sender (others skip the rows it holds)."""
    return query.limit(limit).with_for_update(skip_locked=True, of=table)


def claim(engine: Engine, kind: Kind[Job], now: datetime, limit: int) -> tuple[list[Claimed[Job]], int]:
    """Claim what ``kind`` has due; return the mails to send and how many rows were decided."""
    with transaction(engine, write=True) as session:
        decided = kind.due(session, now, limit)
        claimed: list[Claimed[Job]] = []
        for stage, row, decision in decided:
            if isinstance(decision, Send):
                setattr(row, stage.claimed, now)
                row.attempts += 1
                claimed.append(Claimed(stage, row.id, decision.job))
            elif isinstance(decision, Cancel):
                if stage.final:
                    row.status, row.last_error = MailStatus.CANCELLED, decision.reason
                else:
                    setattr(row, stage.claimed, now)  # taken, and never to be sent
            else:
                row.next_attempt_at = decision.until
        return claimed, len(decided)


def settle(engine: Engine, outcomes: Sequence[tuple[Claimed[Any], Outcome]], now: datetime) -> None:
    """Record how a batch of sends went, in one transaction.

    If this fails, the claims stay unsettled and expire as failed: at most once.
    """
    with transaction(engine, write=True) as session:
        sent: dict[Stage, list[int]] = {}
        for claimed, outcome in outcomes:
            if outcome.result == Result.SENT:
                sent.setdefault(claimed.stage, []).append(claimed.row_id)
        for stage, ids in sent.items():
            status = {"status": MailStatus.SENT} if stage.final else {}
            # A mail's count starts again for its next stage (a reminder); a delivery keeps
            # how many attempts it took, for its log.
            counted = {} if stage.at_least_once else {"attempts": 0}
            session.execute(update(stage.table).where(stage.table.id.in_(ids)).values(  # type: ignore[attr-defined]
                {stage.sent: now, "next_attempt_at": None, "last_error": None, **counted, **status}))
        for claimed, outcome in outcomes:
            if outcome.result != Result.SENT:
                _failed(session.get_one(claimed.stage.table, claimed.row_id), claimed.stage, outcome, now)
        kept: dict[Stage, list[tuple[Any, Outcome]]] = {}
        for claimed, outcome in outcomes:
            if claimed.stage.settled is not None:
                kept.setdefault(claimed.stage, []).append(
                    (session.get_one(claimed.stage.table, claimed.row_id), outcome))
        for stage, rows in kept.items():
            assert stage.settled is not None
            stage.settled(session, rows, now)


def _failed(row: Outgoing, stage: Stage, outcome: Outcome, now: datetime) -> None:
    retry = stage.retry
    if outcome.result == Result.RETRY and row.attempts < retry.attempts:
        row.last_error = outcome.error
        row.next_attempt_at = now + retry.after(row.attempts)
        setattr(row, stage.claimed, None)
    elif outcome.result == Result.RETRY and retry.attempts > 1:
        give_up(row, stage, f"gave up after {row.attempts} attempts: {outcome.error}")
    else:
        give_up(row, stage, outcome.error)


def give_up(row: Outgoing, stage: Stage, reason: str) -> None:
    row.last_error = reason
    if stage.final:  # a failed reminder leaves the (sent) follow-up as it was
        row.status = MailStatus.FAILED


def expire(engine: Engine, stages: Sequence[Stage], now: datetime) -> int:
    """Mark claims older than the lease, never settled, as failed; or, for a stage that
    is at least once, release them to be tried again (see the module doc)."""
    expired = 0
    with transaction(engine, write=True) as session:
        for stage in stages:
            if not stage.final:  # a later mail's claim is final by itself: never sent again
                continue
            table = stage.table
            stale = session.scalars(select(table).where(
                table.status == MailStatus.PENDING, getattr(table, stage.claimed) <= now - stage.lease,
                getattr(table, stage.sent).is_(None)).with_for_update(skip_locked=True)).all()
            for row in stale:
                if stage.at_least_once and row.attempts < stage.retry.attempts:
                    setattr(row, stage.claimed, None)
                    row.next_attempt_at = None
                    row.last_error = "the sender stopped mid-way: tried again, with the same id"
                elif stage.at_least_once:
                    give_up(row, stage, f"gave up after {row.attempts} attempts; the last one stopped mid-way")
                else:
                    give_up(row, stage, "the sender stopped between claiming and marking; not sent again, "
                                        "so that nobody gets it twice")
            expired += len(stale)
    return expired


def waiting(engine: Engine, stage: Stage, now: datetime) -> bool:
    """Whether any mail of this kind waits to be claimed now."""
    table = stage.table
    with transaction(engine) as session:
        return session.scalar(select(exists().where(
            table.status == MailStatus.PENDING, getattr(table, stage.claimed).is_(None), ready(table, now)))) is True
