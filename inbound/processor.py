"""Processing stored messages after they were acknowledged: parse, classify, record.

Runs off the SMTP transaction, in a process of its own, from the database: whatever was
stored but not processed when the process died is simply still NEW after a restart.
A message that makes processing raise is marked FAILED with the error, and the
processor goes on with the next; a database outage is not the message's fault, so
then the message stays NEW and is tried again.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from functools import cache
from typing import Protocol

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from inbound.authentication import Resolver, authenticate, dns_resolver
from inbound.understanding.classify import classify
from inbound.understanding.mime import MAX_MIME_PARTS
from inbound.understanding.parse import parse
from intro import logs, memory
from intro.config import Config
from intro.db import make_engine, transaction
from intro.meaning import Meaning
from intro.messages import backlog, unprocessed_ids
from intro.models import InboundMessage, MessageStatus
from intro.recording import record
from intro.timeutil import utcnow
from intro.trust import Trust

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # how soon a newly stored message is processed
_BATCH_BYTES = 8 * 1024 * 1024  # raw text read at once
RETRY_SECONDS = 5.0  # after a database error
QUIET_SECONDS = 0.2  # while messages are arriving, look again this much later
MAX_DEFER = timedelta(seconds=30)  # but never leave a message unprocessed for longer
WATCH_SECONDS = 2.0  # how often the parent checks that the processor still runs
NICENESS = 10  # below the SMTP server: see ProcessorComponent


class EventLike(Protocol):
    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


BATCH = 50  # messages recorded per write transaction: one lock and one fsync for all


def understand(raw: bytes, rcpt_to: tuple[str, ...], mail_from: str, service: tuple[str, ...],
               max_parts: int = MAX_MIME_PARTS) -> Meaning:
    """What a stored message means, from its bytes and envelope (inbound.understanding)."""
    return classify(parse(raw, max_parts), rcpt_to, service, mail_from)


class OverBudget(Exception):
    """Understanding one message took longer than [smtp] processing_budget."""


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Raise OverBudget here once ``seconds`` have passed. Python delivers the alarm between
    two steps of Python code, so a step that runs long in C (one regular expression on a
    huge text) ends first: the bounds on what is parsed keep those short. In the main
    thread only (signals go there); elsewhere, no limit."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise OverBudget(f"understanding it took more than {seconds:g} s ([smtp] processing_budget)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process(engine: Engine, message_id: int, config: Config, trust: Trust | None = None) -> str | None:
    """Process one stored message; return its kind, "failed", or None if it was not NEW.

    With ``trust``, the sender of an introduction is authenticated and it may be held
    (intro.trust); without, nothing is held (an operator's import).
    """
    return process_batch(engine, [message_id], config, trust).get(message_id)


@cache
def _resolver(server: str) -> Resolver:
    return dns_resolver(server)


def _authenticated(meaning: Meaning, raw: bytes, trust: Trust | None) -> Meaning:
    """Introductions, messages whose sender would be asked about one, and asks (and their
    answers): they are what makes the service count and mail people."""
    if trust is None or (meaning.kind != "introduction" and not meaning.ask and meaning.asks_first is None):
        return meaning
    verdict = authenticate(raw, trust.authserv_id, _resolver(trust.resolver))
    return replace(meaning, auth=verdict.result, auth_note=verdict.note)


def process_batch(engine: Engine, ids: list[int], config: Config, trust: Trust | None = None) -> dict[int, str]:
    """Process the NEW messages among ``ids``; return each processed one's kind (or "failed").

    Parsing and classifying happen outside any transaction; recording all of them then
    takes one short write transaction, so the SMTP server's commits rarely wait for it.
    """
    found: dict[int, Meaning | Exception] = {}
    seconds = config.smtp.processing_budget.total_seconds()
    for message_id, raw, rcpt_to, mail_from in _stored(engine, ids):
        try:
            with budget(seconds):
                meaning = understand(raw, tuple(rcpt_to), mail_from, config.service.address, config.smtp.max_mime_parts)
            found[message_id] = _authenticated(meaning, raw, trust)
        except Exception as e:
            log.exception("processing message %s failed; marked failed", message_id)
            found[message_id] = e
    try:
        with transaction(engine, write=True) as session:
            return _record_all(session, found, config, trust)
    except (OperationalError, InterfaceError):
        raise  # the database is down or locked: not the messages' fault, so they stay NEW
    except Exception:
        if len(found) == 1:
            [(message_id, _)] = found.items()
            log.exception("recording message %s failed; marking it failed", message_id)
            return _mark_failed(engine, message_id, sys.exc_info()[1])
        # One bad message must not hold back the others: record them one by one.
        kinds: dict[int, str] = {}
        for message_id in found:
            kinds.update(process_batch(engine, [message_id], config, trust))
        return kinds


def _stored(engine: Engine, ids: list[int]) -> Iterator[tuple[int, bytes, list[str], str]]:
    """The NEW messages among ``ids``, in order, read a few at a time: at most
    _BATCH_BYTES of raw text are in memory at once (a batch of 25 MiB messages would
    otherwise be hundreds of MiB)."""
    with transaction(engine) as session:
        sizes = session.execute(select(InboundMessage.id, func.length(InboundMessage.raw)).where(
            InboundMessage.id.in_(ids), InboundMessage.status == MessageStatus.NEW).order_by(InboundMessage.id)).all()
    group: list[int] = []
    total = 0
    for n, (message_id, size) in enumerate(sizes):
        group.append(message_id)
        total += size or 0
        if total >= _BATCH_BYTES or n == len(sizes) - 1:
            with transaction(engine) as session:  # read, then closed: no transaction stays open meanwhile
                rows = session.execute(
                    select(InboundMessage.id, InboundMessage.raw, InboundMessage.rcpt_to, InboundMessage.mail_from)
                    .where(InboundMessage.id.in_(group)).order_by(InboundMessage.id)).all()
            yield from rows
            group, total = [], 0


def _record_all(session: Session, found: dict[int, Meaning | Exception], config: Config,
                trust: Trust | None) -> dict[int, str]:
    kinds: dict[int, str] = {}
    for message_id, outcome in found.items():
        # SKIP LOCKED: another node processing the same message at the same moment wins.
        row = session.scalars(
            select(InboundMessage).where(InboundMessage.id == message_id, InboundMessage.status == MessageStatus.NEW)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            continue
        if isinstance(outcome, Exception):
            _fail(row, outcome)
        else:
            record(session, row, outcome, config, trust)
        kinds[message_id] = row.kind or "failed"
    return kinds


def _fail(row: InboundMessage, error: BaseException | None) -> None:
    row.status, row.processed_at = MessageStatus.FAILED, utcnow()
    row.error = f"{type(error).__name__}: {error}" if error else "unknown error"


def _mark_failed(engine: Engine, message_id: int, error: BaseException | None) -> dict[int, str]:
    with transaction(engine, write=True) as session:
        row = session.get(InboundMessage, message_id)
        if row is None or row.status != MessageStatus.NEW:
            return {}
        _fail(row, error)
    return {message_id: "failed"}


def process_pending(engine: Engine, config: Config, stop: EventLike | None = None,
                    trust: Trust | None = None) -> int:
    """Process every NEW message; return how many were processed."""
    done = 0
    while stop is None or not stop.is_set():
        with transaction(engine) as session:
            ids = unprocessed_ids(session, BATCH)
        if not ids:
            break
        done += len(process_batch(engine, ids, config, trust))
    return done


class ProcessorComponent:
    """Processing in a child process of its own, at a lower CPU priority.

    Parsing and classifying is CPU work; in the SMTP server's process it would hold the
    interpreter lock the protocol needs, and every sender would wait for it. In its own
    process, niced, it uses the CPU the front door leaves over and catches up when the
    burst is over: acknowledging comes first, understanding can wait a moment.
    """

    name = "processor"

    def __init__(self, config: Config, engine: Engine) -> None:
        self._config = config
        self._context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        # Not a multiprocessing.Event: its lock is shared with the child, and a parent
        # killed while holding it (SIGKILL) would leave the child waiting on it for ever.
        # The child is told to stop with SIGTERM, and notices by itself when orphaned.
        self._stop = threading.Event()
        self._process = self._spawn()
        self._watchdog = threading.Thread(target=self._watch, name="processor-watchdog", daemon=True)

    def _spawn(self) -> multiprocessing.process.BaseProcess:
        # The parent's pid goes with it: a child that asked os.getppid() itself, while
        # still starting, could already get init's if the parent died meanwhile.
        return self._context.Process(target=_child, args=(self._config, os.getpid()), name="intro-processor",
                                     daemon=True)

    def start(self) -> None:
        self._process.start()
        self._watchdog.start()

    def _watch(self) -> None:
        # Whatever kills the child (a crash in a C library on some message, the OOM
        # killer), the messages wait in the database; a new child takes them up.
        while not self._stop.wait(WATCH_SECONDS):
            if not self._process.is_alive():
                log.error("the processor stopped (exit code %s); starting a new one", self._process.exitcode)
                self._process = self._spawn()
                self._process.start()

    def stop(self) -> None:
        self._stop.set()
        self._watchdog.join(timeout=WATCH_SECONDS * 2)
        self._process.terminate()  # SIGTERM: the child finishes its batch and leaves
        self._process.join(timeout=30)
        if self._process.is_alive():
            log.warning("processor did not stop within 30 s; killing it")
            self._process.kill()
            self._process.join(timeout=5)


def _child(config: Config, parent: int) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    os.nice(NICENESS)
    logs.configure(config.log_level, config.privacy.log_addresses)
    memory.return_large_blocks()  # a spawned process: the parent's setting is not inherited
    engine = make_engine(config.database.url)
    try:
        run(engine, config, stop, Trust.from_config(config),
            orphaned=lambda: os.getppid() != parent)
    finally:
        engine.dispose()


def run(engine: Engine, config: Config, stop: EventLike, trust: Trust | None = None,
        orphaned: Callable[[], bool] = lambda: False) -> None:
    """Process messages as they arrive until ``stop`` is set (or the parent is gone).

    Ingest first: while messages are still arriving, processing waits, because on SQLite
    its write transactions would make the SMTP server's commits (and so every sender)
    wait. It waits at most MAX_DEFER, so a steady stream is still processed.
    """
    seen = -1
    while not stop.is_set() and not orphaned():
        try:
            with transaction(engine) as session:
                newest, oldest = backlog(session)
                ids = unprocessed_ids(session, BATCH) if oldest else []
            arriving, seen = newest != seen, newest
            if not ids:
                stop.wait(POLL_SECONDS)
            elif arriving and oldest and utcnow() - oldest < MAX_DEFER:
                stop.wait(QUIET_SECONDS)
            else:
                for message_id, kind in process_batch(engine, ids, config, trust).items():
                    log.info("processed id=%s kind=%s", message_id, kind)  # as the handler logs "received id="
        except (OperationalError, InterfaceError) as e:
            log.warning("processor: database unavailable (%s); retrying in %ss", e.orig, RETRY_SECONDS)
            stop.wait(RETRY_SECONDS)
        except Exception:  # never let the loop die: nothing would process mail again
            log.exception("processor: unexpected error; retrying in %ss", RETRY_SECONDS)
            stop.wait(RETRY_SECONDS)
