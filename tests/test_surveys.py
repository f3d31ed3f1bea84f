"""The pages behind the follow-up mail's links (web.surveys), through Flask's test client, on each database."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from sqlalchemy import Engine, select
from werkzeug.test import TestResponse

from intro import config as intro_config
from intro import tokens
from intro.db import transaction
from intro.models import Answer, Campaign, FollowUp, Introduction, IntroductionParty, MailStatus, Person
from intro.timeutil import utcnow
from web import create_app

HOSTILE = "<script>alert(1)</script>"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}  # RFC 8058 section 3.1


@dataclass(frozen=True)
class Intro:
    followup: int  # Dana's follow-up
    other_followup: int  # Lee's, about the same introduction
    person: int  # Dana


def introduce(engine: Engine, introducer: str = "Sam Jones", other: str = "Lee Park",
              subject: str = "Dana, meet Lee") -> Intro:
    """Sam introduced Dana and Lee; both were sent a follow-up."""
    sent = datetime(2026, 3, 16, 9, tzinfo=UTC)
    with transaction(engine, write=True) as session:
        dana = Person(email="dana@example.com", display_name="Dana Smith")
        intro = Introduction(
            campaign=Campaign(year=2026), introducer=Person(email="sam@example.com", display_name=introducer),
            subject=subject, made_at=datetime(2026, 3, 2, 14, tzinfo=UTC),
            parties=[IntroductionParty(person=dana, email=dana.email),
                     IntroductionParty(person=Person(email="lee@example.com", display_name=other),
                                       email="lee@example.com")],
        )
        followups = [FollowUp(party=party, tag=f"tag{i}", due_at=sent, sent_at=sent, status=MailStatus.SENT)
                     for i, party in enumerate(intro.parties)]
        session.add_all([intro, *followups])
        session.flush()
        return Intro(followups[0].id, followups[1].id, dana.id)


@pytest.fixture
def app(engine: Engine) -> Flask:
    return create_app(intro_config.load(environ={}), engine)


@pytest.fixture
def intro(engine: Engine) -> Intro:
    return introduce(engine)


def token(app: Flask, purpose: str, subject_id: int, age: timedelta = timedelta(0)) -> str:
    """A token as the mailer makes it, signed ``age`` ago (itsdangerous's clock patched, no sleeping)."""
    then = int((utcnow() - age).timestamp())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda _self: then)
        return tokens.make(app.config["SECRET_KEY"], purpose, subject_id)


def answer_url(app: Flask, followup: int, **kwargs: timedelta) -> str:
    return f"/a/{token(app, tokens.ANSWER, followup, **kwargs)}"


def unsubscribe_url(app: Flask, person: int, **kwargs: timedelta) -> str:
    return f"/u/{token(app, tokens.UNSUBSCRIBE, person, **kwargs)}"


