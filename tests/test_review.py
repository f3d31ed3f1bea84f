"""The organizer's review screen: answers by mail that could not be read, and messages
whose senders were asked "was it an introduction?" and never answered, each settled
with one click."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import Engine, select

from inbound.processor import process_pending
from inbound.understanding.mime import envelope_id
from intro import config as intro_config
from intro.db import transaction
from intro.messages import arrival, store
from intro.models import FollowUp, InboundMessage, Introduction, Question, QuestionAnswer
from tests.loop_helpers import Sink
from tests.seed import SERVICE, seeded_app
from tests.smtp_helpers import load
from tests.test_account import csrf_token, relay, sign_in  # noqa: F401  (relay: a fixture)

BOSS = "boss@example.com"


@pytest.fixture
def app(engine: Engine, relay: dict[str, str]) -> Flask:  # noqa: F811
    app = seeded_app(engine, **relay)  # boss@example.com organizes
    with transaction(engine) as s:
        tag = s.scalars(select(FollowUp.tag).order_by(FollowUp.id.desc())).first()
    unclear = (b"From: Lee <lee@example.org>\r\nTo: intro+f-" + tag.encode() + b"@tally.example\r\n"  # type: ignore[union-attr]
               b"Subject: Re: Did it help?\r\nMessage-ID: <unclear-1@example.org>\r\n\r\nmaybe, hard to say\r\n")
    miss = load("miss_no_words.eml")
    config = intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE})
    store(engine, [arrival(unclear, "lee@example.org", [f"intro+f-{tag}@tally.example"], "127.0.0.1",
                           envelope_id(unclear)),
                   arrival(miss, "sam@example.com", [SERVICE], "127.0.0.1", envelope_id(miss))])
    process_pending(engine, config)
    return app


def test_organizers_see_and_settle_what_waits(app: Flask, engine: Engine, sink: tuple[Sink, int]) -> None:
    client = sign_in(app, sink[0], BOSS)
    page = client.get("/admin/review")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "maybe, hard to say" in page.text and "Thursday" in page.text
    with transaction(engine) as s:
        message_id = s.scalars(select(InboundMessage.id).where(InboundMessage.needs_review.is_(True))).one()
        question_id = s.scalars(select(Question.id)).one()
        before = len(s.scalars(select(Introduction)).all())
    token = csrf_token(page.text)
    assert client.post(f"/admin/review/answers/{message_id}", data={"csrf_token": token, "answer": "not_yet"}
                       ).status_code == 303
    assert client.post(f"/admin/review/questions/{question_id}",
                       data={"csrf_token": token, "action": "log", "person": ["dana@example.net", "lee@example.org"]}
                       ).status_code == 303
    with transaction(engine) as s:
        assert not s.get_one(InboundMessage, message_id).needs_review
        assert s.scalars(select(FollowUp.answer).where(FollowUp.answer == "not_yet")).all()
        assert s.get_one(Question, question_id).answer == QuestionAnswer.LOGGED
        assert len(s.scalars(select(Introduction)).all()) == before + 1
    after = client.get("/admin/review").text
    assert "maybe, hard to say" not in after and after.count("None waiting.") == 3  # held, unclear answers, questions


def test_dismissing_records_nothing(app: Flask, engine: Engine, sink: tuple[Sink, int]) -> None:
    client = sign_in(app, sink[0], BOSS)
    token = csrf_token(client.get("/admin/review").text)
    with transaction(engine) as s:
        message_id = s.scalars(select(InboundMessage.id).where(InboundMessage.needs_review.is_(True))).one()
        question_id = s.scalars(select(Question.id)).one()
    client.post(f"/admin/review/answers/{message_id}", data={"csrf_token": token, "answer": ""})
    client.post(f"/admin/review/questions/{question_id}", data={"csrf_token": token, "action": "dismiss"})
    with transaction(engine) as s:
        assert s.get_one(Question, question_id).answer == QuestionAnswer.DISMISSED
        assert "dismissed by an organizer" in (s.get_one(InboundMessage, message_id).note or "")


def test_only_organizers(app: Flask, sink: tuple[Sink, int]) -> None:
    client = sign_in(app, sink[0], "sam@example.com")
    assert client.get("/admin/review").status_code == 403
