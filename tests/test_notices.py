"""Notes to introducers: the optional receipt, and the note once everyone has answered."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from intro import config as intro_config
from intro.answers import record_answer
from intro.config import Config
from intro.db import transaction
from intro.meaning import AnswerValue
from intro.models import Campaign, FollowUp, Notice, Participant, Person
from intro.timeutil import utcnow
from tests.conftest import free_port
from tests.loop_helpers import SERVICE, Sink, deliver, run
from tests.smtp_helpers import load


def settings(port: int, **extra: str) -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(port), "INTRO_RELAY_SECURITY": "none",
        "INTRO_BASE_URL": "https://intro.example.org", "INTRO_FOLLOWUP_MAX_AGE": "3650d", **extra})


def to_sam(sink: Sink) -> list:  # type: ignore[type-arg]
    return [m for _, [rcpt], m in sink.received if rcpt == "sam@example.com"]


def test_a_receipt_when_switched_on(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1], INTRO_FOLLOWUP_RECEIPTS="true")
    deliver(config, engine, load("plain_introduction.eml"))
    assert run(config, engine, utcnow()).notes == 1
    [receipt] = to_sam(sink[0])
    assert str(receipt["Subject"]) == "Logged: your 1st introduction of 15 in 2026"
    assert receipt["Auto-Submitted"] == "auto-generated" and receipt["List-Unsubscribe-Post"]
    text = " ".join(receipt.get_body(("plain",)).get_content().split())
    assert "Dana Reyes and Lee Park" in text and "1 of your 15 for 2026" in text
    assert run(config, engine, utcnow()).notes == 0  # once


def test_no_receipt_by_default(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    deliver(config, engine, load("plain_introduction.eml"))
    run(config, engine, utcnow())
    assert to_sam(sink[0]) == []


def _answer_both(engine: Engine) -> None:
    with transaction(engine, write=True) as s:
        for followup, value in zip(s.scalars(select(FollowUp).order_by(FollowUp.id)),
                                   (AnswerValue.HELPED, AnswerValue.NOT_YET), strict=True):
            record_answer(s, followup.id, value, "", source="web")


@pytest.mark.parametrize(("joined", "setting", "expected"), [
    (True, "participants", 1), (False, "participants", 0), (False, "everyone", 1), (True, "nobody", 0),
])
def test_a_note_once_everyone_answered(engine: Engine, sink: tuple[Sink, int], joined: bool, setting: str,
                                       expected: int) -> None:
    config = settings(sink[1], INTRO_FOLLOWUP_ANSWERED_NOTES=setting)
    deliver(config, engine, load("plain_introduction.eml"))
    if joined:
        with transaction(engine, write=True) as s:
            sam = s.scalars(select(Person).where(Person.email == "sam@example.com")).one()
            s.add(Participant(person_id=sam.id, campaign_id=s.scalars(select(Campaign.id)).one()))
    run(config, engine, utcnow())  # the follow-ups
    assert to_sam(sink[0]) == []  # nothing yet: nobody answered
    _answer_both(engine)
    assert run(config, engine, utcnow()).notes == expected
    notes = to_sam(sink[0])
    assert len(notes) == expected
    if expected:
        text = " ".join(notes[0].get_body(("plain",)).get_content().split())
        assert "Dana Reyes: it helped" in text and "Lee Park: not yet" in text
    else:
        with transaction(engine) as s:
            assert s.scalars(select(Notice.last_error)).one()  # cancelled, with the reason
    assert run(config, engine, utcnow()).notes == 0



def test_notes_escape_hostile_names(engine: Engine, sink: tuple[Sink, int]) -> None:
    from datetime import date

    from mailer.render import NoticeMail, Renderer, render_notice

    mail = NoticeMail(kind="answered", introducer_name="<script>alert(1)</script>",
                      introducer_email="sam@example.com", others=("Eve\r\nBcc: victim@example.com",),
                      subject="<b>hi</b>", made_on=date(2026, 3, 2), year=2026, goal=15, count=1,
                      answers=(("<img src=x onerror=alert(1)>", "helped"),),
                      unsubscribe_url="https://intro.example.org/u/x", service_name="intro",
                      service_url="https://intro.example.org")
    rendered = render_notice(Renderer(), mail)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<img" not in rendered.html
    assert "\n" not in rendered.subject and "Bcc: victim" not in rendered.text.split("\n")[0]
