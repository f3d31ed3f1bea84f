"""Processing stored messages after they were acknowledged: parse, classify, record.

Runs off the SMTP transaction, in its own thread, from the database: whatever was
stored but not processed when the process died is simply still NEW after a restart.
A message that makes processing raise is marked FAILED with the error, and the
processor goes on with the next; a database outage is not the message's fault, so
then the message stays NEW and is tried again.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine, select
from sqlalchemy.exc import InterfaceError, OperationalError

from core.config import Config
from core.db import transaction
from core.intros import Contact, Facts, record, unprocessed_ids
from core.models import InboundMessage, MessageStatus
from core.timeutil import utcnow
from inbound.classify import Classification, classify
from inbound.parse import Parsed, parse
from inbound.people import Address

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # how soon a newly stored message is processed
RETRY_SECONDS = 5.0  # after a database error


def facts(parsed: Parsed, found: Classification) -> Facts:
    return Facts(
        kind=found.kind,
        note=found.reason,
        subject=parsed.subject,
        date=parsed.date,
        sender=_contact(parsed.from_),
        introducer=_contact(found.introducer),
        parties=tuple(Contact(p.email, p.name) for p in found.parties),
        thread_ids=parsed.in_reply_to + parsed.references,
    )


def _contact(address: Address | None) -> Contact | None:
    return Contact(address.email, address.name) if address else None


def process(engine: Engine, message_id: int, service: tuple[str, ...]) -> str | None:
    """Process one stored message; return its kind, "failed", or None if it was not NEW
    (processed elsewhere, or gone)."""
    with transaction(engine) as session:
        row = session.get(InboundMessage, message_id)
        if row is None or row.status != MessageStatus.NEW:
            return None
        raw, rcpt_to, mail_from = row.raw, tuple(row.rcpt_to), row.mail_from
    try:
        parsed = parse(raw)
        found = facts(parsed, classify(parsed, rcpt_to, service, mail_from))
        with transaction(engine, write=True) as session:
            # SKIP LOCKED: another node processing the same message at the same moment wins.
            row = session.scalars(
                select(InboundMessage).where(InboundMessage.id == message_id,
                                             InboundMessage.status == MessageStatus.NEW)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            record(session, row, found)
            return row.kind
    except (OperationalError, InterfaceError):
        raise  # the database is down or locked: not the message's fault, so it stays NEW
    except Exception as e:
        log.exception("processing message %s failed; marked failed", message_id)
        with transaction(engine, write=True) as session:
            row = session.get_one(InboundMessage, message_id)
            row.status, row.error, row.processed_at = MessageStatus.FAILED, f"{type(e).__name__}: {e}", utcnow()
        return "failed"


def process_pending(engine: Engine, service: tuple[str, ...], stop: threading.Event | None = None) -> int:
    """Process every NEW message; return how many were processed."""
    done = 0
    while stop is None or not stop.is_set():
        with transaction(engine) as session:
            ids = unprocessed_ids(session)
        if not ids:
            break
        for message_id in ids:
            done += process(engine, message_id, service) is not None
    return done


class ProcessorComponent:
    name = "processor"

    def __init__(self, config: Config, engine: Engine) -> None:
        self.engine = engine
        self.service = config.service.address
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="processor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                process_pending(self.engine, self.service, self._stop)
                self._stop.wait(POLL_SECONDS)
            except (OperationalError, InterfaceError) as e:
                log.warning("processor: database unavailable (%s); retrying in %ss", e.orig, RETRY_SECONDS)
                self._stop.wait(RETRY_SECONDS)
            except Exception:  # never let the thread die: nothing would process mail again
                log.exception("processor: unexpected error; retrying in %ss", RETRY_SECONDS)
                self._stop.wait(RETRY_SECONDS)
