"""The SMTP front door over a real socket, with smtplib, on each database."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from inbound.server import SmtpComponent
from intro import config as intro_config
from intro.models import MessageStatus
from tests.conftest import free_port
from tests.smtp_helpers import load, stored


@pytest.fixture
def smtp_port(engine: Engine) -> Iterator[int]:
    port = free_port()
    config = intro_config.load(environ={
        "INTRO_SMTP_PORT": str(port), "INTRO_SERVICE_ADDRESS": "intro@tally.example,hello@tally.example",
    })
    server = SmtpComponent(config, engine)
    server.start()
    yield port
    server.stop()


def test_greeting_and_ehlo(smtp_port: int) -> None:
    client = smtplib.SMTP()
    code, banner = client.connect("127.0.0.1", smtp_port)
    assert code == 220 and b"intro ESMTP" in banner
    assert client.ehlo()[0] == 250
    client.quit()


def test_accepts_service_addresses_and_tags_and_stores_the_envelope(smtp_port: int, engine: Engine) -> None:
    raw = load("plain_introduction.eml")
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        refused = client.sendmail("sam@example.com", ["INTRO@Tally.Example", "intro+f-abc@tally.example",
                                                      "hello@tally.example"], raw)
    assert refused == {}
    [message] = stored(engine)
    assert message.mail_from == "sam@example.com"
    assert message.rcpt_to == ["INTRO@Tally.Example", "intro+f-abc@tally.example", "hello@tally.example"]
    assert message.peer == "127.0.0.1"
    assert message.message_id == "intro-1@mail.example.com"
    assert message.status is MessageStatus.NEW
    assert message.raw == raw


@pytest.mark.parametrize("address", ["dana@example.net", "intro@other.example", "intro@tally.example.evil",
                                     "xintro@tally.example", "intro-x@tally.example"])
def test_refuses_other_recipients_with_a_reason(smtp_port: int, address: str) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        client.ehlo()
        client.mail("sam@example.com")
        code, reason = client.rcpt(address)
    assert code == 550
    assert reason.startswith(b"5.1.1 ") and b"does not relay" in reason
    assert b"intro@tally.example" in reason


def test_same_message_id_is_stored_once(smtp_port: int, engine: Engine) -> None:
    raw = load("plain_introduction.eml")
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        client.ehlo()
        client.mail("sam@example.com")
        client.rcpt("intro@tally.example")
        first = client.data(raw)
        client.mail("sam@example.com")
        client.rcpt("intro+bcc@tally.example")
        again = client.data(raw)
    assert len(stored(engine)) == 1
    # The same reply, with no counter in it: it tells a sender nothing about whether intro
    # was copied on this message before, nor how many it holds.
    assert first == again and first[0] == 250
    assert first[1].startswith(b"2.0.0 OK: received, ref ")
    other = raw.replace(b"Message-ID: <", b"Message-ID: <other.")
    assert other != raw
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        client.sendmail("sam@example.com", ["intro@tally.example"], other)
        client.mail("sam@example.com")
        client.rcpt("intro@tally.example")
        code, text = client.data(other)
    assert code == 250 and re.fullmatch(rb"2\.0\.0 OK: received, ref [0-9A-F]{16}", text)
    assert text != first[1]  # each message its own reference, the Message-ID's
    assert len(stored(engine)) == 2
