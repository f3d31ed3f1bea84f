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
from intro.models import InboundMessage, Link, LinkPurpose, Participant

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
def test_joining_by_mail_is_confirmed_by_a_link(engine: Engine, subject: str) -> None:
    """Anyone can write any From: the link goes to that address, and nobody is listed
    until it is used (tests/test_abuse.py follows it over SMTP and the web)."""
    _send(engine, subject, goal="year")
    with transaction(engine) as s:
        assert s.scalars(select(Participant)).all() == []
        [link] = s.scalars(select(Link)).all()
        assert (link.purpose, link.email, link.name, link.year) == (LinkPurpose.JOIN, "uma@example.org", "Uma Silva",
                                                                    2026)
        note = s.scalars(select(InboundMessage.note)).one()
        assert note == "asked to join the 2026 campaign by mail: a link to confirm is on its way"


@pytest.mark.parametrize("subject", ["joining the team?", "Re: join", "How do I join?"])
def test_other_subjects_do_not_join(engine: Engine, subject: str) -> None:
    _send(engine, subject)
    with transaction(engine) as s:
        assert s.scalars(select(Participant)).all() == []
