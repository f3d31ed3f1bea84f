"""Shared fixtures: a fresh database per test, on SQLite always and PostgreSQL when asked.

PostgreSQL runs when INTRO_TEST_POSTGRES_URL is set (CI sets it). Each test gets its own
schema there, selected through the URL's search_path, so runs never see each other.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from intro import schema
from intro.db import make_engine

POSTGRES_URL = os.environ.get("INTRO_TEST_POSTGRES_URL", "")
REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

BACKENDS = [
    "sqlite",
    pytest.param("postgres", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not POSTGRES_URL, reason="INTRO_TEST_POSTGRES_URL is not set"),
    ]),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each backend, removed after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'intro.db'}"
        return
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def bare_engine(db_url: str) -> Iterator[Engine]:
    """An engine on an empty, unmigrated database."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(bare_engine: Engine) -> Engine:
    """An engine on a database migrated to the current schema."""
    schema.upgrade(bare_engine)
    return bare_engine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sink() -> Iterator[tuple[Any, int]]:
    """A real SMTP server (aiosmtpd) that keeps what it receives: the relay, in tests."""
    from aiosmtpd.controller import Controller

    from tests.loop_helpers import Sink

    handler, port = Sink(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A DKIM key (tests.dns_helpers), published by ``dns_server``."""
    from tests.dns_helpers import make_key

    return make_key(tmp_path_factory.mktemp("dkim"))


@pytest.fixture
def dns_server(key: Any) -> Iterator[Any]:
    """A DNS server on 127.0.0.1 with the key for example.com and lists.example.net, and
    example.com's DMARC policy (p=reject); other names are not found (so: no DMARC)."""
    from tests.dns_helpers import LocalDNS

    server = LocalDNS({
        "test._domainkey.example.com": key.record,
        "test._domainkey.lists.example.net": key.record,
        "_dmarc.example.com": "v=DMARC1; p=reject",
    })
    yield server
    server.close()
