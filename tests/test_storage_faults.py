"""Storage faults, injected from outside the code under test, with the real SMTP server.

- PostgreSQL unavailable: intro reaches PostgreSQL through a TCP proxy (tests/fault_helpers.py)
  that is cut (open connections dropped, new ones refused) and then restored on the same port.
- PostgreSQL read-only: a database of the test's own is made read-only with
  ``ALTER DATABASE ... SET default_transaction_read_only``, and its sessions are terminated so
  that intro's pool (pool_pre_ping) reconnects to it read-only. A database of its own, so
  that terminating sessions touches nothing else running against the server.
- SQLite: root ignores file permissions, and remounting the filesystem read-only is refused
  ("busy") while the database is open for writing, so the real fault SQLite gets here is a
  full disk: the database lives on a small tmpfs that the test fills up. Skipped where a
  tmpfs cannot be mounted (not root). A locked SQLite database ("busy") is in
  tests/test_durability.py.
- The relay: down, then back on the same address (tests/test_followups.py has it down and a
  working relay on another address).

In each case SMTP answers 451 4.3.0 and keeps serving, the processor loop survives, and when
the fault is gone the work resumes without a restart, every acknowledged message stored once.
Sessions intro opened while the database was read-only are dropped at their first
read-only error (intro/db.py), so lifting it for new sessions is enough.
"""

from __future__ import annotations

import logging
import smtplib
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from inbound.processor import run as run_processor
from inbound.server import SmtpComponent
from intro import config as intro_config
from intro import schema
from intro.db import make_engine
from intro.models import MessageStatus
from tests.conftest import BACKENDS, POSTGRES_URL, free_port
from tests.fault_helpers import TcpProxy, fill, small_filesystem, wait_until
from tests.loop_helpers import Sink, deliver, run
from tests.smtp_helpers import load, stored

SERVICE = "intro@tally.example"
TIMEOUT = 120  # seconds for any one SMTP reply: a hang fails the test instead of passing it

ONLY_POSTGRES = pytest.mark.parametrize("db_url", [BACKENDS[1]], indirect=True)
NEEDS_POSTGRES = pytest.mark.skipif(not POSTGRES_URL, reason="INTRO_TEST_POSTGRES_URL is not set")


def message(n: int) -> bytes:
    return load("plain_introduction.eml").replace(b"<intro-1@", f"<intro-{n}@".encode())


def mid(n: int) -> str:
    return f"intro-{n}@mail.example.com"


def send(client: smtplib.SMTP, n: int) -> tuple[int, bytes]:
    """One message, step by step: the DATA reply (smtplib does not raise on a 4xx there)."""
    assert client.mail("sam@example.com")[0] == 250
    assert client.rcpt(SERVICE)[0] == 250
    return client.data(message(n))


def connect(port: int) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT)
    client.ehlo()
    return client


def assert_451(reply: tuple[int, bytes]) -> None:
    code, reason = reply
    assert code == 451 and reason.startswith(b"4.3.0 "), reply


def assert_still_serving(port: int, client: smtplib.SMTP) -> None:
    """EHLO and NOOP on the connection that got the 451, and on a new one."""
    assert client.ehlo()[0] == 250
    assert client.noop()[0] == 250
    with connect(port) as other:
        assert other.noop()[0] == 250
        assert other.ehlo()[0] == 250


@contextmanager
def smtp_server(engine: Engine) -> Iterator[int]:
    port = free_port()
    server = SmtpComponent(intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE,
                                                      "INTRO_SMTP_PORT": str(port)}), engine)
    server.start()
    try:
        yield port
    finally:
        server.stop()


@contextmanager
def processor(engine: Engine) -> Iterator[threading.Thread]:
    """The processor loop of `intro serve`, in a thread, stopped afterwards."""
    stop = threading.Event()
    config = intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE})
    worker = threading.Thread(target=run_processor, args=(engine, config, stop), name="processor", daemon=True)
    worker.start()
    try:
        yield worker
    finally:
        stop.set()
        worker.join(timeout=60)


def statuses(engine: Engine) -> dict[str, MessageStatus]:
    return {str(m.message_id): m.status for m in stored(engine)}


def stored_ids(engine: Engine) -> list[str]:
    return sorted(str(m.message_id) for m in stored(engine))


