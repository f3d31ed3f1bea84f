"""A small campaign with introductions, participants and answers, for the web tests."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine, select

from inbound.processor import process_pending
from inbound.understanding.mime import envelope_id
from intro import config as intro_config
from intro.answers import record_answer
from intro.db import transaction
from intro.meaning import AnswerValue
from intro.messages import arrival, store
from intro.models import Campaign, FollowUp, Participant, Person
from tests.smtp_helpers import load
from web import create_app

SERVICE = "intro@tally.example"


def seeded_app(engine: Engine, **environ: str) -> Flask:
    """Three introductions (one by a hostile display name), two participants (one unlisted),
    and answers, one of them changed. ``environ``: more settings (INTRO_*)."""
    config = intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_FOLLOWUP_MAX_AGE": "3650d",
                                        **environ})
    raws = [load("plain_introduction.eml"), load("group_introduction_de.eml"),
            load("plain_introduction.eml").replace(b"<intro-1@", b"<intro-2@").replace(b"lee@", b"kim@")
            .replace(b"From: Sam Carter <", b'From: "<script>alert(1)</script>" <')]
    store(engine, [arrival(r, "sam@example.com", [SERVICE], "127.0.0.1", envelope_id(r)) for r in raws])
    process_pending(engine, config)
    with transaction(engine, write=True) as s:
        campaign = s.scalars(select(Campaign)).one()
        for email, listed in (("sam@example.com", True), ("juergen@example.de", False)):
            person = s.scalars(select(Person).where(Person.email == email)).one()
            s.add(Participant(person_id=person.id, campaign_id=campaign.id, listed=listed))
        first, second = s.scalars(select(FollowUp).order_by(FollowUp.id)).all()[:2]
        record_answer(s, first.id, AnswerValue.NO, "", source="web")
        record_answer(s, first.id, AnswerValue.HELPED, "", source="web")  # changed: the latest counts
        record_answer(s, second.id, AnswerValue.NOT_YET, "", source="reply")
    return create_app(config, engine)


