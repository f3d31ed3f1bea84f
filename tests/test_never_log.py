"""Never log: addresses and domains in [privacy] never_log, and a person's own "never
record me", are left out of what an introduction records and of all mail; over real
SMTP into the real server, follow-ups to a real sink."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from intro import config as intro_config
from intro.config import Config
from intro.db import transaction
from intro.errors import ConfigError
from intro.models import InboundMessage, Introduction, Person, PersonAddress
from tests.conftest import free_port
from tests.loop_helpers import SERVICE, Sink, deliver, run
from tests.smtp_helpers import load
from web import create_app

DUE = datetime(2026, 3, 30, 10, tzinfo=UTC)  # every follow-up of those introductions is due


def settings(sink_port: int, never_log: str = "") -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(sink_port), "INTRO_RELAY_SECURITY": "none",
        "INTRO_BASE_URL": "https://intro.example.org", "INTRO_FOLLOWUP_MAX_AGE": "3650d",
        "INTRO_PRIVACY_NEVER_LOG": never_log})


def parties(engine: Engine) -> list[list[str]]:
    with transaction(engine) as s:
        return [sorted(p.person.email for p in intro.parties)
                for intro in s.scalars(select(Introduction).order_by(Introduction.id))]


def test_the_setting_takes_addresses_and_domains() -> None:
    listed = "Pat@Clinic.Example, @patients.example., ward.example"
    config = intro_config.load(environ={"INTRO_PRIVACY_NEVER_LOG": listed})
    assert config.privacy.never_log == ("pat@clinic.example", "patients.example", "ward.example")
    with pytest.raises(ConfigError, match="INTRO_PRIVACY_NEVER_LOG: expected addresses .* or domains"):
        intro_config.load(environ={"INTRO_PRIVACY_NEVER_LOG": "not a domain"})


def test_a_listed_domain_is_never_recorded_nor_mailed(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1], never_log="clinic.example")  # its subdomains too
    deliver(config, engine, load("never_log_three.eml"))
    deliver(config, engine, load("never_log_two.eml"))
    # Three people, one of them a patient: it counts, for Dana and Lee. Two, one a patient: none.
    assert parties(engine) == [["dana@example.net", "lee@example.org"]]
    with transaction(engine) as s:
        assert s.scalar(select(Person).where(Person.email.like("%clinic.example"))) is None
        notes = dict(s.execute(select(InboundMessage.message_id, InboundMessage.note)).all())
        raws = list(s.scalars(select(InboundMessage.raw)))
    assert all(raw == b"" for raw in raws)  # the mail that named the patient is not kept
    assert all("never to be recorded" in note for note in notes.values())
    assert run(config, engine, DUE).sent == 2
    assert sorted(r[1][0] for r in sink[0].received) == ["dana@example.net", "lee@example.org"]


def test_never_record_me_from_the_answer_page(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    deliver(config, engine, load("plain_introduction.eml"))
    assert run(config, engine, DUE).sent == 2
    lee = next(m for _, [rcpt], m in sink[0].received if rcpt == "lee@example.org")
    html = lee.get_body(("html",)).get_content()  # type: ignore[union-attr]
    answer = re.search(r'href="https://intro\.example\.org(/a/[^"?]+)\?answer=helped"', html)[1]  # type: ignore[index]
    client = create_app(config, engine).test_client()
    page = client.get(answer)
    never = re.search(r'href="(/n/[^"]+)">Never record me', page.text)[1]  # type: ignore[index]
    shown = client.get(never)  # opening it changes nothing (link scanners open links)
    assert shown.status_code == 200 and "Nothing changes until you press the button" in shown.text
    with transaction(engine) as s:
        assert s.scalars(select(Person).where(Person.email == "lee@example.org")).one().never_record_at is None
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', shown.text)[1]  # type: ignore[index]
    done = client.post(never, data={"csrf_token": csrf})
    assert done.status_code == 200 and "You will not be recorded again" in done.text
    with transaction(engine) as s:
        person = s.scalars(select(Person).where(Person.email == "lee@example.org")).one()
        assert person.never_record_at is not None and person.opted_out_at is not None

    # The next introduction naming Lee counts for Sam with Dana and Kofi only; nobody mails Lee.
    deliver(config, engine, load("never_log_again.eml"))
    assert parties(engine)[-1] == ["dana@example.net", "kofi@example.com"]
    before = len(sink[0].received)
    run(config, engine, DUE)
    assert sorted(r[1][0] for r in sink[0].received[before:]) == ["dana@example.net", "kofi@example.com"]
    # Nor at another address of Lee's (confirmed: intro.merging).
    with transaction(engine, write=True) as s:
        lee_id = s.scalars(select(Person.id).where(Person.email == "lee@example.org")).one()
        s.add(PersonAddress(person_id=lee_id, email="lee.park@work.example", confirmed_at=DUE))
    deliver(config, engine, load("never_log_other_address.eml"))
    assert parties(engine)[-1] == ["dana@example.net", "kofi@example.com"]
    # A forged or stale link changes nothing.
    assert client.get("/n/not-a-token").status_code == 400
