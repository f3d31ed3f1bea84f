"""The organizer's pages and the admin-only API: organizers see everything, nobody else does."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import Engine, select, update

from intro.db import transaction
from intro.models import Participant, Person
from tests.loop_helpers import Sink
from tests.seed import seeded_app
from tests.test_account import csrf_token, follow, mail_links, relay, sign_in  # noqa: F401  (relay: a fixture)

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def app(engine: Engine, relay: dict[str, str]) -> Flask:  # noqa: F811
    return seeded_app(engine, **relay)


def test_signed_out_the_organizer_pages_ask_to_sign_in(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/admin").headers["Location"] == "/sign-in"
    reply = client.get("/api/introductions?campaign=2026")
    assert reply.status_code == 401 and "sign in first" in reply.json["error"]


def test_a_participant_who_is_not_an_organizer_is_refused(app: Flask, sink: tuple[Sink, int]) -> None:
    client = sign_in(app, sink[0], "sam@example.com")
    page = client.get("/admin")
    assert page.status_code == 403 and "For organizers only" in page.text
    assert "dana@example.net" not in page.text
    assert client.get("/api/introductions?campaign=2026").status_code == 403
    me = client.get("/me").text
    assert client.post("/admin/participants/1/hidden", data={"csrf_token": csrf_token(me), "hidden": "yes"}
                       ).status_code == 403
    assert client.post("/admin/invite", data={"csrf_token": csrf_token(me), "emails": "x@example.com"}
                       ).status_code == 403


def test_an_organizer_sees_everyone_and_every_introduction(app: Flask, sink: tuple[Sink, int],
                                                           engine: Engine) -> None:
    with transaction(engine, write=True) as s:  # display names come from mail headers anyone writes
        s.execute(update(Person).where(Person.email == "lee@example.org").values(display_name=HOSTILE))
    client = sign_in(app, sink[0], "boss@example.com")
    page = client.get("/admin?campaign=2026").text
    for shown in ("sam@example.com", "juergen@example.de", "dana@example.net", "not shown (their choice)"):
        assert shown in page
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the hostile name, as text
    reply = client.get("/api/introductions?campaign=2026&limit=2")
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    data = reply.json
    assert [i["id"] for i in data["introductions"]] == [3, 2]
    assert data["introductions"][0]["introducer"]["email"] == "sam@example.com"
    assert {p["email"] for p in data["introductions"][0]["parties"]} == {"dana@example.net", "kim@example.org"}
    rest = client.get(data["next"]).json
    assert [i["id"] for i in rest["introductions"]] == [1] and rest["next"] is None
    for bad in ("after=x", "limit=0", "limit=²", "campaign=99999999999"):
        assert client.get(f"/api/introductions?{bad}").status_code == 400


def test_an_organizer_hides_an_entry_from_the_public_page(app: Flask, sink: tuple[Sink, int],
                                                         engine: Engine) -> None:
    assert "Sam Carter" in app.test_client().get("/?campaign=2026").text
    client = sign_in(app, sink[0], "boss@example.com")
    with transaction(engine) as s:
        sam = s.scalar(select(Participant.id).join(Person).where(Person.email == "sam@example.com"))
    page = client.get("/admin?campaign=2026").text
    reply = client.post(f"/admin/participants/{sam}/hidden",
                        data={"csrf_token": csrf_token(page), "hidden": "yes", "campaign": "2026"})
    assert reply.status_code == 303
    public = app.test_client().get("/?campaign=2026").text
    assert "Sam Carter" not in public and "<strong>3</strong> of 30 introductions" in public  # still counted
    assert "Sam Carter" not in app.test_client().get("/api/tallies?campaign=2026").text
    # Sam's own choice stays "listed"; the organizer's hiding wins, and Sam is told.
    assert "An organizer has taken your entry off the public page" in sign_in(app, sink[0], "sam@example.com").get(
        "/me?campaign=2026").text


def test_an_organizer_invites_and_the_invitation_joins(app: Flask, sink: tuple[Sink, int], engine: Engine) -> None:
    client = sign_in(app, sink[0], "boss@example.com")
    page = client.get("/admin?campaign=2026").text
    bad = client.post("/admin/invite", data={"csrf_token": csrf_token(page), "year": "2026",
                                             "emails": "kim@example.com, not-an-address"})
    assert bad.status_code == 400 and "not-an-address" in bad.text
    assert mail_links(app, sink[0]) == []
    sent = client.post("/admin/invite", data={"csrf_token": csrf_token(page), "year": "2026",
                                              "emails": "kim@example.com\n<ola@example.com>; kim@example.com"})
    assert sent.status_code == 303 and "invited=2" in sent.headers["Location"]
    mails = sorted(mail_links(app, sink[0]))
    assert [(to, subject) for to, subject, _ in mails] == [
        ("kim@example.com", "boss@example.com invites you to intro 2026"),
        ("ola@example.com", "boss@example.com invites you to intro 2026")]
    invitee = app.test_client()
    assert follow(invitee, mails[0][2]) == (303, "/me?joined=1")
    with transaction(engine) as s:
        assert s.scalar(select(Participant.listed).join(Person).where(Person.email == "kim@example.com")) is True


def test_an_organizer_sets_the_goal(app: Flask, sink: tuple[Sink, int]) -> None:
    client = sign_in(app, sink[0], "boss@example.com")
    page = client.get("/admin?campaign=2026").text
    assert client.post("/admin/goal", data={"csrf_token": csrf_token(page), "year": "2026", "goal": "20"}
                       ).status_code == 303
    public = app.test_client().get("/?campaign=2026").text
    assert "<h1>20 in 2026</h1>" in public and "<strong>3</strong> of 40 introductions" in public
    assert client.post("/admin/goal", data={"csrf_token": csrf_token(page), "year": "2026", "goal": "0"}
                       ).status_code == 400
    # A year with no introduction yet: setting its goal starts it.
    client.post("/admin/goal", data={"csrf_token": csrf_token(page), "year": "2027", "goal": "27"})
    assert "<h1>27 in 2027</h1>" in app.test_client().get("/?campaign=2027").text


def test_an_organizer_exports_every_introduction(app: Flask, sink: tuple[Sink, int]) -> None:
    import csv
    import io

    client = sign_in(app, sink[0], "boss@example.com")
    reply = client.get("/admin/introductions.csv?campaign=2026")
    assert reply.mimetype == "text/csv" and "introductions-2026-all.csv" in reply.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert len(rows) == 7  # 2 + 3 + 2 people introduced
    assert {r["introducer_email"] for r in rows} == {"sam@example.com", "juergen@example.de"}
    assert sign_in(app, sink[0], "sam@example.com").get("/admin/introductions.csv").status_code == 403
