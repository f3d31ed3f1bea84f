"""From stored message to recorded introduction, on each database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from inbound import processor
from inbound.processor import process, process_pending
from inbound.understanding.mime import envelope_id
from intro import config as intro_config
from intro.db import transaction
from intro.messages import arrival, store
from intro.models import Campaign, InboundMessage, Introduction, MessageStatus, Person
from intro.overview import listing
from tests.smtp_helpers import load

SERVICE = ("intro@tally.example",)
CONFIG = intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE[0]})


def deliver(engine: Engine, name: str, rcpt: str = SERVICE[0], mail_from: str = "sam@example.com") -> str | None:
    raw = load(name)
    [stored_id] = store(engine, [arrival(raw, mail_from, [rcpt], "127.0.0.1", envelope_id(raw))])
    return process(engine, stored_id, CONFIG) if stored_id else "duplicate"


def intros(engine: Engine) -> list[dict]:
    with transaction(engine) as s:
        return list(listing(s))


def test_an_introduction_is_recorded_with_its_people_and_campaign(engine: Engine) -> None:
    assert deliver(engine, "plain_introduction.eml") == "introduction"
    [intro] = intros(engine)
    assert intro["introducer"] == "sam@example.com"
    assert intro["parties"] == ["dana@example.net", "lee@example.org"]
    assert intro["subject"] == "Dana, meet Lee" and intro["campaign"] == 2026
    assert intro["made_at"] == datetime(2026, 3, 3, 9, 15, tzinfo=UTC).isoformat()
    assert intro["message_id"] == "intro-1@mail.example.com"
    with transaction(engine) as s:
        names = {p.email: p.display_name for p in s.scalars(select(Person))}
        assert names == {"sam@example.com": "Sam Carter", "dana@example.net": "Dana Reyes",
                         "lee@example.org": "Lee Park"}
        assert s.scalars(select(Campaign.goal)).one() == 15


def test_the_same_message_twice_counts_once(engine: Engine) -> None:
    deliver(engine, "plain_introduction.eml")
    assert deliver(engine, "plain_introduction.eml", rcpt="intro+bcc@tally.example") == "duplicate"
    assert len(intros(engine)) == 1


def test_a_party_replying_in_the_thread_is_a_reply_and_evidence_of_connection(engine: Engine) -> None:
    deliver(engine, "plain_introduction.eml")
    assert deliver(engine, "reply_from_party.eml", mail_from="lee@example.org") == "reply"
    with transaction(engine) as s:
        intro = s.scalars(select(Introduction)).one()
        assert intro.connected_at == datetime(2026, 3, 4, 8, 2, tzinfo=UTC)
        reply = s.scalars(select(InboundMessage).where(InboundMessage.message_id == "reply-1@mail.example.org")).one()
        assert reply.introduction_id == intro.id and reply.kind == "reply"
    assert len(intros(engine)) == 1


def test_a_forwarded_copy_of_a_recorded_introduction_counts_once(engine: Engine) -> None:
    deliver(engine, "plain_introduction.eml")
    assert deliver(engine, "forwarded_introduction.eml") == "introduction"
    assert len(intros(engine)) == 1
    with transaction(engine) as s:
        fwd = s.scalars(select(InboundMessage).where(InboundMessage.message_id == "fwd-1@mail.example.com")).one()
        assert "counted once" in (fwd.note or "")


def test_a_forwarded_introduction_alone_is_recorded_with_the_forwarded_parties(engine: Engine) -> None:
    assert deliver(engine, "forwarded_introduction.eml") == "introduction"
    [intro] = intros(engine)
    assert intro["parties"] == ["dana@example.net", "lee@example.org"]


def test_a_group_introduction_in_german_is_one_introduction(engine: Engine) -> None:
    assert deliver(engine, "group_introduction_de.eml", mail_from="juergen@example.de") == "introduction"
    [intro] = intros(engine)
    assert intro["introducer"] == "juergen@example.de"
    assert intro["parties"] == ["anna@example.net", "ben@example.org", "chloe@example.com"]
    assert intro["subject"] == "Vorstellung: Anna, Ben und Chloé"
    assert intro["campaign"] == 2026


def test_bulk_mail_is_not_an_introduction(engine: Engine) -> None:
    assert deliver(engine, "newsletter.eml", mail_from="bounces@example.com") == "other"
    assert intros(engine) == []


def test_broken_mime_and_unknown_charsets_are_survived(engine: Engine) -> None:
    assert deliver(engine, "undecodable.eml") in ("introduction", "other")
    with transaction(engine) as s:
        row = s.scalars(select(InboundMessage)).one()
        assert row.status is MessageStatus.PROCESSED


def test_a_message_that_breaks_processing_is_marked_failed_and_the_rest_go_on(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    real_parse = processor.parse

    def parse_or_fail(raw: bytes, *limits: int):  # stands in for a bug the parser does not have yet
        if b"Dana, meet Lee" in raw:
            raise ValueError("cannot make sense of this")
        return real_parse(raw, *limits)

    monkeypatch.setattr(processor, "parse", parse_or_fail)
    raws = [load("plain_introduction.eml"), load("group_introduction_de.eml")]
    store(engine, [arrival(r, "sam@example.com", [SERVICE[0]], "127.0.0.1", None) for r in raws])
    assert process_pending(engine, CONFIG) == 2
    with transaction(engine) as s:
        rows = s.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
        assert rows[0].status is MessageStatus.FAILED
        assert rows[0].error == "ValueError: cannot make sense of this"
        assert rows[1].status is MessageStatus.PROCESSED and rows[1].kind == "introduction"
