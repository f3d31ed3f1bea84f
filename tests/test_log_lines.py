"""What an operator sees: the installed `intro` commands, run as a service runs them, log
one line per message received, per message understood and per mail sent or not sent,
addresses redacted; and `/metrics` over real HTTP counts the same, on each database."""

from __future__ import annotations

import re
import signal
import smtplib
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from intro.db import make_engine, transaction
from intro.models import InboundMessage, MessageStatus
from tests.conftest import free_port
from tests.helpers import environ, intro_command, run_intro, wait_for_port
from tests.smtp_helpers import load

SERVICE = "intro@tally.example"
ADDRESSES = ("sam@example.com", "dana@example.net", "lee@example.org")


def _processed(db_url: str) -> bool:
    engine = make_engine(db_url)
    try:
        with transaction(engine) as s:
            return s.scalar(select(InboundMessage.status).where(InboundMessage.id == 1)) == MessageStatus.PROCESSED
    finally:
        engine.dispose()


def _stored_size(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with transaction(engine) as s:
            return s.scalars(select(InboundMessage.size)).one()
    finally:
        engine.dispose()


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err, err
    return err


def test_what_an_operator_sees(db_url: str, tmp_path: Path, sink: tuple[Any, int]) -> None:
    smtp_port, web_port = free_port(), free_port()
    env = environ(INTRO_DATABASE_URL=db_url, INTRO_SERVICE_ADDRESS=SERVICE, INTRO_SMTP_PORT=str(smtp_port),
                  INTRO_WEB_PORT=str(web_port), INTRO_WEB_METRICS="true", INTRO_TRUST_ON_NONE="accept",
                  INTRO_FOLLOWUP_MAX_AGE="3650d", INTRO_BASE_URL="https://intro.example.org",
                  INTRO_RELAY_HOST="127.0.0.1", INTRO_RELAY_PORT=str(sink[1]), INTRO_RELAY_SECURITY="none")
    assert run_intro("db", "upgrade", cwd=tmp_path, env=env).returncode == 0

    # Received, twice (the second copy is not stored again), and understood.
    smtp = subprocess.Popen([*intro_command(), "smtp"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(smtp_port, proc=smtp)
        with smtplib.SMTP("127.0.0.1", smtp_port) as client:
            client.sendmail("sam@example.com", [SERVICE], load("plain_introduction.eml"))
            client.sendmail("sam@example.com", ["intro+bcc@tally.example"], load("plain_introduction.eml"))
        deadline = time.monotonic() + 30
        while not _processed(db_url) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        inbound = _stop(smtp)
    ref = r"ref=[0-9A-F]{16}"
    found = re.search(rf"INFO inbound\.handler: received id=1 size=(\d+) client=127\.0\.0\.1 "
                      rf"message-id=<<redacted>@mail\.example\.com> {ref}\n", inbound)
    assert found, inbound
    assert int(found[1]) == _stored_size(db_url)
    assert re.search(rf"received id=duplicate size={found[1]} client=127\.0\.0\.1 message-id=<<redacted>@mail"
                     rf"\.example\.com> {ref}\n", inbound), inbound
    assert "INFO inbound.processor: processed id=1 kind=introduction\n" in inbound

    # Sent: Dana's follow-up goes out, Lee's is refused for good.
    sink[0].refuse = {"lee@example.org": "550 5.1.1 no such user"}
    sent = run_intro("followups", "run", "--now", "2026-03-17T10:00:00Z", cwd=tmp_path, env=env)
    assert sent.returncode == 0, sent.stderr
    assert re.search(r"INFO mailer\.outbox: sent kind=followup id=\d+ reply=250 OK\n", sent.stderr), sent.stderr
    assert re.search(r"WARNING mailer\.outbox: not sent kind=followup id=\d+ result=failed "
                     r"reason=refused: 550 5\.1\.1 no such user\n", sent.stderr), sent.stderr
    for address in ADDRESSES:
        assert address not in inbound + sent.stderr

    # Counted: the same, from the database, by a web node.
    web = subprocess.Popen([*intro_command(), "web"], cwd=tmp_path, env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(web_port, proc=web)
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/metrics", timeout=10) as reply:
            text = reply.read().decode()
    finally:
        _stop(web)
    samples = {(s.name, tuple(s.labels.values())): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert samples[("intro_messages_received_total", ())] == 1
    assert samples[("intro_messages_processed_total", ("introduction",))] == 1
    assert samples[("intro_mails", ("followup", "sent"))] == 1
    assert samples[("intro_mails", ("followup", "failed"))] == 1
    assert "@" not in text  # figures only: nobody is named