def processor_complained(caplog: pytest.LogCaptureFixture) -> bool:
    """The processor loop met the fault (and logged that it will try again)."""
    return any(r.name == "inbound.processor" and r.getMessage().startswith("processor: ")
               for r in list(caplog.records))


def all_processed(engine: Engine, *numbers: int) -> bool:
    return statuses(engine) == {mid(n): MessageStatus.PROCESSED for n in numbers}


# -- PostgreSQL unavailable ------------------------------------------------------------------


@ONLY_POSTGRES
def test_postgres_unavailable_gets_451_and_work_resumes_when_it_is_back(
        db_url: str, engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    direct = make_url(db_url)
    with ExitStack() as stack:
        proxy = stack.enter_context(TcpProxy(direct.host or "127.0.0.1", direct.port or 5432))
        # connect_timeout: should a connection ever hang rather than be refused.
        via_proxy = (direct.set(host="127.0.0.1", port=proxy.port)
                     .update_query_dict({"connect_timeout": "10"}).render_as_string(hide_password=False))
        intro = make_engine(via_proxy)
        stack.callback(intro.dispose)
        worker_engine = make_engine(via_proxy)  # the processor is a process of its own
        stack.callback(worker_engine.dispose)
        port = stack.enter_context(smtp_server(intro))
        worker = stack.enter_context(processor(worker_engine))
        client = stack.enter_context(connect(port))

        assert send(client, 1)[0] == 250
        wait_until(lambda: all_processed(engine, 1), "the first message processed")

        proxy.cut()
        assert_451(send(client, 2))
        assert_still_serving(port, client)
        with connect(port) as other:
            assert_451(send(other, 3))  # a new connection: the same answer, no hang
        wait_until(lambda: processor_complained(caplog), "the processor meets the outage")
        assert worker.is_alive()
        assert stored_ids(engine) == [mid(1)]  # nothing half-stored

        proxy.restore()
        assert send(client, 2)[0] == 250  # the sender's retry, on the same connection
        with connect(port) as other:
            assert send(other, 3)[0] == 250
        wait_until(lambda: all_processed(engine, 1, 2, 3), "everything processed once the database is back")
        assert worker.is_alive()
        assert proxy.accepted > 1  # intro really went through the proxy, and reconnected
    assert stored_ids(engine) == [mid(1), mid(2), mid(3)]  # each acknowledged message once


# -- PostgreSQL read-only --------------------------------------------------------------------


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of this test's own on the PostgreSQL server, migrated; its name."""
    name = f"t_ro_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        migrate = make_engine(database_url(name))
        schema.upgrade(migrate)
        migrate.dispose()
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def read_only(name: str, on: bool, terminate: bool = True) -> None:
    """Make database ``name`` read-only (or writable) for new sessions; with ``terminate``,
    end the sessions already open (and wait until they are gone), so that pools reconnect."""
    setting = "SET default_transaction_read_only = on" if on else "RESET default_transaction_read_only"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" {setting}'))
            if terminate:
                conn.execute(text("SELECT pg_terminate_backend(pid, 30000) FROM pg_stat_activity "
                                  "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    finally:
        admin.dispose()


@pytest.mark.postgres
@NEEDS_POSTGRES
def test_postgres_read_only_gets_451_and_work_resumes_when_it_is_lifted(
        own_database: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    url = database_url(own_database)
    with ExitStack() as stack:
        stack.callback(read_only, own_database, False, False)  # whatever happens
        intro, worker_engine, observer = make_engine(url), make_engine(url), make_engine(url)
        for e in (intro, worker_engine, observer):
            stack.callback(e.dispose)
        port = stack.enter_context(smtp_server(intro))
        client = stack.enter_context(connect(port))
        assert send(client, 1)[0] == 250

        read_only(own_database, True)
        assert_451(send(client, 2))
        assert_still_serving(port, client)
        # The processor meets the stored message while it cannot write: the message is not
        # to blame, so it must stay NEW (not FAILED) and be processed later.
        worker = stack.enter_context(processor(worker_engine))
        wait_until(lambda: processor_complained(caplog), "the processor meets the read-only database")
        assert worker.is_alive()
        assert statuses(observer) == {mid(1): MessageStatus.NEW}

        read_only(own_database, False)
        assert send(client, 2)[0] == 250
        wait_until(lambda: all_processed(observer, 1, 2), "everything processed once it is writable")
        assert worker.is_alive()
        assert stored_ids(observer) == [mid(1), mid(2)]


# -- SQLite: disk full -----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with ExitStack() as stack:
        try:
            disk = stack.enter_context(small_filesystem(tmp_path / "disk", "8m"))
        except OSError as e:
            pytest.skip(f"no real storage fault for SQLite here: {e}")
        yield disk


def test_sqlite_disk_full_gets_451_and_work_resumes_when_there_is_room(
        small_disk: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    database = small_disk / "intro.db"
    with ExitStack() as stack:
        intro, worker_engine = make_engine(f"sqlite:///{database}"), make_engine(f"sqlite:///{database}")
        for e in (intro, worker_engine):
            stack.callback(e.dispose)  # before the filesystem is unmounted
        schema.upgrade(intro)
        port = stack.enter_context(smtp_server(intro))
        client = stack.enter_context(connect(port))
        assert send(client, 1)[0] == 250

        # An empty write-ahead log first: SQLite reuses the pages of the one it has, so on
        # a full disk a commit fails only once the log must grow.
        with closing(sqlite3.connect(database)) as conn:
            assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        filler = fill(small_disk)
        assert_451(send(client, 2))
        assert_still_serving(port, client)
        worker = stack.enter_context(processor(worker_engine))
        wait_until(lambda: processor_complained(caplog), "the processor meets the full disk")
        assert worker.is_alive()
        assert statuses(intro) == {mid(1): MessageStatus.NEW}

        filler.unlink()
        assert send(client, 2)[0] == 250
        wait_until(lambda: all_processed(intro, 1, 2), "everything processed once there is room")
        assert worker.is_alive()
        assert stored_ids(intro) == [mid(1), mid(2)]


# -- The relay down, then back ---------------------------------------------------------------

DUE = datetime(2026, 3, 17, 10, tzinfo=UTC)  # 14 days after the introduction
LATER = datetime(2026, 3, 17, 11, tzinfo=UTC)  # past the retry backoff


def test_relay_down_then_back_on_the_same_address(engine: Engine, sink: tuple[Sink, int]) -> None:
    received = sink[0].received
    with TcpProxy("127.0.0.1", sink[1]) as relay:
        config = intro_config.load(environ={
            "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
            "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(relay.port), "INTRO_RELAY_SECURITY": "none",
            "INTRO_FOLLOWUP_MAX_AGE": "3650d",
        })
        deliver(config, engine, load("plain_introduction.eml"))
        relay.cut()
        summary = run(config, engine, DUE)
        assert (summary.sent, summary.retried, summary.failed) == (0, 2, 0)
        assert received == []
        relay.restore()
        assert run(config, engine, LATER).sent == 2
        assert run(config, engine, LATER).sent == 0  # a later pass sends nothing again
    assert sorted(rcpt for _, [rcpt], _ in received) == ["dana@example.net", "lee@example.org"]
    assert len({str(m["Message-ID"]) for _, _, m in received}) == 2


@pytest.mark.postgres
@NEEDS_POSTGRES
def test_postgres_read_only_lifted_while_intro_keeps_its_sessions(own_database: str) -> None:
    url = database_url(own_database)
    with ExitStack() as stack:
        stack.callback(read_only, own_database, False, False)
        intro, fresh = make_engine(url), make_engine(url)
        stack.callback(intro.dispose)
        stack.callback(fresh.dispose)
        port = stack.enter_context(smtp_server(intro))
        client = stack.enter_context(connect(port))
        assert send(client, 1)[0] == 250
        read_only(own_database, True)
        assert_451(send(client, 2))

        # Lifted for every new session (as when a failover points the address at a writable
        # server again), without ending the sessions intro already has.
        read_only(own_database, False, terminate=False)
        with fresh.connect() as conn:
            assert conn.execute(text("SHOW default_transaction_read_only")).scalar() == "off"
        # The sender retries, as an MTA would: one of its tries must be taken.
        codes = []
        for _ in range(5):
            codes.append(send(client, 2)[0])
            if codes[-1] == 250:
                break
            time.sleep(0.5)
        assert codes[-1] == 250, codes
        assert stored_ids(fresh) == [mid(1), mid(2)]
