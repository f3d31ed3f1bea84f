"""Bounded cost per message (issue 12): hostile messages of the largest size accepted, each
built to cost a parser the most (bench/hostile_mime.py), go in over SMTP and are all
processed; understanding one message has a time budget, past which it is marked failed
with the reason. Their memory and time are measured in bench/smtp_abuse.py."""

from __future__ import annotations

import smtplib
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from inbound import processor
from inbound.processor import OverBudget, budget, process_pending
from inbound.server import SmtpComponent
from inbound.understanding.parse import parse
from intro import config as intro_config
from intro.db import transaction
from intro.models import InboundMessage, MessageStatus
from tests.conftest import free_port

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import hostile_mime  # noqa: E402

SERVICE = "intro@localhost"


def test_hostile_messages_go_in_and_are_all_processed(engine: Engine) -> None:
    config = intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port())})
    server = SmtpComponent(config, engine)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", config.smtp.port) as client:
            for _, raw in hostile_mime.messages():
                client.sendmail("m@attacker.example", [SERVICE], raw)
    finally:
        server.stop()
    process_pending(engine, config)
    with transaction(engine) as s:
        rows = s.execute(select(InboundMessage.status, InboundMessage.kind)).all()
    assert len(rows) == len(hostile_mime.BUILDERS)
    assert all(status == MessageStatus.PROCESSED and kind == "other" for status, kind in rows), rows


@pytest.mark.parametrize(("name", "cut"), [
    ("many_parts", "more than 1000 MIME parts"), ("many_headers", "header block longer than 256 KiB"),
    ("huge_header", "header block longer than 256 KiB"), ("long_text", "longer than 4 MiB"),
])
def test_only_so_much_of_a_message_is_parsed_and_it_says_so(name: str, cut: str) -> None:
    raw = getattr(hostile_mime, name)(25 * hostile_mime.MIB)
    parsed = parse(raw)
    assert any(cut in problem for problem in parsed.problems), parsed.problems
    assert len(parsed.text) <= 100_000


def test_the_budget_interrupts_what_takes_too_long() -> None:
    started = time.monotonic()
    with pytest.raises(OverBudget, match="processing_budget"), budget(0.1):
        while True:
            time.sleep(0.01)
    assert time.monotonic() - started < 60  # it ended, which is what is checked; not how soon


def test_a_message_over_its_budget_is_marked_failed_with_the_reason(engine: Engine,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault injected in the classifier (it never finishes); the next message is processed."""
    config = intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PROCESSING_BUDGET": "1s"})
    from intro.messages import arrival, store
    raws = [f"From: a@example.com\r\nSubject: {n}\r\nMessage-ID: <budget-{n}@example.com>\r\n\r\nHi\r\n".encode()
            for n in ("slow", "next")]
    store(engine, [arrival(r, "a@example.com", [SERVICE], "127.0.0.1", f"budget-{n}@example.com")
                   for r, n in zip(raws, ("slow", "next"), strict=True)])
    real = processor.classify

    def stuck(parsed, *args):  # type: ignore[no-untyped-def]
        while parsed.subject == "slow":
            time.sleep(0.01)
        return real(parsed, *args)

    monkeypatch.setattr(processor, "classify", stuck)
    process_pending(engine, config)
    with transaction(engine) as s:
        rows = dict(s.execute(select(InboundMessage.message_id, InboundMessage.error)).all())
        statuses = dict(s.execute(select(InboundMessage.message_id, InboundMessage.status)).all())
    assert statuses == {"budget-slow@example.com": MessageStatus.FAILED,
                        "budget-next@example.com": MessageStatus.PROCESSED}
    assert "took more than 1 s ([smtp] processing_budget)" in (rows["budget-slow@example.com"] or "")
