"""GET /metrics: off unless asked for; when on, every figure counted from the database,
over an index (never a million rows), on each database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, event, select

from inbound.understanding.mime import envelope_id
from intro import config as intro_config
from intro.answers import record_answer
from intro.config import Config
from intro.db import transaction
from intro.meaning import AnswerValue
from intro.messages import arrival, store
from intro.models import FollowUp, Person
from intro.timeutil import utcnow
from tests.conftest import free_port
from tests.loop_helpers import SERVICE, Sink, deliver, run
from tests.smtp_helpers import load
from web import create_app

DUE = datetime(2026, 3, 17, 10, tzinfo=UTC)  # plain_introduction.eml's follow-ups, 14 days on


@pytest.fixture
def config(sink: tuple[Sink, int]) -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(sink[1]), "INTRO_RELAY_SECURITY": "none",
        "INTRO_FOLLOWUP_MAX_AGE": "3650d", "INTRO_WEB_METRICS": "true",
    })


def scrape(config: Config, engine: Engine) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """GET /metrics, parsed: {(sample name, labels): value}."""
    reply = create_app(config, engine).test_client().get("/metrics")
    assert reply.status_code == 200, reply.text
    assert reply.content_type.startswith("text/plain; version=")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(reply.text) for s in family.samples}


def test_off_unless_asked_for(engine: Engine) -> None:
    assert intro_config.load(environ={}).web.metrics is False
    reply = create_app(intro_config.load(environ={}), engine).test_client().get("/metrics")
    assert reply.status_code == 404


def test_an_empty_service(config: Config, engine: Engine) -> None:
    found = scrape(config, engine)
    assert found[("intro_messages_received_total", ())] == 0
    assert found[("intro_messages_processed_total", (("kind", "introduction"),))] == 0
    assert found[("intro_processing_lag_seconds", ())] == 0
    assert found[("intro_mails", (("kind", "followup"), ("status", "failed")))] == 0
    assert found[("intro_answers", (("value", "helped"),))] == 0


def test_figures_are_counted_from_the_database(config: Config, engine: Engine, sink: tuple[Sink, int]) -> None:
    sink[0].refuse = {"lee@example.org": "550 5.1.1 no such user"}
    deliver(config, engine, load("plain_introduction.eml"))  # to Dana and Lee
    run(config, engine, DUE)  # Dana's follow-up goes out, Lee's is refused
    with transaction(engine, write=True) as s:
        dana = s.scalars(select(FollowUp).join(FollowUp.party).join(Person)
                         .where(Person.email == "dana@example.net")).one()
        record_answer(s, dana.id, AnswerValue.NO, "", source="web")
        record_answer(s, dana.id, AnswerValue.HELPED, "", source="web")  # changed: the latest counts
    deliver(config, engine, load("group_introduction_de.eml"))  # three follow-ups, due since January
    waiting = load("plain_introduction.eml").replace(b"<intro-1@", b"<intro-9@")
    store(engine, [replace(arrival(waiting, "sam@example.com", [SERVICE], "192.0.2.7", envelope_id(waiting)),
                           received_at=utcnow() - timedelta(minutes=5))])  # not processed yet

    found = scrape(config, engine)

    assert found[("intro_messages_received_total", ())] == 3
    processed = {dict(labels)["kind"]: n for (name, labels), n in found.items()
                 if name == "intro_messages_processed_total"}
    assert processed == {"introduction": 2, "reply": 0, "survey_reply": 0, "auto_reply": 0, "bounce": 0,
                         "other": 0, "failed": 0}
    assert found[("intro_messages_unprocessed", ())] == 1
    assert 300 <= found[("intro_processing_lag_seconds", ())] < 600
    mails = {tuple(v for _, v in labels): n for (name, labels), n in found.items() if name == "intro_mails"}
    assert mails[("followup", "sent")] == 1 and mails[("followup", "failed")] == 1
    assert mails[("followup", "pending")] == 3
    assert {kind for kind, _ in mails} == {"followup", "link", "notice", "question"}
    assert sum(n for (kind, _), n in mails.items() if kind != "followup") == 0
    assert found[("intro_followups_due", ())] == 3
    answers = {dict(labels)["value"]: n for (name, labels), n in found.items() if name == "intro_answers"}
    assert answers == {"helped": 1, "not_yet": 0, "no": 0}


def test_no_figure_reads_every_row(config: Config, engine: Engine) -> None:
    """At a million introductions a scan of the messages (with their raw text) takes
    seconds: each query must be answered from an index (SQLite's plan says which)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the query plans checked are SQLite's")
    statements: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        scrape(config, engine)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    queries = [(sql, params) for sql, params in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(queries) >= 5
    with engine.connect() as conn:
        for sql, params in queries:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            scans = [step for step in plan.split(" | ") if step.startswith("SCAN ")]
            for step in scans:  # the campaigns' few counter rows may be read whole
                assert "COVERING INDEX" in step or "campaign_counts" in step, f"{sql}\n{plan}"
