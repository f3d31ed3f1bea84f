"""Refusals at the SMTP level, each with its code and a reason; and LMTP."""

from __future__ import annotations

import smtplib
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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
        f = at_data(s)
        s.sendall(b"Subject: smuggled\r\n\r\nhello\n.\nMAIL FROM:<evil@example.com>\r\n.\r\n")
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


def test_data_is_received_byte_for_byte_with_dots_unstuffed(small: int, engine: Engine) -> None:
    """RFC 5321 4.5.2: smtplib doubles a leading dot; the stored message has one again."""
    raw = (b"From: sam@example.com\r\nMessage-ID: <dots@example.com>\r\n\r\n.hidden line\r\n..two dots\r\n"
           b". \r\nend\r\n")
    with smtplib.SMTP("127.0.0.1", small) as client:
        client.sendmail("sam@example.com", [SERVICE], raw)
    assert bytes(stored(engine)[0].raw) == raw


def test_a_line_over_the_limit_is_refused_and_the_session_goes_on(small: int, engine: Engine) -> None:
    with socket.create_connection(("127.0.0.1", small)) as sock:
        reader = at_data(sock)
        sock.sendall(b"Subject: x\r\n\r\n" + b"y" * 1200 + b"\r\n.\r\n")
        assert reader.readline().startswith(b"500 Line too long")
        sock.sendall(b"NOOP\r\n")
        assert reader.readline().startswith(b"250")
    assert stored(engine) == []


def test_past_the_slots_for_large_messages_another_large_one_gets_451(engine: Engine,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """One slot, held by a client in the middle of a large message: a small message goes
    through at once; another large one waits, and past the wait is read to its end, kept
    nowhere, and refused for now (its MTA retries: nothing is lost)."""
    from inbound import guard
    monkeypatch.setattr(guard, "DATA_WAIT", 0.5)
    server = start(engine, INTRO_SMTP_LARGE_MESSAGES_AT_ONCE="1")
    port = server.config.smtp.port
    line = b"x" * 900 + b"\r\n"
    big = b"Subject: big\r\nMessage-ID: <big-2@example.com>\r\n\r\n" + line * 1300
    try:
        with socket.create_connection(("127.0.0.1", port)) as slow:
            reader = at_data(slow)
            slow.sendall(b"Message-ID: <big-1@example.com>\r\n\r\n" + line * 1300)  # past 1 MiB: takes the slot
            deadline = time.monotonic() + 30
            while not taken(server) and time.monotonic() < deadline:  # until the server has read past 1 MiB
                time.sleep(0.01)
            assert taken(server)
            with smtplib.SMTP("127.0.0.1", port) as other:
                other.sendmail("lee@example.org", [SERVICE], load("plain_introduction.eml"))  # small: never waits
                with pytest.raises(smtplib.SMTPDataError) as refused:
                    other.sendmail("lee@example.org", [SERVICE], big)
            assert refused.value.smtp_code == 451 and b"Too many messages arriving at once" in refused.value.smtp_error
            slow.sendall(b"end\r\n.\r\n")
            assert reader.readline().startswith(b"250")
    finally:
        server.stop()
    assert sorted(str(m.message_id) for m in stored(engine)) == ["big-1@example.com", "intro-1@mail.example.com"]


def taken(server: SmtpComponent) -> bool:
    """Whether every slot for large messages is in use."""
    slots = server.guard._receiving
    return slots is not None and slots[1].locked()


def at_data(sock: socket.socket) -> BinaryIO:
    """Greeted, EHLO, MAIL, RCPT and DATA sent on ``sock``, 354 read: its reader."""
    reader = sock.makefile("rb")
    reader.readline()
    for command in (b"EHLO x", b"MAIL FROM:<sam@example.com>", f"RCPT TO:<{SERVICE}>".encode(), b"DATA"):
        sock.sendall(command + b"\r\n")
        while (line := reader.readline())[3:4] == b"-":
            pass
    assert line.startswith(b"354"), line
    return reader
