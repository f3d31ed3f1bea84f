"""Hostile and careless clients over real sockets: connection limits, message rate, idle
timeout, garbage, floods. The server answers each with the right code and stays up.

Loopback clients are exempt from the per-client limits (a local MTA), so those tests
listen on, and connect from, this machine's non-loopback address.
"""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import Engine

from inbound.guard import TOO_MANY_CONNECTIONS, TOO_MANY_FROM_YOU, TOO_MANY_MESSAGES, Guard
from inbound.server import SmtpComponent
from tests.smtp_helpers import load, stored
from tests.test_smtp_limits import SERVICE, start


def outside_address() -> str:
    """An address of this machine that is not loopback (no packet is sent)."""
    address = ""
    for target in ("198.51.100.1", "10.255.255.254"):  # documentation/private: only to pick an interface
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect((target, 9))
            address = probe.getsockname()[0]
            break
        except OSError:
            continue
        finally:
            probe.close()
    if not address or address.startswith("127."):
        pytest.skip("this machine has no non-loopback IPv4 address to test per-client limits with")
    return address


@pytest.fixture
def outside() -> str:
    return outside_address()


def greeting(host: str, port: int) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection((host, port), timeout=10)
    return sock, sock.recv(1024)


def reply(sock: socket.socket, line: bytes) -> bytes:
    sock.sendall(line + b"\r\n")
    return sock.recv(4096)


def closed(sock: socket.socket) -> bool:
    """True once the server has closed the connection (reads what is left first)."""
    try:
        while chunk := sock.recv(4096):
            del chunk
    except OSError:
        return True
    return True


@pytest.fixture
def server(engine: Engine, outside: str, request: pytest.FixtureRequest) -> Iterator[SmtpComponent]:
    settings = getattr(request, "param", {})
    component = start(engine, INTRO_SMTP_HOST=outside, **settings)
    yield component
    component.stop()


@pytest.mark.parametrize("server", [{"INTRO_SMTP_MAX_CONNECTIONS_PER_CLIENT": "3"}], indirect=True)
def test_connections_per_client_are_limited(server: SmtpComponent, outside: str) -> None:
    port = server.config.smtp.port
    with ExitStack() as stack:
        for _ in range(3):
            sock, hello = greeting(outside, port)
            stack.callback(sock.close)
            assert hello.startswith(b"220 ")
        refused, answer = greeting(outside, port)
        assert answer.decode().strip() == TOO_MANY_FROM_YOU and closed(refused)
    sock, hello = greeting(outside, port)  # the others have gone: room again
    assert hello.startswith(b"220 ")
    sock.close()


@pytest.mark.parametrize("server", [{"INTRO_SMTP_MAX_CONNECTIONS_PER_CLIENT": "1",
                                     "INTRO_SMTP_TRUSTED_NETWORKS": "0.0.0.0/0"}], indirect=True)
def test_trusted_networks_are_exempt(server: SmtpComponent, outside: str) -> None:
    with ExitStack() as stack:
        for _ in range(3):
            sock, hello = greeting(outside, server.config.smtp.port)
            stack.callback(sock.close)
            assert hello.startswith(b"220 ")


def test_the_total_applies_to_everyone(engine: Engine) -> None:
    component = start(engine, INTRO_SMTP_MAX_CONNECTIONS="2")
    try:
        port = component.config.smtp.port
        with ExitStack() as stack:
            for _ in range(2):
                sock, hello = greeting("127.0.0.1", port)
                stack.callback(sock.close)
                assert hello.startswith(b"220 ")
            refused, answer = greeting("127.0.0.1", port)
            assert answer.decode().strip() == TOO_MANY_CONNECTIONS and closed(refused)
    finally:
        component.stop()


@pytest.mark.parametrize("server", [{"INTRO_SMTP_MESSAGES_PER_MINUTE": "3"}], indirect=True)
def test_messages_per_client_are_limited_with_a_temporary_reply(server: SmtpComponent, outside: str,
                                                                 engine: Engine) -> None:
    raw = load("plain_introduction.eml")
    with smtplib.SMTP(outside, server.config.smtp.port) as client:
        for n in range(3):
            client.sendmail("sam@example.com", [SERVICE], raw.replace(b"<intro-1@", f"<intro-r{n}@".encode()))
        code, text = client.mail("sam@example.com")
    assert (code, text.decode()) == (451, TOO_MANY_MESSAGES[4:])
    assert len(stored(engine)) == 3  # the three before the limit, nothing half-taken


