"""Helpers for tests that send mail to the real server."""

from __future__ import annotations

from sqlalchemy import Engine, select

from intro.db import transaction
from intro.models import InboundMessage
from tests.conftest import DATA


def load(name: str) -> bytes:
    """A sample message from tests/data with CRLF line ends, as it travels over SMTP."""
    return (DATA / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def stored(engine: Engine) -> list[InboundMessage]:
    with transaction(engine) as s:
        return list(s.scalars(select(InboundMessage).order_by(InboundMessage.id)))
