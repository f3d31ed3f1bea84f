"""Storing received messages (durable, and idempotent on Message-ID), and finding those not yet processed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from intro.db import write_connection
from intro.models import InboundMessage, MessageStatus
from intro.timeutil import utcnow
from intro.upsert import insert_new


@dataclass(frozen=True)
class Arrival:
    """A message as received: the raw bytes and the SMTP envelope."""

    raw: bytes
    mail_from: str
    rcpt_to: tuple[str, ...]
    peer: str
    message_id: str | None  # without angle brackets; None when the message has none
    received_at: datetime


def arrival(raw: bytes, mail_from: str, rcpt_to: list[str] | tuple[str, ...], peer: str,
            message_id: str | None) -> Arrival:
    return Arrival(raw, mail_from, tuple(rcpt_to), peer, message_id, utcnow())


def store(engine: Engine, arrivals: list[Arrival]) -> list[int | None]:
    """Commit ``arrivals`` in one transaction; return each one's id, or None for a duplicate.

    When this returns, every message is durable (or was already stored under the same
    Message-ID); when it raises, none of them was stored.
    """
    with write_connection(engine) as conn:
        # The same Message-ID twice (CC plus BCC, a retry, a re-import) counts once.
        return [
            insert_new(conn, InboundMessage, {
                "raw": a.raw, "size": len(a.raw), "mail_from": a.mail_from, "rcpt_to": list(a.rcpt_to),
                "peer": a.peer, "message_id": a.message_id, "received_at": a.received_at,
                "status": MessageStatus.NEW,
            }, ["message_id"])
            for a in arrivals
        ]


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
