"""A real crash: `intro smtp` killed with SIGKILL while mail arrives, then restarted.

Every message that got its 250 must be stored exactly once and processed after the
restart; a message whose sender saw no 250 and retried must not count twice.
"""

from __future__ import annotations

import signal
import smtplib
import subprocess
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from intro.db import make_engine, transaction
from intro.models import InboundMessage, MessageStatus
from tests.conftest import free_port
from tests.helpers import environ, intro_command, run_intro, wait_for_port
from tests.smtp_helpers import load

SERVICE = "intro@tally.example"


def message(n: int) -> bytes:
    return load("plain_introduction.eml").replace(b"<intro-1@", f"<crash-{n}@".encode())


def _start(tmp_path: Path, env: dict[str, str], port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen([*intro_command(), "smtp"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, proc=proc)
    return proc


def test_sigkill_loses_nothing_acknowledged_and_counts_retries_once(tmp_path: Path, db_url: str) -> None:
    port = free_port()
    env = environ(INTRO_SMTP_PORT=str(port), INTRO_SERVICE_ADDRESS=SERVICE, INTRO_DATABASE_URL=db_url,
                  INTRO_LOG_LEVEL="WARNING")
    acknowledged: set[int] = set()
    unanswered: set[int] = set()
    lock = threading.Lock()

    def sender(first: int, stop: threading.Event) -> None:
        for n in range(first, first + 1000):
            if stop.is_set():
                return
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                    client.sendmail("sam@example.com", [SERVICE], message(n))
                with lock:
                    acknowledged.add(n)
            except (OSError, smtplib.SMTPException):
                with lock:
                    unanswered.add(n)

    assert run_intro("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    proc = _start(tmp_path, env, port)
    stop = threading.Event()
    threads = [threading.Thread(target=sender, args=(i * 1000, stop)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)  # no chance to clean up, mid-stream
    proc.wait()
    stop.set()
    for t in threads:
        t.join()
    assert acknowledged, "no message was acknowledged before the kill"

    # Restart; the senders that saw no 250 retry, as an MTA would.
    proc = _start(tmp_path, env, port)
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            for n in sorted(unanswered):
                client.sendmail("sam@example.com", [SERVICE], message(n))
        engine = make_engine(db_url)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with transaction(engine) as s:
                waiting = s.scalar(select(func.count()).where(InboundMessage.status == MessageStatus.NEW))
            if waiting == 0:
                break
            time.sleep(0.2)
        with transaction(engine) as s:
            rows = s.execute(select(InboundMessage.message_id, InboundMessage.status)).all()
        engine.dispose()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)

    stored = [int(mid.split("@")[0].removeprefix("crash-")) for mid, _ in rows]
    assert len(stored) == len(set(stored)), "a message was stored twice"
    assert acknowledged <= set(stored), f"lost after a 250: {sorted(acknowledged - set(stored))[:10]}"
    assert set(stored) <= acknowledged | unanswered
    assert unanswered <= set(stored)  # every retry landed, once
    assert {status for _, status in rows} == {MessageStatus.PROCESSED}
