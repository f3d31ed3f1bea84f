"""Campaign terms, and joining a campaign by mail."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from inbound.processor import process_pending
from inbound.understanding.mime import envelope_id
from intro import config as intro_config
from intro.campaigns import terms
from intro.db import transaction
from intro.messages import arrival, store
from intro.models import Campaign, InboundMessage, Participant, Person

SERVICE = "intro@tally.example"


@pytest.mark.parametrize(("setting", "year", "expected"), [
    ("15", 2026, (15, "15 in 2026")), ("year", 2026, (26, "26 in '26")), ("year", 2015, (15, "15 in '15")),
    ("year", 2107, (7, "7 in '07")),
])
def test_terms(setting: str, year: int, expected: tuple[int, str]) -> None:
    assert terms(setting, year) == expected


def _send(engine: Engine, subject: str, sender: str = "Uma Silva <uma@example.org>", goal: str = "15") -> None:
    raw = (f"From: {sender}\r\nTo: {SERVICE}\r\nSubject: {subject}\r\nDate: Mon, 05 Jan 2026 09:00:00 +0000\r\n"
           f"Message-ID: <{abs(hash((subject, sender)))}@example.org>\r\n\r\nCount me in.\r\n").encode()
    store(engine, [arrival(raw, "uma@example.org", [SERVICE], "127.0.0.1", envelope_id(raw))])
    config = intro_config.load(environ={"INTRO_CAMPAIGN_GOAL": goal, "INTRO_SERVICE_ADDRESS": SERVICE})
    process_pending(engine, config)


@pytest.mark.parametrize("subject", ["join", "Join", "JOIN!", "join 2026", "Join the campaign 2026"])
def test_joining_by_mail(engine: Engine, subject: str) -> None:
    _send(engine, subject, goal="year")
    with transaction(engine) as s:
        [(name, year, goal, campaign_name)] = s.execute(
            select(Person.display_name, Campaign.year, Campaign.goal, Campaign.name)
            .join(Participant, Participant.person_id == Person.id).join(Campaign)).all()
        assert (name, year, goal, campaign_name) == ("Uma Silva", 2026, 26, "26 in '26")
        assert s.scalars(select(InboundMessage.note)).one() == "joined the 2026 campaign by mail"


def test_joining_twice_is_once(engine: Engine) -> None:
    _send(engine, "join")
    _send(engine, "join 2026")
    with transaction(engine) as s:
        assert len(s.scalars(select(Participant)).all()) == 1
        notes = sorted(s.scalars(select(InboundMessage.note)))
        assert notes == ["already a participant of 2026", "joined the 2026 campaign by mail"]


@pytest.mark.parametrize("subject", ["joining the team?", "Re: join", "How do I join?"])
def test_other_subjects_do_not_join(engine: Engine, subject: str) -> None:
    _send(engine, subject)
    with transaction(engine) as s:
        assert s.scalars(select(Participant)).all() == []
