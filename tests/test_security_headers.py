"""Every page and endpoint, found from the app's own routes, answers with the security
headers: no sniffing, no framing, a Content-Security-Policy that allows nothing from
elsewhere; pages with tokens in their URL are never cached nor sent on as a Referer."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import Engine, select

from intro import config as intro_config
from intro import sessions, tokens
from intro.db import transaction
from intro.models import Person
from intro.timeutil import utcnow
from tests.seed import seeded_app
from web import create_app


@pytest.fixture
def app(engine: Engine) -> Flask:
    return seeded_app(engine, INTRO_WEB_ADMINS="boss@example.com")


def paths(app: Flask) -> list[str]:
    """A concrete URL for every GET route (tokens made for the purpose, ids that exist)."""
    secret = app.config["SECRET_KEY"]
    values = {"token": tokens.make(secret, tokens.ANSWER, 1), "participant_id": "1", "intro_id": "1",
              "endpoint_id": "1"}
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", values[name]).replace(f"<id:{name}>", values[name])
        found.append(path)
    return sorted(found)


def test_every_route_is_covered(app: Flask) -> None:
    found = paths(app)
    for expected in ("/", "/api/tallies", "/api/introductions", "/healthz", "/join", "/sign-in", "/me", "/admin",
                     "/me/introductions.csv", "/admin/introductions.csv", "/me/data.json"):
        assert expected in found


def test_security_headers_everywhere(app: Flask) -> None:
    client = app.test_client()
    for path in [*paths(app), "/no-such-page"]:
        response = client.get(path)
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, path
        assert "script-src" not in csp, path  # no scripts at all
        if path.startswith(("/a/", "/u/", "/sign-in/", "/join/")):
            assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer", path


def test_strict_transport_security_only_over_https(engine: Engine) -> None:
    over_https = create_app(intro_config.load(environ={"INTRO_BASE_URL": "https://intro.example.org"}), engine)
    for path in ("/", "/no-such-page", "/sign-in"):
        assert over_https.test_client().get(path).headers["Strict-Transport-Security"] == "max-age=31536000"
    plain = create_app(intro_config.load(environ={}), engine)
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers


@pytest.mark.parametrize("number", ["99999999999999999999999", str(2**31), str(2**63), "0"])
def test_ids_the_database_cannot_hold_are_not_found(app: Flask, number: str) -> None:
    """Every route with a row id in its path, signed in as an organizer: an id beyond the
    database's integer is no such row (404), not an error (500)."""
    client = app.test_client()
    with transaction(app.extensions["intro"]["engine"], write=True) as db:
        sam = db.scalars(select(Person).where(Person.email == "sam@example.com")).one()
        token = sessions.start(db, sam.id, utcnow())
    with client.session_transaction() as cookie:
        cookie["session"] = token
    with_ids = [r for r in app.url_map.iter_rules() if "<id:" in r.rule]
    assert len(with_ids) >= 4
    for rule in with_ids:
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<id:{name}>", number)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            assert client.open(path, method=method).status_code == 404, (method, path)
