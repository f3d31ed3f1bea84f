"""Follow-ups sent per second to a local SMTP sink, for 10,000 due follow-ups.

The sink is bench/bare_smtp.py in its own process. The baseline, in the same run, is
smtplib alone sending the same number of ready-made messages over one connection to the
same sink: the floor that any sender pays for SMTP itself. The figure for intro covers
the whole pass: claim, render, compose, send, and mark sent.

    .venv/bin/python bench/followups_send.py [--followups 10000] [--dkim]

With --dkim, two more passes sign every mail (an RSA key, then RSA and ed25519), and
print their rates as ratios to the unsigned pass of the same run.
"""

from __future__ import annotations

import argparse
import smtplib
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from intro import config as intro_config
from intro import dkim_keys, schema
from intro.db import make_engine, transaction
from intro.models import Campaign, FollowUp, Introduction, IntroductionParty, MailStatus, Person
from intro.outbox import new_tag
from intro.secret import secret_key
from mailer.outbox import run_once
from mailer.render import Renderer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from smtp_ingest import free_port, wait_for  # noqa: E402

MADE = datetime(2026, 3, 3, 9, 15, tzinfo=UTC)


def seed(url: str, followups: int) -> None:
    """Introductions of two people each, one due follow-up per person (bulk inserts)."""
    engine = make_engine(url)
    schema.upgrade(engine)
    intros = followups // 2
    with transaction(engine, write=True) as s:
        s.execute(insert(Campaign), [{"id": 1, "year": 2026, "goal": 15, "name": "15 in 2026"}])
        s.execute(insert(Person), [{"id": 1, "email": "sam@example.com", "display_name": "Sam Carter",
                                    "created_at": MADE}] + [
            {"id": 2 + i, "email": f"person{i}@example.net", "display_name": f"Person {i}", "created_at": MADE}
            for i in range(followups)])
        s.execute(insert(Introduction), [{"id": 1 + i, "campaign_id": 1, "introducer_id": 1,
                                          "subject": f"Meet each other ({i})", "made_at": MADE,
                                          "recorded_at": MADE} for i in range(intros)])
        s.execute(insert(IntroductionParty), [{"id": 1 + p, "introduction_id": 1 + p // 2, "person_id": 2 + p,
                                               "email": f"person{p}@example.net"}
                                              for p in range(intros * 2)])
        s.execute(insert(FollowUp), [{"party_id": 1 + p, "tag": new_tag(), "due_at": MADE + timedelta(days=14),
                                      "status": MailStatus.PENDING, "attempts": 0}
                                     for p in range(intros * 2)])
    engine.dispose()


def baseline(port: int, count: int, sample: bytes) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for n in range(count):
            client.sendmail(f"intro+b-{n}@tally.example", [f"person{n}@example.net"], sample)
    return count / (time.perf_counter() - start)


def one_pass(port: int, count: int, folder: str, **settings: str) -> float:
    """Follow-ups a second for a whole pass over ``count`` due ones, on a database of its own."""
    url = f"sqlite:///{folder}/bench-{len(settings)}.db"
    seed(url, count)
    config = intro_config.load(environ={
        "INTRO_DATABASE_URL": url, "INTRO_SERVICE_ADDRESS": "intro@tally.example",
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(port), "INTRO_RELAY_SECURITY": "none",
        "INTRO_BASE_URL": "https://intro.example.org", **settings})
    engine = make_engine(url)
    secret = secret_key(engine, "")
    start = time.perf_counter()
    summary = run_once(config, engine, secret, MADE + timedelta(days=15), Renderer())
    elapsed = time.perf_counter() - start
    assert summary.sent == count, summary.describe()
    engine.dispose()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followups", type=int, default=10000)
    parser.add_argument("--dkim", action="store_true",
                        help="Also sign with DKIM (an RSA key; then RSA and ed25519) and compare.")
    args = parser.parse_args()
    count = args.followups
    port = free_port()
    sink = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_smtp.py"), str(port)],
                            stdout=subprocess.DEVNULL)
    try:
        wait_for(port)
        with tempfile.TemporaryDirectory() as folder:
            rate = one_pass(port, count, folder)
            sample = (ROOT / "docs" / "emails" / "followup.txt").read_bytes()
            floor = baseline(port, count, b"Subject: x\r\n\r\n" + sample.replace(b"\n", b"\r\n"))
            print(f"{count} follow-ups: intro {rate:.0f}/s (whole pass: claim, render, compose, send, mark); "
                  f"smtplib alone {floor:.0f}/s; ratio {rate / floor:.2f}")
            if args.dkim:
                keys = {}
                for kind in ("rsa", "ed25519"):
                    pem, _ = dkim_keys.generate(kind)
                    keys[kind] = Path(folder) / f"{kind}.pem"
                    dkim_keys.write_private(keys[kind], pem)
                rsa = {"INTRO_MAIL_DKIM_SELECTOR": "s", "INTRO_MAIL_DKIM_KEY": str(keys["rsa"])}
                signed = one_pass(port, count, folder, **rsa)
                both = one_pass(port, count, folder, **rsa, INTRO_MAIL_DKIM_ED25519_SELECTOR="e",
                                INTRO_MAIL_DKIM_ED25519_KEY=str(keys["ed25519"]))
                print(f"signed with DKIM: rsa-sha256 {signed:.0f}/s (ratio to unsigned {signed / rate:.2f}); "
                      f"rsa-sha256 and ed25519-sha256 {both:.0f}/s (ratio {both / rate:.2f})")
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    main()
