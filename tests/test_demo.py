"""`intro demo seed` and `intro web`, run as a user runs them."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import free_port
from tests.helpers import environ, intro_command, run_intro, wait_for_port


def test_seed_fills_a_realistic_campaign(tmp_path: Path, db_url: str) -> None:
    env = environ(INTRO_DATABASE_URL=db_url)
    assert run_intro("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    out = run_intro("demo", "seed", "--intros", "300", "--participants", "7", "--year", "2025", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("seeded 300 introductions by 7 participants")
    stats = json.loads(run_intro("stats", "--json", cwd=tmp_path, env=env).stdout)
    assert stats["introductions"] == 300 and stats["answers"] > 0
    rows = [json.loads(line) for line in run_intro("intros", "--json", cwd=tmp_path, env=env).stdout.splitlines()]
    assert len(rows) == 300 and all(r["campaign"] == 2025 and 2 <= len(r["parties"]) <= 3 for r in rows)
    assert all(p.endswith(("@example.com", "@example.net")) for r in rows for p in r["parties"])
    again = run_intro("demo", "seed", "--intros", "10", "--participants", "1", "--year", "2025", cwd=tmp_path, env=env)
    assert again.returncode == 0 and "adding to the introductions" in again.stderr


def test_a_scheduler_after_seeding_mails_nobody(tmp_path: Path, db_url: str) -> None:
    """This year's campaign, so that some follow-ups would fall due later and some
    reminders are owed: a pass now, and a month from now, sends nothing at all."""
    env = environ(INTRO_DATABASE_URL=db_url, INTRO_RELAY_OUTBOX=str(tmp_path / "outbox"),
                  INTRO_FOLLOWUP_DELAY="14d", INTRO_FOLLOWUP_REMINDER="7d")
    assert run_intro("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    seeded = run_intro("demo", "seed", "--intros", "2000", "--participants", "10", cwd=tmp_path, env=env)
    assert seeded.returncode == 0, seeded.stderr
    now = datetime.now(UTC)
    for when in (now, now + timedelta(days=30), now + timedelta(days=400)):
        done = run_intro("followups", "run", "--now", when.isoformat(), cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == ("sent 0, to retry 0, failed 0, notes to introducers 0, links 0, pace notes 0, "
                                       "mails about asks 0")
    assert not list((tmp_path / "outbox").glob("*.eml"))
    stats = json.loads(run_intro("stats", "--json", cwd=tmp_path, env=env).stdout)
    assert stats["followups_sent"] > 0 and stats["answers"] > 0  # the campaign still looks lived in


def test_intro_web_serves_the_site_alone(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([*intro_command(), "web"], cwd=tmp_path, env=environ(INTRO_WEB_PORT=str(port)),
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, proc=proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as reply:
            assert reply.read() == b"ok\n"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "(web)" in err and "Traceback" not in err
