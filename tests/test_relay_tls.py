"""The relay connection with TLS: STARTTLS (port 587 style) and implicit TLS (465 style),
against a real aiosmtpd server with a certificate made for the test."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from intro import config as intro_config
from tests.conftest import free_port
from tests.loop_helpers import SERVICE, Sink, deliver, run
from tests.smtp_helpers import load
from tests.test_followups import DUE


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed, so no test certificate can be made")
    cert, key = tmp_path / "relay.pem", tmp_path / "relay.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    # The client verifies as in production (ssl.create_default_context()); it trusts this
    # certificate because OpenSSL reads its default CA file from SSL_CERT_FILE.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    yield cert, key


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_follow_ups_go_out_over_tls(engine: Engine, certificate: tuple[Path, Path], security: str) -> None:
    handler, port = Sink(), free_port()
    context = _server_context(*certificate)
    if security == "starttls":
        # The relay refuses MAIL before STARTTLS: delivery proves the upgrade happened.
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        config = intro_config.load(environ={
            "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()), "INTRO_RELAY_HOST": "127.0.0.1",
            "INTRO_RELAY_PORT": str(port), "INTRO_RELAY_SECURITY": security, "INTRO_FOLLOWUP_MAX_AGE": "3650d"})
        deliver(config, engine, load("plain_introduction.eml"))
        assert run(config, engine, DUE).sent == 2
    finally:
        controller.stop()
    assert len(handler.received) == 2


def test_a_certificate_that_does_not_verify_is_refused(engine: Engine, certificate: tuple[Path, Path],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")  # back to the system's CAs, which never signed it
    handler, port = Sink(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=_server_context(*certificate),
                            require_starttls=True)
    controller.start()
    try:
        config = intro_config.load(environ={
            "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()), "INTRO_RELAY_HOST": "127.0.0.1",
            "INTRO_RELAY_PORT": str(port), "INTRO_FOLLOWUP_MAX_AGE": "3650d"})
        deliver(config, engine, load("plain_introduction.eml"))
        summary = run(config, engine, DUE)
    finally:
        controller.stop()
    assert (summary.sent, summary.retried) == (0, 2)  # not sent in the clear; tried again later
    assert handler.received == []
