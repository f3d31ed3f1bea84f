"""The language of the pages (web.language), through Flask's test client, on each database:
the browser's Accept-Language, a choice kept in the session, and a choice made on a page
about one person kept as theirs. No catalog is needed: what is checked is <html lang>,
the stored choice, and the dates, which come from CLDR whatever the catalogs hold."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from intro import config as intro_config
from intro import tokens
from intro.db import transaction
from intro.models import Campaign, ConsentAsk, Participant, Person, Question
from tests.test_surveys import Intro, answer_url, introduce, unsubscribe_url
from web import create_app


@pytest.fixture
def app(engine: Engine) -> Flask:
    return create_app(intro_config.load(environ={}), engine)


@pytest.fixture
def intro(engine: Engine) -> Intro:
    return introduce(engine)  # Sam introduced Dana and Lee on 2 March 2026


def lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]*)"', page)
    assert found, page[:200]
    return found[1]


def person_token(page: str) -> str:
    """The signed token of the language form, on a page about one person."""
    found = re.search(r'<input type="hidden" name="person" value="([^"]+)">', page)
    assert found, "no person in the language form"
    return found[1]


def choose(client: FlaskClient, language: str, back: str, person: str = "") -> None:
    form = {"language": language, "next": back, **({"person": person} if person else {})}
    reply = client.post("/language", data=form)
    assert reply.status_code == 303 and reply.headers["Location"].endswith(back)


def chosen(engine: Engine, person_id: int) -> str | None:
    with transaction(engine) as db:
        return db.scalar(select(Person.language).where(Person.id == person_id))


def test_accept_language_names_the_page_language(app: Flask, intro: Intro) -> None:
    client = app.test_client()
    for path in ("/", "/join", "/sign-in", answer_url(app, intro.followup), unsubscribe_url(app, intro.person)):
        assert lang(client.get(path, headers={"Accept-Language": "nl"}).text) == "nl", path
        assert lang(client.get(path, headers={"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"}).text) == "pt", path
        assert lang(client.get(path, headers={"Accept-Language": "ja"}).text) == "en", path  # not written in: English
        assert lang(client.get(path).text) == "en", path
    # The dates are the language's (CLDR), whatever the catalogs hold.
    page = client.get(answer_url(app, intro.followup), headers={"Accept-Language": "nl"}).text
    assert "2 maart 2026" in page and "March" not in page
    assert "2 March 2026" in client.get(answer_url(app, intro.followup)).text


def test_the_language_form_is_on_every_page(app: Flask, intro: Intro) -> None:
    client = app.test_client()
    page = client.get("/", headers={"Accept-Language": "de"}).text
    assert 'action="/language"' in page and '<option value="de" lang="de" selected>Deutsch</option>' in page
    assert 'type="hidden" name="person"' not in page  # the public page is nobody's
    assert person_token(client.get(answer_url(app, intro.followup)).text)


def test_a_choice_on_a_public_page_is_kept_in_the_session_only(app: Flask, engine: Engine, intro: Intro) -> None:
    client = app.test_client()
    choose(client, "fr", "/join")
    assert lang(client.get("/join", headers={"Accept-Language": "nl"}).text) == "fr"  # the choice beats the browser
    assert lang(client.get(answer_url(app, intro.followup)).text) == "fr"  # in this browser, everywhere
    assert chosen(engine, intro.person) is None  # nobody's: no page was about them
    assert lang(app.test_client().get("/join").text) == "en"  # another browser knows nothing of it


def test_a_choice_on_the_answer_page_is_the_persons(app: Flask, engine: Engine, intro: Intro) -> None:
    url = answer_url(app, intro.followup)
    client = app.test_client()
    page = client.get(url, headers={"Accept-Language": "nl"}).text
    assert lang(page) == "nl"
    choose(client, "it", url, person_token(page))
    assert chosen(engine, intro.person) == "it"
    assert lang(client.get(url).text) == "it"
    # Later, in a browser that never chose: Dana's pages open in her choice, not the browser's.
    fresh = app.test_client()
    assert lang(fresh.get(url, headers={"Accept-Language": "nl"}).text) == "it"
    assert lang(fresh.get(unsubscribe_url(app, intro.person), headers={"Accept-Language": "nl"}).text) == "it"
    never = f"/n/{tokens.make(app.config['SECRET_KEY'], tokens.NEVER_RECORD, intro.person)}"
    assert lang(fresh.get(never).text) == "it"
    # Lee's page is Lee's: Dana's choice is not his.
    assert lang(fresh.get(answer_url(app, intro.other_followup), headers={"Accept-Language": "nl"}).text) == "nl"
    # The answer itself: the thank-you page follows her choice too.
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', fresh.get(url).text)
    assert csrf
    form = {"answer": "helped", "csrf_token": csrf[1]}
    done = fresh.post(url, data=form, headers={"Accept-Language": "nl"})
    assert done.status_code == 200 and lang(done.text) == "it"


def test_a_choice_on_one_persons_page_is_not_anothers(app: Flask, engine: Engine, intro: Intro) -> None:
    client = app.test_client()
    dana = person_token(client.get(answer_url(app, intro.followup)).text)
    lee_page = client.get(answer_url(app, intro.other_followup)).text
    choose(client, "es", answer_url(app, intro.other_followup), person_token(lee_page))
    with transaction(engine) as db:
        lee = db.scalars(select(Person.id).where(Person.email == "lee@example.com")).one()
    assert chosen(engine, lee) == "es" and chosen(engine, intro.person) is None
    assert dana != person_token(lee_page)


def test_a_forged_person_token_changes_nobodys_language(app: Flask, engine: Engine, intro: Intro) -> None:
    client = app.test_client()
    forged = tokens.make("not the secret", "language", intro.person)
    choose(client, "de", "/", forged)
    choose(client, "de", "/", tokens.make(app.config["SECRET_KEY"], tokens.ANSWER, intro.person))  # another purpose
    assert chosen(engine, intro.person) is None
    assert lang(client.get("/").text) == "de"  # still this browser's choice


def test_each_page_about_one_person_opens_in_their_language(app: Flask, engine: Engine, intro: Intro) -> None:
    """The pace note's page (the participant's), an ask's answer page (the person asked's)
    and its send page (the introducer's), the question page (its sender's)."""
    with transaction(engine, write=True) as db:
        dana, sam, lee = (db.scalars(select(Person).where(Person.email == f"{name}@example.com")).one()
                          for name in ("dana", "sam", "lee"))
        dana.language, sam.language, lee.language = "fr", "de", None
        campaign = db.scalars(select(Campaign)).one()
        participant = Participant(person_id=sam.id, campaign_id=campaign.id)
        ask = ConsentAsk(introducer_id=sam.id, asked_id=dana.id, asked_email=dana.email, other_id=lee.id,
                         other_email=lee.email, subject="Coffee?", created_at=datetime(2026, 3, 2, tzinfo=UTC))
        question = Question(person_id=sam.id, subject="Lunch", candidates=[{"email": dana.email, "name": "Dana"}],
                            predicted="other", made_at=datetime(2026, 3, 2, tzinfo=UTC), tag="question1")
        db.add_all([participant, ask, question])
        db.flush()
        ids = {"pace": participant.id, "ask": ask.id, "question": question.id, "dana": dana.id, "sam": sam.id}
    secret = app.config["SECRET_KEY"]
    pages = {f"/pace/{tokens.make(secret, tokens.PACE, ids['pace'])}": ("de", ids["sam"]),
             f"/c/{tokens.make(secret, tokens.CONSENT, ids['ask'])}": ("fr", ids["dana"]),
             f"/c/send/{tokens.make(secret, tokens.CONSENT_SEND, ids['ask'])}": ("de", ids["sam"]),
             f"/q/{tokens.make(secret, tokens.QUESTION, ids['question'])}": ("de", ids["sam"])}
    dates = {"fr": "2 mars 2026", "de": "2. März 2026"}  # the ask's and the question's day, in their language
    for path, (expected, whose) in pages.items():
        client = app.test_client()
        page = client.get(path, headers={"Accept-Language": "nl"})
        assert page.status_code == 200 and lang(page.text) == expected, path
        if path.startswith(("/c/", "/q/")) and "/send/" not in path:
            assert dates[expected] in page.text, path
        choose(client, "pt", path, person_token(page.text))  # chosen there: kept as theirs
        assert chosen(engine, whose) == "pt", path
        assert lang(client.get(path).text) == "pt", path
        with transaction(engine, write=True) as db:
            db.get_one(Person, whose).language = expected  # as it was, for the next page
