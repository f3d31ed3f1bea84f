"""Backfilling from exported mail, through the same storage and idempotency as SMTP."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine

from inbound.mailboxes import Source
from inbound.processor import process_batch
from inbound.understanding.mime import envelope_id, return_path
from intro.config import Config
from intro.messages import Arrival, arrival, store

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


def import_messages(engine: Engine, config: Config, sources: Iterable[Source],
                    progress: Callable[[int], object] = lambda n: None) -> Summary:
    """Store and process every message of ``sources``, as if each had been sent to the
    service. Nothing is held: an operator importing a mailbox vouches for it."""
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
            batch.append(arrival(raw, return_path(raw), list(config.service.address[:1]), PEER, envelope_id(raw)))
            if len(batch) >= BATCH:
                _flush(engine, config, batch, summary)
    _flush(engine, config, batch, summary)
    return summary


def _flush(engine: Engine, config: Config, batch: list[Arrival], summary: Summary) -> None:
    if not batch:
        return
    ids = store(engine, batch)
    batch.clear()
    new = [i for i in ids if i is not None]
    summary.duplicates += len(ids) - len(new)
    summary.new += len(new)
    kinds = process_batch(engine, new, config).values()
    summary.introductions += sum(k == "introduction" for k in kinds)
    summary.failed += sum(k == "failed" for k in kinds)
