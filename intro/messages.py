"""Storing received messages: durable, and idempotent on Message-ID."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

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
