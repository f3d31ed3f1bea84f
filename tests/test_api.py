"""GET /api/tallies: the public figures, and nothing about the people introduced."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import Engine

from tests.seed import seeded_app

SERVICE = "intro@tally.example"


@pytest.fixture
def app(engine: Engine) -> Flask:
    return seeded_app(engine)


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
