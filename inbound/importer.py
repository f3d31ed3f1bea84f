"""Backfilling from exported mail, through the same storage and idempotency as SMTP."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine

from core.messages import Arrival, arrival, store
from inbound.headers import message_id, return_path
from inbound.mailboxes import Source
from inbound.processor import process

log = logging.getLogger(__name__)

BATCH = 200  # messages committed together: one fsync per batch, not per message
PEER = "import"  # stands where an SMTP peer address would


@dataclass
class Summary:
    read: int = 0
    new: int = 0
    duplicates: int = 0
    introductions: int = 0
    failed: int = 0

    def describe(self) -> str:
        return (f"read {self.read}, new {self.new}, duplicates {self.duplicates}, "
                f"introductions found {self.introductions}, failed {self.failed}")


def import_messages(engine: Engine, service: tuple[str, ...], sources: Iterable[Source],
                    progress: Callable[[int], object] = lambda n: None) -> Summary:
    summary = Summary()
    batch: list[Arrival] = []
    for source in sources:
        for label, raw in source:
            summary.read += 1
            progress(1)
            if raw is None:
                log.warning("could not read %s", label)
                summary.failed += 1
                continue
            # As if it had been sent to the service: a backfilled Sent folder never was.
            batch.append(arrival(raw, return_path(raw), list(service[:1]), PEER, message_id(raw)))
            if len(batch) >= BATCH:
                _flush(engine, service, batch, summary)
    _flush(engine, service, batch, summary)
    return summary


def _flush(engine: Engine, service: tuple[str, ...], batch: list[Arrival], summary: Summary) -> None:
    if not batch:
        return
    ids = store(engine, batch)
    batch.clear()
    for stored_id in ids:
        if stored_id is None:
            summary.duplicates += 1
            continue
        summary.new += 1
        kind = process(engine, stored_id, service)
        summary.introductions += kind == "introduction"
        summary.failed += kind == "failed"
