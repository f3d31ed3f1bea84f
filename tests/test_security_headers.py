"""Every page and endpoint, found from the app's own routes, answers with the security
headers: no sniffing, no framing, a Content-Security-Policy that allows nothing from
elsewhere; pages with tokens in their URL are never cached nor sent on as a Referer."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import Engine

from intro import tokens
from tests.seed import seeded_app


@pytest.fixture
def app(engine: Engine) -> Flask:
    return seeded_app(engine, INTRO_WEB_ADMINS="boss@example.com")


def paths(app: Flask) -> list[str]:
    """A concrete URL for every GET route (tokens made for the purpose, ids that exist)."""
    secret = app.config["SECRET_KEY"]
    values = {"token": tokens.make(secret, tokens.ANSWER, 1), "participant_id": "1", "intro_id": "1"}
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", values[name]).replace(f"<int:{name}>", values[name])
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
