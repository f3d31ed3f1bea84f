"""No silent misses, over real sockets: a message to two people that copies the service
but is not recognised comes in over SMTP, its sender is asked by mail (to a real SMTP
sink), "Log it" is pressed, and the introduction counts with its follow-ups due."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, update

from intro import config as intro_config
from intro import privacy, questions
from intro.config import Config
from intro.db import transaction
from intro.models import FollowUp, InboundMessage, Introduction, MailStatus, Person, Question
from intro.stats import counts
from tests.conftest import free_port
from tests.helpers import environ, run_intro
from tests.loop_helpers import SERVICE, Sink, deliver, run
from tests.smtp_helpers import load
from web import create_app

NOW = datetime(2026, 3, 3, 9, 20, tzinfo=UTC)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def config(sink: tuple[Sink, int]) -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(sink[1]), "INTRO_RELAY_SECURITY": "none",
        "INTRO_BASE_URL": "https://intro.example.org", "INTRO_FOLLOWUP_MAX_AGE": "3650d",
    })


def ask(config: Config, engine: Engine, sink: tuple[Sink, int], raw: bytes | None = None) -> str:
    """Deliver a miss and send the question; return the question page's path (with its choice)."""
    deliver(config, engine, raw or load("miss_no_words.eml"))
    assert run(config, engine, datetime.now(UTC)).questions == 1
    [(_, [rcpt], message)] = [r for r in sink[0].received if "introduction?" in str(r[2]["Subject"])]
    assert rcpt == "sam@example.com"
    assert message["Subject"] == 'Was "Thursday" an introduction? (intro)'
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Dana Reyes <dana@example.net>" in text and "Lee Park <lee@example.org>" in text
    found = re.search(r"https://intro\.example\.org(/q/[^\s?]+\?choice=log)", text)
    assert found, text
    return found.group(1)


def press(client: FlaskClient, path: str, **form: str | list[str]) -> tuple[int, str]:
    page = client.get(path)
    token = CSRF.search(page.text)
    assert token, page.text
    reply = client.post(path.split("?")[0], data={"csrf_token": token.group(1), **form})
    return reply.status_code, reply.text


@pytest.fixture
def app(config: Config, engine: Engine) -> Flask:
    return create_app(config, engine)


def test_a_miss_is_asked_about_and_logged(config: Config, engine: Engine, sink: tuple[Sink, int], app: Flask) -> None:
    path = ask(config, engine, sink)
    with transaction(engine) as s:
        note = s.scalars(select(InboundMessage.note)).one()
        assert note.endswith("its sender is asked whether it was an introduction")
        assert s.scalar(select(Introduction.id)) is None
    client = app.test_client()
    shown = client.get(path)
    assert shown.status_code == 200 and "Nothing is recorded until you press" in shown.text
    assert shown.headers["Cache-Control"] == "no-store"
    with transaction(engine) as s:
        assert s.scalar(select(Question.answer)) is None  # opening the page records nothing
    status, page = press(client, path, action="log", person=["dana@example.net", "lee@example.org"])
    assert status == 200 and "Logged" in page
    with transaction(engine) as s:
        intro = s.scalars(select(Introduction)).one()
        assert intro.confirmed_at is not None and intro.introducer.email == "sam@example.com"
        assert sorted(p.person.email for p in intro.parties) == ["dana@example.net", "lee@example.org"]
        due = s.scalars(select(FollowUp.due_at).where(FollowUp.status == MailStatus.PENDING)).all()
        assert len(due) == 2  # its follow-ups, like any other introduction's
        assert counts(s).introductions_confirmed == 1
    # A second press records nothing more.
    status, page = press_again(client, path)
    assert status == 409 and "answered already" in page
    with transaction(engine) as s:
        assert len(s.scalars(select(Introduction)).all()) == 1


def press_again(client: FlaskClient, path: str) -> tuple[int, str]:
    page = client.get(path)
    assert page.status_code == 409  # the page says so before anything is pressed
    reply = client.post(path.split("?")[0], data={"action": "log", "person": ["dana@example.net"]})
    assert reply.status_code == 400  # without the form's token: refused outright
    return page.status_code, page.text


def test_fewer_than_two_people_is_not_an_introduction(config: Config, engine: Engine, sink: tuple[Sink, int],
                                                      app: Flask) -> None:
    path = ask(config, engine, sink)
    status, page = press(app.test_client(), path, action="log", person=["dana@example.net"])
    assert status == 400 and "two or more" in page
    with transaction(engine) as s:
        assert s.scalar(select(Question.answer)) is None


