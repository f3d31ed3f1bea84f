"""Load held, shortened: bench/load_held.py for 12 seconds with 2 senders, per backend.

`intro serve` receives introductions from two SMTP senders (paced, 30 a second in all,
so that the backlog is small) while a reader fetches `/` and `/api/tallies` without pause
and the scheduler, every 3 seconds here instead of every minute, mails the follow-ups to
an SMTP sink. No SMTP or web error; every acknowledged message stored once and
processed into one introduction; every follow-up at the sink. Deadlines only, no timings.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.helpers import environ, run_intro

sys.path.insert(0, str(REPO / "bench"))
import load_held  # noqa: E402


def test_load_held_without_errors(tmp_path: Path, db_url: str) -> None:
    report = load_held.run(db_url, tmp_path, minutes=0.2, senders=2, baseline=2, scheduler_interval=3,
                           deadline=120, rate=30)
    figures = report.figures

    assert not report.failures(), report.table()
    assert figures["SMTP errors"] == figures["web errors"] == 0, report.table()
    assert figures["web requests"] > 0, report.table()
    # Every acknowledged message stored (once) and processed into one introduction.
    assert figures["acknowledged"] == figures["sent"] > 0, report.table()
    assert figures["found"] == figures["introductions"] == figures["acknowledged"], report.table()
    # Two follow-ups per introduction, all at the sink by the end. (How many went out while
    # the load was on depends on timing: the processor defers while messages keep arriving.)
    assert figures["follow-ups"] == 2 * figures["introductions"], report.table()
    assert figures["mails at sink"] == figures["follow-ups"] >= 1, report.table()

    # What the command line reports agrees.
    stats = json.loads(run_intro("stats", "--json", cwd=tmp_path, env=environ(INTRO_DATABASE_URL=db_url)).stdout)
    assert stats["messages"] == figures["acknowledged"]
    assert stats["messages_unprocessed"] == stats["messages_failed"] == 0
    assert stats["introductions"] == figures["introductions"]
    assert stats["followups_sent"] == figures["follow-ups"]
