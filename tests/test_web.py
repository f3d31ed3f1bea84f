"""The web app through Flask's test client, on each database."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import Engine

from intro import config as intro_config
from intro.db import make_engine
from intro.messages import arrival, store
from web import create_app


@pytest.fixture
def app(engine: Engine) -> Flask:
    return create_app(intro_config.load(environ={}), engine)


def test_index_before_any_introduction(app: Flask, engine: Engine) -> None:
    store(engine, [arrival(b"Subject: x\r\n\r\nx\r\n", "", ["intro@localhost"], "127.0.0.1", None)])
    page = app.test_client().get("/")
    assert page.status_code == 200
    assert "No introductions yet" in page.text


def test_healthz_is_ok_when_the_database_answers(app: Flask) -> None:
    reply = app.test_client().get("/healthz")
    assert (reply.status_code, reply.text) == (200, "ok\n")


def test_healthz_is_503_when_the_database_does_not_answer(app: Flask, tmp_path) -> None:
    # A real failure: a database file inside a directory that does not exist.
    app.extensions["intro"]["engine"] = make_engine(f"sqlite:///{tmp_path}/missing/dir/x.db")
    reply = app.test_client().get("/healthz")
    assert reply.status_code == 503 and "database unavailable" in reply.text


def test_secret_key_comes_from_the_database_when_not_configured(engine: Engine) -> None:
    first = create_app(intro_config.load(environ={}), engine).secret_key
    second = create_app(intro_config.load(environ={}), engine).secret_key
    assert first and first == second
    configured = create_app(intro_config.load(environ={"INTRO_SECRET_KEY": "k" * 40}), engine)
    assert configured.secret_key == "k" * 40
