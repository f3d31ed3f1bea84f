"""Crash safety, shortened: bench/crash_safety.py with 300 messages and 5 SIGKILLs, per backend.

`intro serve` is killed (its whole process group) at random moments while eight
connections send, and once while the processor works through the backlog; the clients
retry whatever got no 250. Every acknowledged message must then be stored once, under
the id its 250 named, and processed into one introduction. Deadlines only, no timings.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.helpers import environ, run_intro

sys.path.insert(0, str(REPO / "bench"))
import crash_safety  # noqa: E402

MESSAGES, KILLS = 300, 5


def test_repeated_sigkills_lose_and_duplicate_nothing(tmp_path: Path, db_url: str) -> None:
    report = crash_safety.run(db_url, tmp_path, messages=MESSAGES, kills=KILLS, processing_kills=1, senders=8,
                              deadline=180)
    figures = report.figures

    assert not report.failures(), report.table()
    assert figures["kills"] == KILLS, report.table()
    assert figures["retries"] > 0, "no kill interrupted a sender:\n" + report.table()
    # The clients retried until every message got its 250; each is stored and processed once.
    assert figures["messages sent"] == figures["acknowledged"] == figures["found"] == MESSAGES, report.table()

    # What the command line reports agrees.
    env = environ(INTRO_DATABASE_URL=db_url)
    stats = json.loads(run_intro("stats", "--json", cwd=tmp_path, env=env).stdout)
    assert stats["messages"] == MESSAGES
    assert stats["messages_unprocessed"] == stats["messages_failed"] == 0
    listed = run_intro("intros", "--json", cwd=tmp_path, env=env).stdout.splitlines()
    message_ids = [json.loads(line)["message_id"] for line in listed]
    assert len(message_ids) == len(set(message_ids)) == MESSAGES
