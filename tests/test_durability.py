"""Nothing acknowledged is lost: 451 when storage really fails, group commit under
concurrency, and processing that survives a restart."""

from __future__ import annotations

import smtplib
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from inbound.processor import process_pending
from inbound.server import SmtpComponent
from intro import config as intro_config
from intro.db import make_engine
from intro.models import MessageStatus
from tests.conftest import free_port
from tests.smtp_helpers import load, stored

SERVICE = ("intro@tally.example",)
CONFIG = intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE[0]})


def message(n: int) -> bytes:
    return load("plain_introduction.eml").replace(b"<intro-1@", f"<intro-{n}@".encode())


@contextmanager
def smtp_server(engine: Engine) -> Iterator[int]:
    port = free_port()
    env = {"INTRO_SERVICE_ADDRESS": SERVICE[0], "INTRO_SMTP_PORT": str(port)}
    server = SmtpComponent(intro_config.load(environ=env), engine)
    server.start()
    try:
        yield port
    finally:
        server.stop()


@pytest.fixture
def impatient(db_url: str, engine: Engine) -> Iterator[Engine]:
    """An engine on the migrated database that gives up on a lock after 300 ms."""
    if db_url.startswith("sqlite"):
        quick = make_engine(db_url, busy_timeout_ms=300)
    else:
        quick = make_engine(db_url.replace("options=", "options=-clock_timeout%3D300%20"))
    yield quick
    quick.dispose()


@contextmanager
def database_locked(db_url: str) -> Iterator[None]:
    """Really lock the inbound table, from another connection, for the duration."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(db_url).database, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    other = create_engine(db_url)
    with other.connect() as conn:
        conn.execute(text("LOCK TABLE inbound_messages IN ACCESS EXCLUSIVE MODE"))
        yield
        conn.rollback()
    other.dispose()


def test_storage_failure_answers_451_and_recovers_without_restart(db_url: str, impatient: Engine) -> None:
    with smtp_server(impatient) as port, smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo()
        with database_locked(db_url):
            client.mail("sam@example.com")
            client.rcpt(SERVICE[0])
            code, reason = client.data(message(1))
            assert code == 451 and reason.startswith(b"4.3.0 ") and b"try again later" in reason
        assert stored(impatient) == []  # nothing half-stored
        # The same connection, the database back: the retry is accepted and stored once.
        client.mail("sam@example.com")
        client.rcpt(SERVICE[0])
        assert client.data(message(1))[0] == 250
    assert len(stored(impatient)) == 1


def test_concurrent_senders_are_all_stored_exactly_once(engine: Engine) -> None:
    results: list[int] = []
    lock = threading.Lock()

    def sender(first: int) -> None:
        with smtplib.SMTP("127.0.0.1", port) as client:
            for n in range(first, first + 10):
                client.sendmail("sam@example.com", list(SERVICE), message(n))
                with lock:
                    results.append(n)

    with smtp_server(engine) as port:
        threads = [threading.Thread(target=sender, args=(i * 10,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    rows = stored(engine)
    assert sorted(results) == list(range(80))
    assert sorted(r.message_id for r in rows) == sorted(f"intro-{n}@mail.example.com" for n in range(80))


def test_messages_stored_before_a_restart_are_processed_after_it(engine: Engine) -> None:
    with smtp_server(engine) as port, smtplib.SMTP("127.0.0.1", port) as client:
        for n in range(3):
            client.sendmail("sam@example.com", list(SERVICE), message(n))
    # The server is gone and nothing processed them: they wait in the database.
    assert [r.status for r in stored(engine)] == [MessageStatus.NEW] * 3
    assert process_pending(engine, CONFIG) == 3
    assert [r.status for r in stored(engine)] == [MessageStatus.PROCESSED] * 3
    assert process_pending(engine, CONFIG) == 0
