"""GET /api/tallies: the public figures, and nothing about the people introduced."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import Engine, select

from core import config as intro_config
from core.answers import record_answer
from core.db import transaction
from core.followups import plan_from
from core.messages import arrival, store
from core.models import AnswerValue, Campaign, FollowUp, Participant, Person
from inbound.headers import message_id
from inbound.processor import process_pending
from tests.smtp_helpers import load
from web import create_app

SERVICE = "intro@tally.example"


@pytest.fixture
def app(engine: Engine) -> Flask:
    config = intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_FOLLOWUP_MAX_AGE": "3650d"})
    raws = [load("plain_introduction.eml"), load("group_introduction_de.eml"),
            load("plain_introduction.eml").replace(b"<intro-1@", b"<intro-2@").replace(b"lee@", b"kim@")
            .replace(b"From: Sam Carter <", b'From: "<script>alert(1)</script>" <')]
    store(engine, [arrival(r, "sam@example.com", [SERVICE], "127.0.0.1", message_id(r)) for r in raws])
    process_pending(engine, (SERVICE,), plan=plan_from(config))
    with transaction(engine, write=True) as s:
        campaign = s.scalars(select(Campaign)).one()
        for email, listed in (("sam@example.com", True), ("juergen@example.de", False)):
            person = s.scalars(select(Person).where(Person.email == email)).one()
            s.add(Participant(person_id=person.id, campaign_id=campaign.id, listed=listed))
        first, second = s.scalars(select(FollowUp).order_by(FollowUp.id)).all()[:2]
        record_answer(s, first.id, AnswerValue.NO, "", source="web")
        record_answer(s, first.id, AnswerValue.HELPED, "", source="web")  # changed: the latest counts
        record_answer(s, second.id, AnswerValue.NOT_YET, "", source="reply")
    return create_app(config, engine)


def test_the_figures(app: Flask) -> None:
    reply = app.test_client().get("/api/tallies?campaign=2026")
    assert reply.status_code == 200
    data = reply.get_json()
    assert (data["year"], data["goal"], data["introductions"]) == (2026, 15, 3)
    assert (data["participants"], data["team_goal"], data["team_count"]) == (2, 30, 3)
    assert data["listed"] == [{"name": "Sam Carter", "count": 2, "goal": 15}]  # Jürgen chose not to be listed
    assert data["people_connected"] == 6
    assert (data["helped"], data["not_yet"], data["did_not_help"], data["helped_share"]) == (1, 1, 0, 0.5)
    assert data["per_month"][0] == 1 and data["per_month"][2] == 2 and sum(data["per_month"]) == 3
    assert data["starts"] == "2026-01-01" and data["earlier"] == []


def test_nothing_about_the_people_introduced(app: Flask) -> None:
    text = app.test_client().get("/api/tallies?campaign=2026").get_data(as_text=True)
    for secret in ("dana", "Dana", "lee@", "Lee Park", "kim@", "anna", "Anna", "Okafor", "chloe", "Chlo"):
        assert secret not in text
    assert "<script>" not in text  # JSON escapes it; and an unlisted or unknown name never appears


def test_bad_and_unknown_campaigns(app: Flask) -> None:
    client = app.test_client()
    bad = client.get("/api/tallies?campaign=twenty")
    assert bad.status_code == 400 and "must be a year" in bad.get_json()["error"]
    missing = client.get("/api/tallies?campaign=1999")
    assert missing.status_code == 404 and "no campaign for 1999" in missing.get_json()["error"]
    assert json.loads(client.get("/api/tallies?campaign=2026").get_data())["year"] == 2026
