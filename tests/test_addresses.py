"""One person, several addresses: adding one on one's own page (confirmed by a link mailed
to it), introductions made and received at it, an organizer's merge confirmed by the
address merged, and export and forget over every address.

Introductions arrive over SMTP at the real server, links and follow-ups go out over SMTP
to a real sink, pages are used through Flask's test client; on each database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select

from intro import counts, merging, people, suppression
from intro.answers import record_answer
from intro.config import Config
from intro.db import transaction
from intro.meaning import AnswerValue
from intro.models import (
    Answer,
    Campaign,
    CampaignCount,
    CampaignPerson,
    FollowUp,
    InboundMessage,
    IntroducerCount,
    Introduction,
    IntroductionParty,
    Participant,
    Person,
    PersonAddress,
)
from intro.timeutil import utcnow
from tests.conftest import free_port
from tests.loop_helpers import Sink, deliver, run
from tests.seed import seeded_app
from tests.smtp_helpers import load
from tests.test_account import csrf_token, follow, mail_links, sign_in

DUE = datetime(2026, 4, 1, 10, tzinfo=UTC)  # every follow-up of the introductions below is due


@pytest.fixture
def app(engine: Engine, sink: tuple[Sink, int]) -> Flask:
    return seeded_app(engine, INTRO_RELAY_HOST="127.0.0.1", INTRO_RELAY_PORT=str(sink[1]),
                      INTRO_RELAY_SECURITY="none", INTRO_BASE_URL="https://intro.example.org",
                      INTRO_WEB_ADMINS="boss@example.com", INTRO_SMTP_PORT=str(free_port()),
                      INTRO_TRUST_ON_NONE="accept", INTRO_FOLLOWUP_MAX_AGE="3650d")


def config_of(app: Flask) -> Config:
    return app.extensions["intro"]["config"]  # type: ignore[no-any-return]


def introduce(app: Flask, engine: Engine, sender: str, people_: tuple[str, str], number: int) -> None:
    """``sender`` introduces the two, copying the service, over SMTP."""
    raw = (load("plain_introduction.eml").replace(b"<intro-1@", f"<more-{number}@".encode())
           .replace(b"dana@example.net", people_[0].encode()).replace(b"lee@example.org", people_[1].encode())
           .replace(b"Sam Carter <sam@example.com>", sender.encode()))
    deliver(config_of(app), engine, raw, sender=sender)


def figures(engine: Engine) -> tuple[Any, ...]:
    """Every counter kept on write (the CHANGES row aside), and who counts where."""
    with transaction(engine) as s:
        return (
            {(c, n): v for c, n, v in s.execute(select(CampaignCount.campaign_id, CampaignCount.name,
                                                       CampaignCount.value)) if v and n != counts.CHANGES},
            set(s.execute(select(IntroducerCount.campaign_id, IntroducerCount.person_id, IntroducerCount.count,
                                 IntroducerCount.generation, IntroducerCount.brought_in_by)).all()),
            set(s.execute(select(CampaignPerson.campaign_id, CampaignPerson.person_id)).all()),
        )


def recounted(engine: Engine) -> tuple[Any, ...]:
    with transaction(engine, write=True) as s:
        for campaign_id in s.scalars(select(Campaign.id)):
            counts.recount(s, campaign_id)
    return figures(engine)


def made_by(engine: Engine, email: str) -> int:
    with transaction(engine) as s:
        person_id = people.find_id(s, email)
        return s.scalar(select(func.sum(IntroducerCount.count)).where(IntroducerCount.person_id == person_id)) or 0


def test_an_address_added_on_ones_page_counts_for_the_person(app: Flask, engine: Engine,
                                                             sink: tuple[Sink, int]) -> None:
    client = sign_in(app, sink[0], "sam@example.com")
    before = made_by(engine, "sam@example.com")
    said = client.post("/me/addresses", data={"csrf_token": _token(client), "email": "Sam@Work.Example"},
                       follow_redirects=True).text
    assert "A link to confirm it is on its way to <strong>sam@work.example</strong>" in said
    [(rcpt, subject, path)] = mail_links(app, sink[0])
    assert rcpt == "sam@work.example" and subject == "Is this address yours too? (intro)"
    assert path.startswith("/address/")
    text = sink[0].received[-1][2].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "asked to add this address to theirs" in " ".join(text.split()) and "sam@example.com" in text

    # Unconfirmed, the address is nobody's: an introduction from it is someone new's.
    with transaction(engine) as s:
        assert people.find_id(s, "sam@work.example") is None
    assert client.get(path).status_code == 200 and "Yes, both addresses are mine" in client.get(path).text
    with transaction(engine) as s:  # opening the link changed nothing
        assert s.scalar(select(func.count()).select_from(PersonAddress)) == 0
    assert follow(app.test_client(), path) == (303, "/me?added=1#addresses")
    me = client.get("/me").text
    assert "<li>sam@work.example</li>" in me
    assert follow(app.test_client(), path)[0] == 410  # once

    # Made at the new address: counts for Sam. Received there: Sam is asked, at that address.
    introduce(app, engine, "Sam <sam@work.example>", ("noor@example.com", "ravi@example.com"), 1)
    introduce(app, engine, "Lee Park <lee@example.org>", ("sam@work.example", "noor@example.com"), 2)
    assert made_by(engine, "sam@example.com") == before + 1
    with transaction(engine) as s:
        sam = people.find_id(s, "sam@example.com")
        party = s.scalars(select(IntroductionParty).join(Introduction).where(
            IntroductionParty.person_id == sam, Introduction.subject == "Dana, meet Lee",
            Introduction.introducer_id == people.find_id(s, "lee@example.org"))).one()
        assert party.email == "sam@work.example"
        assert s.scalar(select(func.count()).select_from(Person).where(Person.email == "sam@work.example")) == 0
        tag = s.scalars(select(FollowUp.tag).where(FollowUp.party_id == party.id)).one()
    sent_before = len(sink[0].received)
    run(config_of(app), engine, DUE)
    [to] = [rcpt for _, rcpt, message in sink[0].received[sent_before:] if tag in str(message["Reply-To"])]
    assert to == ["sam@work.example"]  # the address the introduction used, not the primary one
    assert figures(engine) == recounted(engine)


def test_adding_an_address_one_has_already_says_so(app: Flask, sink: tuple[Sink, int]) -> None:
    client = sign_in(app, sink[0], "sam@example.com")
    said = client.post("/me/addresses", data={"csrf_token": _token(client), "email": "sam@example.com"},
                       follow_redirects=True).text
    assert "That address is yours already." in said
    bad = client.post("/me/addresses", data={"csrf_token": _token(client), "email": "not an address"},
                      follow_redirects=True).text
    assert "Please enter an email address" in bad
    assert mail_links(app, sink[0]) == []


def test_an_organizer_merges_two_people_once_the_merged_address_confirms(app: Flask, engine: Engine,
                                                                          sink: tuple[Sink, int]) -> None:
    home = "sam@home.example"
    # Sam's other identity: introductions made, one received together with Sam (the
    # introduction then names the one person twice), answered at both; and a campaign joined.
    introduce(app, engine, f"Sam <{home}>", ("noor@example.com", "ravi@example.com"), 1)
    introduce(app, engine, f"Sam <{home}>", ("dana@example.net", "ravi@example.com"), 2)
    introduce(app, engine, "Lee Park <lee@example.org>", ("sam@example.com", home), 3)
    run(config_of(app), engine, DUE)
    with transaction(engine, write=True) as s:
        sam, other = people.find_id(s, "sam@example.com"), people.find_id(s, home)
        assert sam is not None and other is not None
        campaign = s.scalars(select(Campaign)).one()
        s.add(Participant(person_id=other, campaign_id=campaign.id, listed=False))
        both = s.scalars(select(FollowUp).join(IntroductionParty).where(
            IntroductionParty.person_id.in_((sam, other)))
            .join(Introduction).where(Introduction.introducer_id == people.find_id(s, "lee@example.org"))).all()
        assert len(both) == 2
        theirs = next(f for f in both if f.party.person_id == other)
        record_answer(s, theirs.id, AnswerValue.HELPED, "met twice", source="web")
    expected = made_by(engine, "sam@example.com") + made_by(engine, home)
    assert made_by(engine, home) == 2

    boss = sign_in(app, sink[0], "boss@example.com")
    assert "Merge two people who are one" in boss.get("/admin").text
    said = boss.post("/admin/merge", data={"csrf_token": _token(boss, "/admin"), "keep": "sam@example.com",
                                           "gone": "Sam@Home.Example"}, follow_redirects=True).text
    assert "A link to confirm is on its way to the address being merged" in said
    unknown = boss.post("/admin/merge", data={"csrf_token": _token(boss, "/admin"), "keep": "sam@example.com",
                                              "gone": "nobody@example.com"}, follow_redirects=True).text
    assert "Both addresses must be known here" in unknown
    with transaction(engine) as s:  # nothing changes before the address merged confirms
        assert people.find_id(s, home) != people.find_id(s, "sam@example.com")
    [(rcpt, subject, path)] = mail_links(app, sink[0])
    assert rcpt == home and subject == "Is this address yours too? (intro)"
    text = sink[0].received[-1][2].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "an organizer of intro" in " ".join(text.split()) and "sam@example.com" in text
    page = app.test_client().get(path).text
    assert "has a record of its own here" in page
    assert follow(app.test_client(), path) == (303, "/me?added=1#addresses")

    with transaction(engine) as s:
        sam = people.find_id(s, "sam@example.com")
        assert people.find_id(s, home) == sam and s.get(Person, other) is None
        assert people.addresses(s, sam) == ["sam@example.com", home]
        assert s.scalar(select(func.count()).select_from(Participant).where(Participant.person_id == sam)) == 1
        lees = s.scalars(select(Introduction).where(
            Introduction.introducer_id == people.find_id(s, "lee@example.org"), Introduction.subject != "")
            .order_by(Introduction.id.desc())).first()
        assert lees is not None
        parties = [p for p in lees.parties if p.person_id == sam]
        assert len(parties) == 1  # the one person, once
        followup = s.scalars(select(FollowUp).where(FollowUp.party_id == parties[0].id)).one()
        assert followup.answer == "helped"
        assert s.scalar(select(func.count()).select_from(Answer).where(Answer.followup_id == followup.id)) == 1
    assert made_by(engine, "sam@example.com") == expected
    assert figures(engine) == recounted(engine)


def test_export_and_forget_cover_every_address(app: Flask, engine: Engine, sink: tuple[Sink, int]) -> None:
    work = "sam@work.example"
    with transaction(engine, write=True) as s:
        sam = people.find_id(s, "sam@example.com")
        assert sam is not None
        merging.confirm_address(s, sam, work, utcnow())
    introduce(app, engine, "Lee Park <lee@example.org>", (work, "noor@example.com"), 1)
    # Stored mail naming the other address only: export lists it, forget erases it.
    client = sign_in(app, sink[0], work)  # any of one's addresses signs in
    exported = client.get("/me/data.json").json
    assert exported is not None
    assert [a["email"] for a in exported["person"]["other_addresses"]] == [work]
    assert any(i["at"] == work for i in exported["introduced"])
    forgotten = client.post("/me/forget", data={"csrf_token": _token(client), "sure": "yes"})
    assert forgotten.status_code == 200
    with transaction(engine) as s:
        assert suppression.suppressed(s, ["sam@example.com", work]) == {"sam@example.com", work}
        assert people.find_id(s, work) is None and people.find_id(s, "sam@example.com") is None
        assert s.scalar(select(func.count()).select_from(PersonAddress)) == 0
        assert s.scalar(select(func.count()).select_from(IntroductionParty).where(
            IntroductionParty.email.in_(["sam@example.com", work]))) == 0
        for raw in s.scalars(select(InboundMessage.raw)):
            assert b"sam@work.example" not in raw and b"sam@example.com" not in raw
    # Never recorded again, at either address.
    introduce(app, engine, "Lee Park <lee@example.org>", (work, "noor@example.com"), 2)
    with transaction(engine) as s:
        assert people.find_id(s, work) is None


def _token(client: Any, path: str = "/me") -> str:
    return csrf_token(client.get(path).text)
