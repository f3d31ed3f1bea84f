"""Joining, signing in by mailed link, the personal page and its CSV export.

Links go out over real SMTP (an aiosmtpd sink as the relay) and are followed with
Flask's test client, on each database.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, update

from intro import links, tokens
from intro.config import Config
from intro.db import transaction
from intro.models import Introduction, IntroductionParty, Link, LinkPurpose, Participant, Person
from intro.timeutil import utcnow
from mailer.outbox import send_links
from mailer.render import Renderer
from tests.loop_helpers import Sink
from tests.seed import seeded_app
from tests.test_surveys import Inputs


def csrf_token(page: str) -> str:
    """The page's CSRF token (every form on a page carries the same one)."""
    found = {i["value"] for i in Inputs(page).inputs if i.get("name") == "csrf_token"}
    assert len(found) == 1
    return str(found.pop())


@pytest.fixture
def relay(sink: tuple[Sink, int]) -> dict[str, str]:
    return {"INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(sink[1]), "INTRO_RELAY_SECURITY": "none",
            "INTRO_BASE_URL": "https://intro.example.org", "INTRO_WEB_ADMINS": "boss@example.com"}


@pytest.fixture
def app(engine: Engine, relay: dict[str, str]) -> Flask:
    return seeded_app(engine, **relay)


def config_of(app: Flask) -> Config:
    return app.extensions["intro"]["config"]  # type: ignore[no-any-return]


def mail_links(app: Flask, sink: Sink) -> list[tuple[str, str, str]]:
    """Send what is queued, over SMTP; return (recipient, subject, link path) of each new mail."""
    before = len(sink.received)
    send_links(config_of(app), app.extensions["intro"]["engine"], app.config["SECRET_KEY"], utcnow(), Renderer())
    found = []
    for _, [rcpt], message in sink.received[before:]:
        text = message.get_body(("plain",)).get_content()
        [url] = re.findall(r"https://intro\.example\.org(/\S+)", text)
        found.append((rcpt, str(message["Subject"]), url))
    return found


def ask(client: FlaskClient, path: str, **form: str) -> str:
    """GET the page at ``path`` and POST its form back with ``form``; the response text."""
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(page.text), **form}).text


def follow(client: FlaskClient, path: str) -> tuple[int, str]:
    """Open a mailed link (shows a button, changes nothing), then press the button."""
    page = client.get(path)
    if page.status_code != 200:
        return page.status_code, page.text
    done = client.post(path, data={"csrf_token": csrf_token(page.text)})
    return done.status_code, done.headers.get("Location", "") or done.text


def sign_in(app: Flask, sink: Sink, email: str) -> FlaskClient:
    client = app.test_client()
    ask(client, "/sign-in", email=email)
    [(_, _, path)] = mail_links(app, sink)
    assert follow(client, path) == (303, "/me")
    return client


def test_sign_in_by_mailed_link(app: Flask, sink: tuple[Sink, int]) -> None:
    client = app.test_client()
    said = ask(client, "/sign-in", email="Sam@Example.com")
    assert "If <strong>sam@example.com</strong> is known here, a sign-in link is on its way" in said
    [(rcpt, subject, path)] = mail_links(app, sink[0])
    assert rcpt == "sam@example.com" and subject == "Your sign-in link for intro"
    assert path.startswith("/sign-in/")
    assert "Sign in" in client.get(path).text and "Sam Carter" not in client.get("/me").text  # a GET signs no one in
    assert follow(client, path) == (303, "/me")
    me = client.get("/me").text
    assert "Signed in as <strong>sam@example.com</strong>" in me
    assert "dana@example.net" in me and "Lee Park" in me  # they introduced them: they may see them
    # Single use: the same link again, in another browser.
    status, text = follow(app.test_client(), path)
    assert status == 410 and "This link has been used" in text


