"""The database engine and explicit transaction scopes.

SQLite is the embedded default, tuned for a service that must not lose what it
acknowledged: WAL (readers never block the writer), synchronous=FULL (a commit survives
power loss, not only a crash), foreign keys on, and a busy timeout so that a writer waits
for the lock instead of failing at once. PostgreSQL works through the same URL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 10_000
_WRITE = "intro_write"


def make_engine(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings this service relies on.

    ``busy_timeout_ms``: how long an SQLite writer waits for the lock before failing.
    """
    if make_url(url).get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        event.listen(engine, "handle_error", _read_only_is_a_disconnect)
        return engine
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", partial(_sqlite_connect, busy_timeout_ms))
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _read_only_is_a_disconnect(context: Any) -> None:
    # SQLSTATE 25006: a session that is read-only (a failover left it on a standby, or the
    # database was made read-only). pool_pre_ping only finds dead connections, so this one
    # would be kept, and answer 25006 for ever; as a disconnect, the pool drops it and all
    # its siblings, and the next transaction gets a new session that can write again.
    if getattr(context.original_exception, "sqlstate", None) == "25006":
        context.is_disconnect = True


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_connect(busy_timeout_ms: int, dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (the
    # recipe in SQLAlchemy's SQLite dialect documentation), so BEGIN IMMEDIATE works.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    # Deleted and overwritten content is zeroed, not left in free pages: forgetting someone
    # must leave no trace of them in the file (intro.privacy).
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A deferred transaction that reads and then writes cannot wait for the lock: SQLite
    # fails it at once with "database is locked". Writers take the lock up front instead.
    mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A Core connection in one write transaction, for hot paths where the ORM's
    bookkeeping costs more than the work (storing arrivals)."""
    with engine.execution_options(**{_WRITE: True}).begin() as conn:
        yield conn


@contextmanager
def transaction(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back if it raises.

    Pass ``write=True`` when the block will write, so that on SQLite it waits for the
    write lock at the start rather than failing halfway through.
    """
    bind = engine.execution_options(**{_WRITE: True}) if write else engine
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


def checkpoint(engine: Engine, attempts: int = 20) -> bool:
    """Copy SQLite's write-ahead log into the database file and truncate it to nothing,
    so that old page images (of rows since erased) are gone from disk. A reader in the
    middle of a transaction can stop that for a moment: tried again. True when done (and
    on PostgreSQL, where there is no such file)."""
    if not is_sqlite(engine):
        return True
    for _ in range(attempts):
        with engine.connect() as conn:
            busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
        if busy is not None and busy[0] == 0:
            return True
        time.sleep(0.05)
    return False
