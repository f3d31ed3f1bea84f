"""However many introductions name one person, they get at most `per_person_per_week`
follow-up mails in any 7 days, and those due together come as one mail."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from intro import config as intro_config
from intro.config import Config
from intro.db import transaction
from intro.models import Answer, FollowUp, MailStatus
from tests.conftest import free_port
from tests.loop_helpers import SERVICE, Sink, deliver, run
from tests.smtp_helpers import load
from tests.test_surveys import csrf_token
from web import create_app

MADE = datetime(2026, 3, 3, 9, 15, tzinfo=UTC)  # the Date of plain_introduction.eml


def settings(port: int, **extra: str) -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()), "INTRO_FOLLOWUP_MAX_AGE": "3650d",
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(port), "INTRO_RELAY_SECURITY": "none",
        "INTRO_BASE_URL": "https://intro.example.org", "INTRO_FOLLOWUP_REMINDER": "0", **extra})


def introduce_dana(config: Config, engine: Engine, n: int, day: int = 0) -> None:
    """Introduction number ``n``: Dana and someone new, made ``day`` days after MADE."""
    when = (MADE + timedelta(days=day)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    raw = (load("plain_introduction.eml").replace(b"<intro-1@", f"<intro-c{n}@".encode())
           .replace(b"lee@example.org", f"friend{n}@example.org".encode())
           .replace(b"Dana, meet Lee", f"Dana, meet friend {n}".encode())
           .replace(b"Tue, 03 Mar 2026 09:15:00 +0000", when.encode()))
    deliver(config, engine, raw)


def to_dana(sink: Sink) -> list:  # type: ignore[type-arg]
    return [m for _, [rcpt], m in sink.received if rcpt == "dana@example.net"]


def test_follow_ups_due_together_come_as_one_mail(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1], INTRO_FOLLOWUP_DELAY="0")
    for n in range(3):
        introduce_dana(config, engine, n)
    summary = run(config, engine, MADE + timedelta(hours=1))
    assert summary.sent == 6 and summary.failed == 0  # three to Dana (in one mail), one to each friend
    [mail] = to_dana(sink[0])
    assert str(mail["Subject"]) == "Did these 3 introductions help?"
    assert mail["Reply-To"] is None and mail["List-Unsubscribe"]  # answers by link: a reply could not say which
    text = mail.get_body(("plain",)).get_content()
    assert all(f"friend {n}" in text for n in range(3))
    links = re.findall(r"It helped: (https://intro\.example\.org(/a/\S+))", text)
    assert len(links) == 3
    # Each link answers its own introduction.
    app = create_app(config, engine)
    client = app.test_client()
    path = links[1][1]
    page = client.get(path)
    client.post(path.split("?")[0], data={"answer": "helped", "csrf_token": csrf_token(page.text)})
    with transaction(engine) as s:
        [answered] = s.scalars(select(Answer.followup_id)).all()
        followup = s.get_one(FollowUp, answered)
        assert followup.party.introduction.subject == "Dana, meet friend 1"
        assert followup.party.person.email == "dana@example.net"


def test_no_more_than_the_weekly_number_of_mails(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1], INTRO_FOLLOWUP_DELAY="0", INTRO_FOLLOWUP_PER_PERSON_PER_WEEK="2")
    for day in range(4):  # one introduction a day, each followed up the same day
        introduce_dana(config, engine, day, day)
        run(config, engine, MADE + timedelta(days=day, hours=1))
    assert len(to_dana(sink[0])) == 2  # days 0 and 1; days 2 and 3 wait
    with transaction(engine) as s:
        waiting = s.scalars(select(FollowUp).where(FollowUp.status == MailStatus.PENDING)).all()
        assert len(waiting) == 2
        assert {f.next_attempt_at for f in waiting} == {MADE + timedelta(hours=1, days=7)}
    run(config, engine, MADE + timedelta(days=6))
    assert len(to_dana(sink[0])) == 2  # still within the week of the first mail
    run(config, engine, MADE + timedelta(days=7, hours=2))
    mails = to_dana(sink[0])
    assert len(mails) == 3 and str(mails[-1]["Subject"]) == "Did these 2 introductions help?"
    with transaction(engine) as s:
        assert not s.scalars(select(FollowUp).where(FollowUp.status == MailStatus.PENDING)).all()
    # Everyone else was mailed as usual, each once.
    friends = [rcpt for _, [rcpt], _ in sink[0].received if rcpt.startswith("friend")]
    assert sorted(friends) == [f"friend{n}@example.org" for n in range(4)]