def test_message_rate_refills_over_time() -> None:
    now = [0.0]
    guard = Guard(10, 10, messages_per_minute=2, clock=lambda: now[0])
    assert [guard.message("198.51.100.1") for _ in range(3)] == [None, None, TOO_MANY_MESSAGES]
    assert guard.message("198.51.100.2") is None  # another client has its own allowance
    now[0] += 30.0  # one message's worth
    assert [guard.message("198.51.100.1") for _ in range(2)] == [None, TOO_MANY_MESSAGES]
    assert guard.message("127.0.0.1") is None and guard.exempt("::1") and guard.exempt("")


@pytest.mark.parametrize("server", [{"INTRO_SMTP_IDLE_TIMEOUT": "1s"}], indirect=True)
def test_a_silent_client_is_disconnected(server: SmtpComponent, outside: str) -> None:
    sock, hello = greeting(outside, server.config.smtp.port)
    assert hello.startswith(b"220 ")
    sock.settimeout(30)  # a generous deadline: the server must close first
    assert closed(sock)
    again, hello = greeting(outside, server.config.smtp.port)  # and it still serves others
    assert hello.startswith(b"220 ")
    again.close()


def test_garbage_commands_are_answered_then_cut_off(engine: Engine) -> None:
    component = start(engine)
    try:
        sock, _ = greeting("127.0.0.1", component.config.smtp.port)
        answers = [reply(sock, b"FROB " + bytes([n]) * 10) for n in range(65, 70)]
        assert all(a.startswith(b"500 ") for a in answers[:-1])
        assert answers[-1].startswith(b"502 5.5.1") and closed(sock)
        sock, _ = greeting("127.0.0.1", component.config.smtp.port)
        assert reply(sock, b"X" * 5000).startswith(b"500 ")  # an overlong line: an answer, not a crash
        assert reply(sock, b"\x00\xff\xfe garbage").startswith(b"500 ")
        assert reply(sock, b"EHLO client.example").startswith(b"250")
        sock.close()
    finally:
        component.stop()


def test_a_command_loop_is_ended(engine: Engine) -> None:
    component = start(engine)
    try:
        sock, _ = greeting("127.0.0.1", component.config.smtp.port)
        sock.sendall(b"EHLO client.example\r\n" * 101)  # pipelined, without waiting for answers
        received = b""
        sock.settimeout(30)
        while chunk := sock.recv(65536):
            received += chunk
        assert received.rstrip().endswith(b"421 4.7.0 EHLO sent too many times")
    finally:
        component.stop()


def test_a_pipelined_flood_of_recipients_is_answered_and_nothing_is_stored(engine: Engine) -> None:
    component = start(engine, INTRO_SMTP_MAX_RECIPIENTS="50")
    try:
        sock, _ = greeting("127.0.0.1", component.config.smtp.port)
        sock.settimeout(30)
        flood = b"EHLO c\r\nMAIL FROM:<a@example.com>\r\n" + b"RCPT TO:<intro@tally.example>\r\n" * 5000 + b"QUIT\r\n"
        sock.sendall(flood)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        lines = received.decode().splitlines()
        assert sum(1 for line in lines if line.startswith("250 2.1.5")) == 50
        assert sum(1 for line in lines if line.startswith("452 4.5.3")) == 4950
        assert lines[-1].startswith("221")
        assert stored(engine) == []
        with smtplib.SMTP("127.0.0.1", component.config.smtp.port) as client:  # still up
            assert client.noop()[0] == 250
    finally:
        component.stop()


def test_hundreds_of_connections_at_once(engine: Engine) -> None:
    component = start(engine, INTRO_SMTP_MAX_CONNECTIONS="100")
    try:
        port = component.config.smtp.port
        with ExitStack() as stack:
            answers = []
            for _ in range(300):
                sock, hello = greeting("127.0.0.1", port)
                stack.callback(sock.close)
                answers.append(hello[:3])
            assert answers.count(b"220") == 100 and answers.count(b"421") == 200
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("sam@example.com", [SERVICE], load("plain_introduction.eml"))
        assert len(stored(engine)) == 1
    finally:
        component.stop()
