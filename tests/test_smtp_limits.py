"""Refusals at the SMTP level, each with its code and a reason; and LMTP."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from inbound.server import SmtpComponent
from intro import config as intro_config
from tests.conftest import free_port
from tests.smtp_helpers import load, stored

SERVICE = "intro@tally.example"


def start(engine: Engine, **settings: str) -> SmtpComponent:
    env = {"INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()), **settings}
    server = SmtpComponent(intro_config.load(environ=env), engine)
    server.start()
    return server


@pytest.fixture
def small(engine: Engine) -> Iterator[int]:
    server = start(engine, INTRO_SMTP_MAX_MESSAGE_SIZE="4096", INTRO_SMTP_MAX_RECIPIENTS="3")
    yield server.config.smtp.port
    server.stop()


def test_size_is_announced_and_enforced(small: int, engine: Engine) -> None:
    with smtplib.SMTP("127.0.0.1", small) as client:
        client.ehlo()
        assert client.esmtp_features["size"] == "4096"
        # Declared too large in MAIL FROM (RFC 1870): refused before any data is sent.
        code, _ = client.mail("sam@example.com", ["SIZE=100000"])
        assert code == 552
        client.rset()
        client.mail("sam@example.com")
        client.rcpt(SERVICE)
        code, _ = client.data(b"Subject: big\r\n\r\n" + b"x" * 900 + b"\r\n" * 10 + (b"y" * 900 + b"\r\n") * 5)
    assert code == 552
    assert stored(engine) == []


def test_too_many_recipients_get_452(small: int, engine: Engine) -> None:
    with smtplib.SMTP("127.0.0.1", small) as client:
        client.ehlo()
        client.mail("sam@example.com")
        codes = [client.rcpt(f"intro+{i}@tally.example") for i in range(5)]
        assert [c for c, _ in codes] == [250, 250, 250, 452, 452]
        assert b"at most 3" in codes[3][1]
        assert client.data(load("plain_introduction.eml"))[0] == 250
    assert len(stored(engine)[0].rcpt_to) == 3


def test_bare_lf_in_data_is_refused(small: int, engine: Engine) -> None:
    """SMTP smuggling (CVE-2023-51764 family): a bare LF before "." must not end DATA."""
    with socket.create_connection(("127.0.0.1", small)) as s:
        f = s.makefile("rwb")
        f.readline()
        for line in (b"EHLO test", b"MAIL FROM:<sam@example.com>", f"RCPT TO:<{SERVICE}>".encode(), b"DATA"):
            f.write(line + b"\r\n")
            f.flush()
            while (reply := f.readline())[3:4] == b"-":
                pass
        f.write(b"Subject: smuggled\r\n\r\nhello\n.\nMAIL FROM:<evil@example.com>\r\n.\r\n")
        f.flush()
        reply = f.readline()
    # Only CRLF.CRLF ends DATA (aiosmtpd >= 1.4.5): the smuggled command stays inside the
    # one message instead of starting a second one.
    assert reply.startswith(b"250")
    [message] = stored(engine)
    assert message.mail_from == "sam@example.com" and b"MAIL FROM:<evil@example.com>" in message.raw


def test_lmtp_over_tcp_answers_once_per_recipient(engine: Engine) -> None:
    server = start(engine, INTRO_SMTP_PROTOCOL="lmtp")
    try:
        with smtplib.LMTP("127.0.0.1", server.config.smtp.port) as client:
            client.ehlo()  # LHLO
            client.mail("sam@example.com")
            client.rcpt(SERVICE)
            client.rcpt("intro+x@tally.example")
            first = client.data(load("plain_introduction.eml"))
            second = client.getreply()  # smtplib reads one DATA reply; LMTP sends one per recipient
            assert first[0] == second[0] == 250
            client.mail("sam@example.com")
            code, reason = client.rcpt("dana@example.net")
            assert code == 550 and b"does not relay" in reason
    finally:
        server.stop()
    assert len(stored(engine)) == 1


def test_lmtp_over_a_unix_socket(engine: Engine, tmp_path: Path) -> None:
    path = str(tmp_path / "lmtp.sock")
    server = start(engine, INTRO_SMTP_PROTOCOL="lmtp", INTRO_SMTP_SOCKET=path)
    try:
        with smtplib.LMTP(path) as client:
            assert client.sendmail("sam@example.com", [SERVICE], load("plain_introduction.eml")) == {}
    finally:
        server.stop()
    assert len(stored(engine)) == 1