class Inputs(HTMLParser):
    """The <input> elements of a page, as attribute dicts."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.inputs.append(dict(attrs))


def checked(page: str) -> list[str | None]:
    return [i["value"] for i in Inputs(page).inputs if i.get("type") == "radio" and "checked" in i]


def csrf_token(page: str) -> str:
    [value] = [i["value"] for i in Inputs(page).inputs if i.get("name") == "csrf_token"]
    assert value
    return value


def answers(engine: Engine) -> list[tuple[int, str, str, str]]:
    with transaction(engine) as session:
        rows = session.scalars(select(Answer).order_by(Answer.id))
        return [(a.followup_id, a.value.value, a.comment, a.source) for a in rows]


def opted_out(engine: Engine, person: int) -> bool:
    with transaction(engine) as session:
        return session.get_one(Person, person).opted_out_at is not None


def submit(client: FlaskClient, url: str, answer: str, comment: str = "") -> TestResponse:
    page = client.get(url)
    return client.post(url, data={"answer": answer, "comment": comment, "csrf_token": csrf_token(page.text)})


# Answering

@pytest.mark.parametrize("value", ["helped", "not_yet", "no"])
def test_get_preselects_the_answer_and_records_nothing(app: Flask, engine: Engine, intro: Intro, value: str) -> None:
    page = app.test_client().get(f"{answer_url(app, intro.followup)}?answer={value}")
    assert page.status_code == 200
    assert checked(page.text) == [value]
    assert "Sam Jones" in page.text and "Lee Park" in page.text and "Dana, meet Lee" in page.text
    assert "2 March 2026" in page.text
    assert "Nothing is recorded until you press the button" in page.text  # and nothing was
    assert answers(engine) == []


@pytest.mark.parametrize("query", ["", "?answer=", "?answer=maybe", "?answer=HELPED"])
def test_no_or_unknown_answer_preselects_nothing(app: Flask, engine: Engine, intro: Intro, query: str) -> None:
    page = app.test_client().get(answer_url(app, intro.followup) + query)
    assert page.status_code == 200 and checked(page.text) == []
    assert answers(engine) == []


def test_the_page_is_accessible(app: Flask, intro: Intro) -> None:
    page = app.test_client().get(answer_url(app, intro.followup)).text
    assert "<fieldset" in page and "<legend>" in page
    for field in Inputs(page).inputs:
        if field.get("type") != "hidden":
            assert f'<label class="choice" for="{field["id"]}">' in page
    assert '<label for="comment">' in page and '<textarea id="comment"' in page
    assert '<meta name="viewport"' in page and '<meta name="robots" content="noindex">' in page


def test_post_records_the_answer(app: Flask, engine: Engine, intro: Intro) -> None:
    url = answer_url(app, intro.followup)
    done = submit(app.test_client(), url, "helped", "  We met twice.  ")
    assert done.status_code == 200
    assert "Thank you" in done.text and "It helped" in done.text
    assert f'href="{url}"' in done.text  # a way to change it
    assert answers(engine) == [(intro.followup, "helped", "We met twice.", "web")]


def test_a_second_post_changes_the_answer_and_both_are_kept(app: Flask, engine: Engine, intro: Intro) -> None:
    client, url = app.test_client(), answer_url(app, intro.followup)
    assert submit(client, url, "not_yet").status_code == 200
    assert submit(client, url, "helped", "It worked out").status_code == 200
    assert answers(engine) == [
        (intro.followup, "not_yet", "", "web"), (intro.followup, "helped", "It worked out", "web"),
    ]
    # Back on the page: the current answer is shown and preselected, and can be changed...
    page = client.get(url).text
    assert checked(page) == ["helped"] and "You already answered" in page and "It worked out" in page
    # ...but the link's own answer wins the preselection.
    assert checked(client.get(f"{url}?answer=no").text) == ["no"]
    assert len(answers(engine)) == 2


@pytest.mark.parametrize("sent", [None, "", "not-the-token"])
def test_a_post_without_the_csrf_token_is_refused(app: Flask, engine: Engine, intro: Intro, sent: str | None) -> None:
    client, url = app.test_client(), answer_url(app, intro.followup)
    client.get(url)  # the session has a token; the POST does not carry it
    data = {"answer": "no"} | ({} if sent is None else {"csrf_token": sent})
    refused = client.post(url, data=data)
    assert refused.status_code == 400
    assert "Please send the form again" in refused.text and "Nothing was recorded" in refused.text
    assert f'href="{url}?answer=no"' in refused.text  # back to the page, with their choice
    assert answers(engine) == []


def test_a_csrf_token_from_another_session_is_refused(app: Flask, engine: Engine, intro: Intro) -> None:
    url = answer_url(app, intro.followup)
    stolen = csrf_token(app.test_client().get(url).text)
    refused = app.test_client().post(url, data={"answer": "no", "csrf_token": stolen})
    assert refused.status_code == 400 and answers(engine) == []


@pytest.mark.parametrize("value", [None, "", "maybe"])
def test_a_post_without_an_answer_asks_again(app: Flask, engine: Engine, intro: Intro, value: str | None) -> None:
    client, url = app.test_client(), answer_url(app, intro.followup)
    data = {"comment": "kept", "csrf_token": csrf_token(client.get(url).text)}
    if value is not None:
        data["answer"] = value
    again = client.post(url, data=data)
    assert again.status_code == 400
    assert 'role="alert"' in again.text and "Please choose one of the answers" in again.text
    assert ">kept</textarea>" in again.text
    assert answers(engine) == []


def test_control_characters_in_a_comment_are_dropped(app: Flask, engine: Engine, intro: Intro) -> None:
    # PostgreSQL text cannot hold NUL: a 500 there unless the page cleans the comment.
    done = submit(app.test_client(), answer_url(app, intro.followup), "no", "a\x00b\r\nc\x1b")
    assert done.status_code == 200
    assert answers(engine) == [(intro.followup, "no", "ab\nc", "web")]


# Links that cannot be used

def tampered_signature(app: Flask, intro: Intro) -> str:
    payload, stamp, signature = token(app, tokens.ANSWER, intro.followup).split(".")
    return f"/a/{payload}.{stamp}.{('B' if signature[0] == 'A' else 'A') + signature[1:]}"


def tampered_payload(app: Flask, intro: Intro) -> str:
    # Lee's follow-up id under the signature made for Dana's.
    other = token(app, tokens.ANSWER, intro.other_followup).split(".")[0]
    return f"/a/{other}.{'.'.join(token(app, tokens.ANSWER, intro.followup).split('.')[1:])}"


BAD_LINKS: dict[str, tuple[Callable[[Flask, Intro], str], str]] = {
    "tampered signature": (tampered_signature, "This link is not valid"),
    "tampered payload": (tampered_payload, "This link is not valid"),
    "garbage": (lambda app, intro: "/a/not-a-token", "This link is not valid"),
    "another secret": (lambda app, intro: "/a/" + tokens.make("x" * 40, tokens.ANSWER, intro.followup),
                       "This link is not valid"),
    "expired": (lambda app, intro: answer_url(app, intro.followup, age=tokens.ANSWER_LIFETIME + timedelta(days=1)),
                "This link has expired"),
    "unsubscribe token on /a/": (lambda app, intro: f"/a/{token(app, tokens.UNSUBSCRIBE, intro.followup)}",
                                 "an unsubscribe link, not an answer link"),
    "answer token on /u/": (lambda app, intro: f"/u/{token(app, tokens.ANSWER, intro.person)}",
                            "an answer link, not an unsubscribe link"),
}


@pytest.mark.parametrize("case", BAD_LINKS)
def test_a_bad_link_gets_a_page_that_explains(app: Flask, engine: Engine, intro: Intro, case: str) -> None:
    make, explanation = BAD_LINKS[case]
    client, url = app.test_client(), make(app, intro)
    page = client.get(url)
    assert page.status_code == 400 and explanation in page.text
    # Posting to it, with a valid form, records nothing either.
    form = csrf_token(client.get(answer_url(app, intro.followup)).text)
    posted = client.post(url, data={"answer": "helped", "csrf_token": form})
    assert posted.status_code == 400 and explanation in posted.text
    assert answers(engine) == [] and not opted_out(engine, intro.person)


def test_an_answer_link_works_until_it_expires(app: Flask, intro: Intro) -> None:
    url = answer_url(app, intro.followup, age=tokens.ANSWER_LIFETIME - timedelta(days=1))
    assert app.test_client().get(url).status_code == 200


def test_an_unknown_followup_is_404(app: Flask, engine: Engine, intro: Intro) -> None:
    client, url = app.test_client(), answer_url(app, intro.followup + 1000)
    page = client.get(url)
    assert page.status_code == 404 and "This question no longer exists" in page.text
    form = csrf_token(client.get(answer_url(app, intro.followup)).text)
    assert client.post(url, data={"answer": "no", "csrf_token": form}).status_code == 404
    assert answers(engine) == []


def test_a_post_to_no_page_is_404_not_a_csrf_error(app: Flask) -> None:
    assert app.test_client().post("/nowhere").status_code == 404


# Unsubscribing

def test_the_unsubscribe_page_changes_nothing(app: Flask, engine: Engine, intro: Intro) -> None:
    page = app.test_client().get(unsubscribe_url(app, intro.person))
    assert page.status_code == 200
    assert "never send mail of any kind" in page.text
    assert "for good" in page.text and "dana@example.com" in page.text
    assert '<button type="submit"' in page.text
    assert not opted_out(engine, intro.person)


def test_the_survey_page_links_to_unsubscribing(app: Flask, intro: Intro) -> None:
    page = app.test_client().get(answer_url(app, intro.followup)).text
    # The token carries the second it was made: compared by what it says, not by its text.
    [link] = re.findall(r'href="/u/([^"]+)"', page)
    assert tokens.read(app.config["SECRET_KEY"], tokens.UNSUBSCRIBE, link) == intro.person


def test_unsubscribing_with_the_pages_form(app: Flask, engine: Engine, intro: Intro) -> None:
    client, url = app.test_client(), unsubscribe_url(app, intro.person)
    form = {"csrf_token": csrf_token(client.get(url).text)}
    done = client.post(url, data=form)
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert opted_out(engine, intro.person)
    assert "already unsubscribed" in client.get(url).text
    assert client.post(url, data=form).status_code == 200  # twice is fine


def test_unsubscribing_without_the_csrf_token_is_refused(app: Flask, engine: Engine, intro: Intro) -> None:
    client, url = app.test_client(), unsubscribe_url(app, intro.person)
    client.get(url)
    refused = client.post(url, data={})
    assert refused.status_code == 400 and f'href="{url}"' in refused.text
    assert not opted_out(engine, intro.person)


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_rfc_8058_one_click_post_unsubscribes(app: Flask, engine: Engine, intro: Intro, content_type: str) -> None:
    client = app.test_client()  # a mail provider's server: no cookie, no CSRF token
    reply = client.post(unsubscribe_url(app, intro.person), data=ONE_CLICK, content_type=content_type)
    assert reply.status_code == 200
    assert opted_out(engine, intro.person)
    assert client.get_cookie("session") is None


@pytest.mark.parametrize(("data", "content_type"), [
    ({"List-Unsubscribe": "One-Click", "more": "x"}, "application/x-www-form-urlencoded"),
    ({"List-Unsubscribe": ["One-Click", "One-Click"]}, "application/x-www-form-urlencoded"),
    ({"List-Unsubscribe": "one-click"}, "application/x-www-form-urlencoded"),
    ({"List-Unsubscribe": "Yes"}, "application/x-www-form-urlencoded"),
    ({}, "application/x-www-form-urlencoded"),
    ('{"List-Unsubscribe": "One-Click"}', "application/json"),
    ("List-Unsubscribe=One-Click", "text/plain"),
])
def test_anything_but_the_one_click_body_needs_the_csrf_token(app: Flask, engine: Engine, intro: Intro,
                                                              data: object, content_type: str) -> None:
    reply = app.test_client().post(unsubscribe_url(app, intro.person), data=data, content_type=content_type)
    assert reply.status_code == 400
    assert not opted_out(engine, intro.person)


def test_the_one_click_body_does_not_answer(app: Flask, engine: Engine, intro: Intro) -> None:
    reply = app.test_client().post(answer_url(app, intro.followup), data=ONE_CLICK)
    assert reply.status_code == 400 and answers(engine) == []


def test_one_click_with_a_bad_link_is_refused(app: Flask, engine: Engine, intro: Intro) -> None:
    url = unsubscribe_url(app, intro.person)
    reply = app.test_client().post(url[:-3] + "xyz", data=ONE_CLICK)
    assert reply.status_code == 400 and not opted_out(engine, intro.person)


def test_an_unsubscribe_link_never_expires(app: Flask, engine: Engine, intro: Intro) -> None:
    url = unsubscribe_url(app, intro.person, age=timedelta(days=3650))
    assert app.test_client().get(url).status_code == 200
    assert app.test_client().post(url, data=ONE_CLICK).status_code == 200
    assert opted_out(engine, intro.person)


def test_an_unknown_person_is_404(app: Flask, intro: Intro) -> None:
    url = unsubscribe_url(app, intro.person + 1000)
    page = app.test_client().get(url)
    assert page.status_code == 404 and "There is nothing to unsubscribe" in page.text
    assert app.test_client().post(url, data=ONE_CLICK).status_code == 404


# Safety

def test_hostile_names_and_comments_are_shown_as_text(app: Flask, engine: Engine) -> None:
    intro = introduce(engine, introducer=HOSTILE, other=HOSTILE, subject=f"</bdi>{HOSTILE}")
    client, url = app.test_client(), answer_url(app, intro.followup)
    submit(client, url, "helped", f"</textarea>{HOSTILE}")
    page = client.get(url).text
    assert "<script" not in page and "</textarea><" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5  # introducer twice, other, subject, comment


def test_security_headers_on_every_page(app: Flask, intro: Intro) -> None:
    client = app.test_client()
    answer, unsubscribe = answer_url(app, intro.followup), unsubscribe_url(app, intro.person)
    replies = [
        client.get(answer), submit(client, answer, "no"), client.post(answer, data={"answer": "no"}),
        client.get("/a/bad"), client.get(answer_url(app, intro.followup + 1000)),
        client.get(unsubscribe), client.post(unsubscribe, data=ONE_CLICK),
    ]
    for reply in replies:
        assert reply.headers["Cache-Control"] == "no-store"
        assert reply.headers["Referrer-Policy"] == "no-referrer"
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        policy = reply.headers["Content-Security-Policy"]
        for directive in ("default-src 'none'", "form-action 'self'", "frame-ancestors 'none'"):
            assert directive in policy
        assert '<meta name="robots" content="noindex">' in reply.text
    assert [r.status_code for r in replies] == [200, 200, 400, 400, 404, 200, 200]