def test_it_was_not_an_introduction(config: Config, engine: Engine, sink: tuple[Sink, int], app: Flask,
                                    tmp_path: object) -> None:
    path = ask(config, engine, sink)
    status, page = press(app.test_client(), path.replace("choice=log", "choice=not"), action="not")
    assert status == 200 and "Noted" in page
    with transaction(engine) as s:
        assert s.scalar(select(Introduction.id)) is None
        assert counts(s).questions_declined == 1
        [row] = list(questions.corrections(s))
    assert row == {"message_id": "miss-1@example.com", "predicted": "other", "corrected": "other",
                   "introducer": None, "parties": [], "at": row["at"]}


def test_forged_and_expired_links_are_refused(config: Config, engine: Engine, sink: tuple[Sink, int],
                                              app: Flask) -> None:
    path = ask(config, engine, sink)
    client = app.test_client()
    forged = client.get(path[:-20] + "x" + path[-19:])
    assert forged.status_code == 404 and "not valid" in forged.text
    with transaction(engine, write=True) as s:
        s.execute(update(Question).values(created_at=datetime.now(UTC) - timedelta(days=31)))
    expired = client.get(path)
    assert expired.status_code == 410 and "closed" in expired.text


def test_never_ask_me_again(config: Config, engine: Engine, sink: tuple[Sink, int], app: Flask) -> None:
    ask(config, engine, sink)
    text = sink[0].received[-1][2].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    never = re.search(r"https://intro\.example\.org(/q/never/\S+)", text)
    assert never
    status, page = press(app.test_client(), never.group(1))
    assert status == 200 and "will not ask you" in page
    deliver(config, engine, load("miss_no_words.eml").replace(b"<miss-1@", b"<miss-2@"))
    with transaction(engine) as s:
        assert len(s.scalars(select(Question)).all()) == 1
        assert s.scalars(select(Person.never_ask_at).where(Person.email == "sam@example.com")).one()


def test_at_most_so_many_questions_a_day(config: Config, engine: Engine) -> None:
    for n in range(5):
        deliver(config, engine, load("miss_no_words.eml").replace(b"<miss-1@", f"<miss-n{n}@".encode()))
    with transaction(engine) as s:
        assert len(s.scalars(select(Question)).all()) == config.recognition.questions_per_day == 3
        notes = s.scalars(select(InboundMessage.note).order_by(InboundMessage.id)).all()
    assert notes[-1].endswith("not asked: 3 questions to its sender today already")


def test_no_question_about_replies_or_automatic_mail(config: Config, engine: Engine) -> None:
    threaded = load("miss_no_words.eml").replace(b"Subject: Thursday", b"Subject: Re: Thursday\r\n"
                                                                       b"In-Reply-To: <earlier@example.com>")
    auto = load("miss_no_words.eml").replace(b"Subject: Thursday", b"Subject: Thursday\r\nAuto-Submitted: auto-replied")
    for n, raw in enumerate((threaded, auto)):
        deliver(config, engine, raw.replace(b"<miss-1@", f"<other-{n}@".encode()))
    with transaction(engine) as s:
        assert s.scalars(select(Question)).all() == []


def test_corrections_export_on_the_command_line(config: Config, engine: Engine, sink: tuple[Sink, int], app: Flask,
                                                db_url: str, tmp_path: object) -> None:
    path = ask(config, engine, sink)
    press(app.test_client(), path, action="log", person=["dana@example.net", "lee@example.org"])
    env = environ(INTRO_DATABASE_URL=db_url, INTRO_SERVICE_ADDRESS=SERVICE)
    out = run_intro("corrections", "export", cwd=tmp_path, env=env)  # type: ignore[arg-type]
    assert out.returncode == 0, out.stderr
    [row] = [json.loads(line) for line in out.stdout.splitlines()]
    assert (row["predicted"], row["corrected"], row["introducer"], row["parties"]) == \
        ("other", "introduction", "sam@example.com", ["dana@example.net", "lee@example.org"])
    stats = json.loads(run_intro("stats", "--json", cwd=tmp_path, env=env).stdout)  # type: ignore[arg-type]
    assert (stats["introductions_confirmed"], stats["questions_declined"]) == (1, 0)


def test_forgetting_someone_erases_them_from_questions(config: Config, engine: Engine) -> None:
    deliver(config, engine, load("miss_no_words.eml"))
    with transaction(engine, write=True) as s:
        privacy.forget(s, "dana@example.net")
    with transaction(engine) as s:
        question = s.scalars(select(Question)).one()
        assert [c["email"] for c in question.candidates] == ["lee@example.org"] and question.subject == "Thursday"
    with transaction(engine, write=True) as s:
        privacy.forget(s, "sam@example.com")
    with transaction(engine) as s:
        assert s.scalars(select(Question.subject)).one() == ""