def test_the_answer_is_the_same_for_an_unknown_address(app: Flask, sink: tuple[Sink, int]) -> None:
    known = ask(app.test_client(), "/sign-in", email="sam@example.com")
    for email in ("nobody@example.com", "dana@example.net"):  # unknown; only introduced, never signed up
        unknown = ask(app.test_client(), "/sign-in", email=email)
        assert unknown.replace(email, "sam@example.com") == known
    assert [rcpt for rcpt, _, _ in mail_links(app, sink[0])] == ["sam@example.com"]


def test_an_organizer_may_sign_in_before_being_anyone(app: Flask, sink: tuple[Sink, int]) -> None:
    client = sign_in(app, sink[0], "boss@example.com")
    assert "Organizer’s page" in client.get("/me").text


def test_at_most_three_sign_in_links_an_hour_per_address(app: Flask, sink: tuple[Sink, int]) -> None:
    for _ in range(5):
        ask(app.test_client(), "/sign-in", email="sam@example.com")
    assert len(mail_links(app, sink[0])) == links.PER_ADDRESS_PER_HOUR


def test_an_address_that_is_not_one_gets_a_clear_answer(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/sign-in")
    reply = client.post("/sign-in", data={"csrf_token": csrf_token(page.text), "email": "not an address"})
    assert reply.status_code == 400 and "Please enter an email address" in reply.text


def _link(app: Flask, purpose: LinkPurpose, email: str = "sam@example.com", age: timedelta = timedelta()) -> str:
    engine = app.extensions["intro"]["engine"]
    with transaction(engine, write=True) as s:
        link_id = links._queue(s, purpose, email, utcnow(), year=2026)
        assert link_id is not None
        s.execute(update(Link).where(Link.id == link_id).values(created_at=utcnow() - age))
    path = "sign-in" if purpose == LinkPurpose.SIGN_IN else "join"
    return f"/{path}/{tokens.make(app.config['SECRET_KEY'], str(purpose), link_id)}"


def test_an_expired_link_says_so(app: Flask) -> None:
    path = _link(app, LinkPurpose.SIGN_IN, age=timedelta(minutes=31))
    status, text = follow(app.test_client(), path)
    assert status == 410 and "This link has expired" in text and "30 minutes" in text


@pytest.mark.parametrize("tamper", ["cut", "changed", "other_purpose", "answer_token"])
def test_a_tampered_or_misused_link_is_refused(app: Flask, tamper: str) -> None:
    path = _link(app, LinkPurpose.SIGN_IN)
    token = path.rsplit("/", 1)[1]
    secret = app.config["SECRET_KEY"]
    bad = {"cut": f"/sign-in/{token[:-3]}",
           # (not the last character: its low bits are padding, and some changes decode alike)
           "changed": f"/sign-in/{token[:-5]}{'A' if token[-5] != 'A' else 'B'}{token[-4:]}",
           "other_purpose": f"/join/{token}",  # a sign-in link is not a join link
           "answer_token": f"/sign-in/{tokens.make(secret, tokens.ANSWER, 1)}"}[tamper]
    client = app.test_client()
    status, text = follow(client, bad)
    assert status == 404 and "This link is not valid" in text
    assert client.get("/me").status_code == 303  # not signed in


def test_two_clicks_at_once_sign_in_once(app: Flask) -> None:
    path = _link(app, LinkPurpose.SIGN_IN)
    first, second = app.test_client(), app.test_client()
    pages = [c.get(path).text for c in (first, second)]
    results = [c.post(path, data={"csrf_token": csrf_token(p)}).status_code for c, p in zip((first, second), pages,
                                                                                              strict=True)]
    assert sorted(results) == [303, 410]


def test_joining_on_the_web_unlisted(app: Flask, sink: tuple[Sink, int], engine: Engine) -> None:
    client = app.test_client()
    said = ask(client, "/join", email="kim@example.com", name="Kim <b>Lee</b>", listed="no")
    assert "We are sending a link to <strong>kim@example.com</strong>" in said
    [(rcpt, subject, path)] = mail_links(app, sink[0])
    assert rcpt == "kim@example.com" and subject.startswith("Confirm that you are joining intro")
    assert "You will count in the team total only" in client.get(path).text
    assert follow(client, path) == (303, "/me?joined=1")
    assert "Welcome: you have joined" in client.get("/me?joined=1").text
    with transaction(engine) as s:
        joined = s.execute(select(Person.display_name, Participant.listed).join(Participant)
                           .where(Person.email == "kim@example.com")).one()
    assert tuple(joined) == ("Kim <b>Lee</b>", False)
    public = app.test_client().get(f"/?campaign={utcnow().year}")
    assert "Kim" not in public.text


def test_choosing_to_be_listed_later(app: Flask, sink: tuple[Sink, int]) -> None:
    client = sign_in(app, sink[0], "juergen@example.de")  # an unlisted participant of 2026
    me = client.get("/me?campaign=2026").text
    assert "Jürgen" not in app.test_client().get("/?campaign=2026").text
    reply = client.post("/me/listing", data={"csrf_token": csrf_token(me), "campaign": "2026", "listed": "yes"})
    assert reply.status_code == 303
    assert "Jürgen Müller: 1 of 15" in app.test_client().get("/?campaign=2026").text


def test_joining_can_be_by_invitation_only(engine: Engine, relay: dict[str, str], sink: tuple[Sink, int]) -> None:
    app = seeded_app(engine, INTRO_WEB_OPEN_JOIN="false", **relay)
    client = app.test_client()
    assert "Joining is by invitation" in client.get("/join").text
    page = app.test_client().get("/sign-in")  # any form of the site gives this browser a token
    refused = client.post("/join", data={"csrf_token": csrf_token(page.text), "email": "kim@example.com"})
    assert refused.status_code in (400, 403)
    assert mail_links(app, sink[0]) == []


def test_the_csv_export(app: Flask, sink: tuple[Sink, int], engine: Engine) -> None:
    with transaction(engine, write=True) as s:  # a subject and an address a spreadsheet would run as formulas
        s.execute(update(Introduction).where(Introduction.subject == "Dana, meet Lee")
                  .values(subject='=HYPERLINK("x")'))
        s.execute(update(Person).where(Person.email == "kim@example.org").values(email="+kim@example.org"))
        s.execute(update(IntroductionParty).where(IntroductionParty.email == "kim@example.org")
                  .values(email="+kim@example.org"))  # the address the introduction used: the CSV shows it
    client = sign_in(app, sink[0], "sam@example.com")
    reply = client.get("/me/introductions.csv?campaign=2026")
    assert reply.mimetype == "text/csv" and 'filename="introductions-2026.csv"' in reply.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert sorted(r["email"] for r in rows) == ["'+kim@example.org", "dana@example.net", "dana@example.net",
                                                "lee@example.org"]
    assert {r["campaign"] for r in rows} == {"2026"}
    assert any(r["subject"] == "'=HYPERLINK(\"x\")" for r in rows)
    assert all(r["follow_up"] in ("scheduled", "sent", "reminded", "not sent", "none") for r in rows)
    assert app.test_client().get("/me/introductions.csv").status_code == 303  # signed out: sign in first


def test_session_cookie_is_secure_over_https(app: Flask) -> None:
    client = app.test_client()
    reply = client.get("/sign-in")
    cookie = reply.headers["Set-Cookie"]
    assert cookie.startswith("__Host-intro=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Domain" not in cookie and "Path=/" in cookie


def _cookie(client: FlaskClient) -> str:
    [cookie] = [c for c in client._cookies.values() if c.key.endswith("intro")]  # type: ignore[attr-defined]
    return cookie.value  # type: ignore[no-any-return]


def _with_cookie(app: Flask, value: str) -> FlaskClient:
    """A browser holding a copy of someone's session cookie (an attacker's, or a second device)."""
    other = app.test_client()
    other.set_cookie("__Host-intro" if config_of(app).public_url.startswith("https") else "intro", value)
    return other


def test_signing_out(app: Flask, sink: tuple[Sink, int]) -> None:
    client = sign_in(app, sink[0], "sam@example.com")
    me = client.get("/me").text
    copied = _with_cookie(app, _cookie(client))
    assert copied.get("/me").status_code == 200  # the copy signs in, as a cookie does
    assert client.post("/sign-out", data={"csrf_token": csrf_token(me)}).status_code == 303
    assert client.get("/me").status_code == 303
    # The session ended on the server: the old cookie, kept anywhere, signs in no more.
    assert copied.get("/me").status_code == 303


def test_signing_out_everywhere(app: Flask, sink: tuple[Sink, int]) -> None:
    laptop = sign_in(app, sink[0], "sam@example.com")
    phone = sign_in(app, sink[0], "sam@example.com")
    other = sign_in(app, sink[0], "juergen@example.de")
    me = phone.get("/me").text
    assert "Sign out on every device" in me
    assert laptop.get("/me").status_code == 200
    phone.post("/sign-out", data={"csrf_token": csrf_token(me), "everywhere": "yes"})
    assert laptop.get("/me").status_code == 303 and phone.get("/me").status_code == 303
    assert other.get("/me").status_code == 200  # someone else's sessions go on


def test_who_gets_which_link(app: Flask, sink: tuple[Sink, int], engine: Engine) -> None:
    """Someone who opted out still gets the sign-in link they asked for themselves (it is
    not a mailing), but no join link; an address that bounces gets nothing."""
    with transaction(engine, write=True) as s:
        s.execute(update(Person).where(Person.email == "sam@example.com").values(opted_out_at=utcnow()))
        s.execute(update(Person).where(Person.email == "juergen@example.de").values(bouncing_since=utcnow()))
    for email in ("sam@example.com", "juergen@example.de"):
        ask(app.test_client(), "/sign-in", email=email)
        ask(app.test_client(), "/join", email=email)
    assert [(rcpt, subject) for rcpt, subject, _ in mail_links(app, sink[0])] == [
        ("sam@example.com", "Your sign-in link for intro")]
    with transaction(engine) as s:
        reasons = sorted(r for r, in s.execute(select(Link.last_error).where(Link.last_error.is_not(None))))
    assert reasons == ["mail to this address bounces", "mail to this address bounces", "opted out of all mail"]


def test_asking_to_join_in_someones_name_does_not_use_up_their_sign_in(app: Flask, sink: tuple[Sink, int]) -> None:
    for _ in range(5):
        ask(app.test_client(), "/join", email="sam@example.com")
    ask(app.test_client(), "/sign-in", email="sam@example.com")
    sent = [subject for _, subject, _ in mail_links(app, sink[0])]
    assert sent.count("Your sign-in link for intro") == 1 and len(sent) == 1 + links.PER_ADDRESS_PER_HOUR


def test_one_client_may_ask_for_only_so_many_links(app: Flask, sink: tuple[Sink, int]) -> None:
    client = app.test_client()
    for n in range(links.PER_CLIENT_PER_HOUR + 5):
        ask(client, "/join", email=f"person{n}@example.com")
    assert len(mail_links(app, sink[0])) == links.PER_CLIENT_PER_HOUR


def test_the_typed_name_is_not_mailed_to_an_unconfirmed_address(app: Flask, sink: tuple[Sink, int]) -> None:
    ask(app.test_client(), "/join", email="kim@example.com", name="Buy cheap watches at example.biz")
    mail_links(app, sink[0])
    [(_, _, message)] = sink[0].received
    assert "watches" not in message.as_string() and message["To"] == "kim@example.com"


def test_pressing_the_button_twice_lands_on_the_page(app: Flask) -> None:
    path = _link(app, LinkPurpose.SIGN_IN)
    client = app.test_client()
    form = {"csrf_token": csrf_token(client.get(path).text)}
    assert client.post(path, data=form).headers["Location"] == "/me"
    assert client.post(path, data=form).headers["Location"] == "/me"  # the old form token: still fine


def test_join_links_stop_when_joining_closes(engine: Engine, relay: dict[str, str]) -> None:
    open_app = seeded_app(engine, **relay)
    path = _link(open_app, LinkPurpose.JOIN, email="kim@example.com")
    closed = seeded_app_again(engine, relay, INTRO_WEB_OPEN_JOIN="false")
    status, text = follow(closed.test_client(), path)
    assert status == 403 and "Joining is by invitation" in text


def seeded_app_again(engine: Engine, relay: dict[str, str], **more: str) -> Flask:
    from intro import config as intro_config
    from web import create_app
    return create_app(intro_config.load(environ={"INTRO_SERVICE_ADDRESS": "intro@tally.example", **relay, **more}),
                      engine)


def test_confirming_again_says_nothing_changed(app: Flask) -> None:
    path = _link(app, LinkPurpose.JOIN, email="juergen@example.de")  # already a participant of 2026
    assert follow(app.test_client(), path) == (303, "/me?already=1")


@pytest.mark.parametrize("path", ["/?campaign=²", "/?campaign=99999999999999999999", "/?page=²", "/?page=-1",
                                  "/api/tallies?campaign=²", "/api/tallies?campaign=99999999999999999999"])
def test_odd_numbers_in_the_address_are_answered_not_crashed_on(app: Flask, path: str) -> None:
    assert app.test_client().get(path).status_code in (200, 400, 404)


def test_concurrent_requests_stay_within_the_limit(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def ask_once(_: int) -> int | None:
        with transaction(engine, write=True) as s:
            return links.request_sign_in(s, "sam@example.com", utcnow())

    with ThreadPoolExecutor(8) as pool:
        queued = [i for i in pool.map(ask_once, range(16)) if i is not None]
    assert len(queued) == links.PER_ADDRESS_PER_HOUR


def test_hostile_names_and_subjects_are_text_on_ones_own_page(app: Flask, sink: tuple[Sink, int],
                                                              engine: Engine) -> None:
    hostile = '<img src=x onerror="alert(1)">'
    with transaction(engine, write=True) as s:
        s.execute(update(Person).where(Person.email == "lee@example.org").values(display_name=hostile))
        s.execute(update(Introduction).where(Introduction.subject == "Dana, meet Lee").values(subject=hostile))
    page = sign_in(app, sink[0], "sam@example.com").get("/me?campaign=2026").text
    escaped = "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"
    assert hostile not in page and page.count(escaped) == 3  # two subjects, one name


def test_the_forms_say_nothing_about_anyone(app: Flask) -> None:
    """The join and sign-in pages are public: nothing on them comes from the database."""
    for path in ("/join", "/sign-in"):
        page = app.test_client().get(path).text
        for secret in ("sam@", "Sam Carter", "dana@", "Dana", "juergen@"):
            assert secret not in page


def test_behind_a_proxy_the_client_is_the_forwarded_address(engine: Engine, relay: dict[str, str],
                                                            sink: tuple[Sink, int]) -> None:
    app = seeded_app(engine, INTRO_WEB_PROXIES="1", **relay)
    for n in range(links.PER_CLIENT_PER_HOUR):  # one client, through the proxy, uses up its share ...
        client = app.test_client()
        page = client.get("/join", environ_base={"REMOTE_ADDR": "10.0.0.1"})
        client.post("/join", data={"csrf_token": csrf_token(page.text), "email": f"p{n}@example.com"},
                    headers={"X-Forwarded-For": "198.51.100.7"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    other = app.test_client()  # ... and another client behind the same proxy is not held back by it
    page = other.get("/join")
    other.post("/join", data={"csrf_token": csrf_token(page.text), "email": "kim@example.com"},
               headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert len(mail_links(app, sink[0])) == links.PER_CLIENT_PER_HOUR + 1
    with transaction(engine) as s:
        assert set(s.scalars(select(Link.client))) == {"198.51.100.7", "203.0.113.9"}
