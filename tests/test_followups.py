"""The follow-up loop over real sockets: an introduction arrives over SMTP, time passes,
follow-ups reach a real SMTP sink, and what comes back is understood."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from inbound.processor import process_pending
from intro import config as intro_config
from intro.answers import opt_out
from intro.config import Config
from intro.db import transaction
from intro.models import Answer, FollowUp, InboundMessage, MailStatus, Person
from tests.conftest import free_port
from tests.loop_helpers import SERVICE, Sink, deliver, run, tags
from tests.smtp_helpers import load
from web import create_app

MADE = datetime(2026, 3, 3, 9, 15, tzinfo=UTC)
DUE = datetime(2026, 3, 17, 10, tzinfo=UTC)  # 14 days later
REMIND = datetime(2026, 3, 25, 10, tzinfo=UTC)  # and 7 more


@pytest.fixture
def config(sink: tuple[Sink, int]) -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(sink[1]), "INTRO_RELAY_SECURITY": "none",
        "INTRO_BASE_URL": "https://intro.example.org", "INTRO_FOLLOWUP_MAX_AGE": "3650d",
    })


def test_the_whole_loop(config: Config, engine: Engine, sink: tuple[Sink, int]) -> None:
    received = sink[0].received
    deliver(config, engine, load("plain_introduction.eml"))
    assert run(config, engine, MADE).sent == 0  # not due yet
    assert run(config, engine, DUE).sent == 2
    assert sorted(r[1][0] for r in received) == ["dana@example.net", "lee@example.org"]
    tag = tags(engine)
    for mail_from, [rcpt], message in received:
        assert mail_from == f"intro+b-{tag[rcpt]}@tally.example"  # bounces come back tagged
        assert message["Reply-To"] == f"intro+f-{tag[rcpt]}@tally.example"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["X-Auto-Response-Suppress"] == "All"
        assert message["Message-ID"] and message["Date"]
        unsubscribe = str(message["List-Unsubscribe"])
        assert f"<mailto:intro+u-{tag[rcpt]}@tally.example?subject=unsubscribe>" in unsubscribe
        assert "<https://intro.example.org/u/" in unsubscribe
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "Sam Carter" in text and "https://intro.example.org/a/" in text
    assert run(config, engine, DUE).sent == 0  # a second pass sends nothing new

    # Lee follows the "not yet" link: the GET (what a link scanner does) records nothing,
    # the form's POST does.
    lee = next(m for _, [rcpt], m in received if rcpt == "lee@example.org")
    html = lee.get_body(("html",)).get_content()  # type: ignore[union-attr]
    link = re.search(r'href="https://intro\.example\.org(/a/[^"?]+)\?answer=not_yet"', html)
    assert link is not None
    client = create_app(config, engine).test_client()
    page = client.get(f"{link.group(1)}?answer=not_yet")
    assert page.status_code == 200 and "Sam Carter" in page.text
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Answer)) == 0
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    posted = client.post(link.group(1), data={"csrf_token": csrf.group(1), "answer": "not_yet", "comment": "soon"})
    assert posted.status_code == 200

    # Dana answers by mail; Lee's out-of-office answers for him.
    answer = load("answer_yes.eml").replace(b"TAG", tag["dana@example.net"].encode())
    deliver(config, engine, answer, rcpt=f"intro+f-{tag['dana@example.net']}@tally.example",
            sender="dana@example.net")
    ooo = load("out_of_office.eml").replace(b"TAG", tag["lee@example.org"].encode())
    deliver(config, engine, ooo, rcpt=f"intro+f-{tag['lee@example.org']}@tally.example", sender="")
    with transaction(engine) as s:
        answers = {email_: a for a, email_ in s.execute(
            select(Answer, Person.email).join(FollowUp, Answer.followup_id == FollowUp.id)
            .join(FollowUp.party).join(Person))}
        assert answers["lee@example.org"].value.value == "not_yet" and answers["lee@example.org"].source == "web"
        answered = answers["dana@example.net"]
        assert answered.value.value == "helped" and answered.source == "reply"
        assert "workshop" in answered.comment and "Did the introduction" not in answered.comment
        kinds = dict(s.execute(select(InboundMessage.message_id, InboundMessage.kind)).all())
        assert kinds["ooo-1@mail.example.org"] == "auto_reply"

    # Both answered (an out-of-office is no answer, but Lee answered on the web): no reminders,
    # and the out-of-office produced no mail at all.
    before = len(received)
    assert run(config, engine, REMIND).sent == 0
    assert len(received) == before


def test_one_reminder_to_those_who_did_not_answer(config: Config, engine: Engine, sink: tuple[Sink, int]) -> None:
    received = sink[0].received
    deliver(config, engine, load("plain_introduction.eml"))
    run(config, engine, DUE)
    tag = tags(engine)
    answer = load("answer_yes.eml").replace(b"TAG", tag["dana@example.net"].encode())
    deliver(config, engine, answer, rcpt=f"intro+f-{tag['dana@example.net']}@tally.example",
            sender="dana@example.net")
    before = len(received)
    assert run(config, engine, REMIND).sent == 1
    assert [r[1] for r in received[before:]] == [["lee@example.org"]]
    assert "reminder" in str(received[-1][2]["Message-ID"])
    assert run(config, engine, datetime(2026, 6, 1, tzinfo=UTC)).sent == 0  # never a second


def test_nobody_who_opted_out_gets_mail(config: Config, engine: Engine, sink: tuple[Sink, int]) -> None:
    deliver(config, engine, load("plain_introduction.eml"))
    with transaction(engine, write=True) as s:
        opt_out(s, s.scalars(select(Person.id).where(Person.email == "lee@example.org")).one())
    assert run(config, engine, DUE).sent == 1
    assert [r[1] for r in sink[0].received] == [["dana@example.net"]]
    with transaction(engine) as s:
        statuses = {f.party.person.email: (f.status, f.last_error) for f in s.scalars(select(FollowUp))}
    assert statuses["lee@example.org"] == (MailStatus.CANCELLED, "opted out")


def test_unsubscribing_by_mail_and_bouncing_stop_all_mail(config: Config, engine: Engine,
                                                         sink: tuple[Sink, int]) -> None:
    deliver(config, engine, load("plain_introduction.eml"))
    run(config, engine, DUE)
    tag = tags(engine)
    unsubscribe = (b"From: Lee Park <lee@example.org>\r\nSubject: unsubscribe\r\nMessage-ID: <u-1@x>\r\n\r\n"
                   b"unsubscribe\r\n")
    deliver(config, engine, unsubscribe, rcpt=f"intro+u-{tag['lee@example.org']}@tally.example",
            sender="lee@example.org")
    bounce = load("plain_introduction.eml")  # stands in for the returned message
    dsn = (b"From: MAILER-DAEMON@mx.example.net\r\nTo: intro+b-" + tag["dana@example.net"].encode() +
           b"@tally.example\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-1@x>\r\n"
           b"X-Failed-Recipients: dana@example.net\r\nContent-Type: text/plain\r\n\r\n"
           b"This is the mail system. The message could not be delivered: 550 5.1.1 user unknown\r\n\r\n" + bounce)
    deliver(config, engine, dsn, rcpt=f"intro+b-{tag['dana@example.net']}@tally.example", sender="")
    with transaction(engine) as s:
        people = {p.email: p for p in s.scalars(select(Person))}
        assert people["lee@example.org"].opted_out_at is not None
        assert people["dana@example.net"].bouncing_since is not None
    before = len(sink[0].received)
    assert run(config, engine, REMIND).sent == 0  # no reminder to either
    assert len(sink[0].received) == before


def test_temporary_refusals_are_retried_and_permanent_ones_are_not(config: Config, engine: Engine,
                                                                  sink: tuple[Sink, int]) -> None:
    handler = sink[0]
    handler.refuse = {"dana@example.net": "451 4.3.0 try later", "lee@example.org": "550 5.1.1 no such user"}
    deliver(config, engine, load("plain_introduction.eml"))
    summary = run(config, engine, DUE)
    assert (summary.sent, summary.retried, summary.failed) == (0, 1, 1)
    handler.refuse = {}
    assert run(config, engine, DUE).sent == 0  # backoff: not yet
    assert run(config, engine, datetime(2026, 3, 17, 11, tzinfo=UTC)).sent == 1
    with transaction(engine) as s:
        by_person = {f.party.person.email: f for f in s.scalars(select(FollowUp))}
        assert by_person["dana@example.net"].status is MailStatus.SENT
        assert by_person["lee@example.org"].status is MailStatus.FAILED
        assert "550" in (by_person["lee@example.org"].last_error or "")


def test_a_relay_that_is_down_delays_and_nothing_is_lost(config: Config, engine: Engine) -> None:
    down = intro_config.load(environ={**{"INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(config.smtp.port),
                                         "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(free_port()),
                                         "INTRO_RELAY_SECURITY": "none", "INTRO_FOLLOWUP_MAX_AGE": "3650d"}})
    deliver(down, engine, load("plain_introduction.eml"))
    summary = run(down, engine, DUE)
    assert (summary.sent, summary.retried) == (0, 2)
    assert run(config, engine, datetime(2026, 3, 17, 11, tzinfo=UTC)).sent == 2


def test_concurrent_schedulers_send_each_follow_up_once(config: Config, engine: Engine,
                                                        sink: tuple[Sink, int]) -> None:
    from inbound.understanding.mime import envelope_id
    from intro.messages import arrival, store

    # Forty different people: one person's follow-ups due together would go out as one mail.
    raws = [load("plain_introduction.eml").replace(b"<intro-1@", f"<intro-{n}@".encode())
            .replace(b"dana@", f"dana{n}@".encode()).replace(b"lee@", f"lee{n}@".encode()) for n in range(20)]
    store(engine, [arrival(raw, "sam@example.com", [SERVICE], "127.0.0.1", envelope_id(raw)) for raw in raws])
    process_pending(engine, config)
    threads = [threading.Thread(target=run, args=(config, engine, DUE)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    message_ids = [str(r[2]["Message-ID"]) for r in sink[0].received]
    assert len(message_ids) == 40 == len(set(message_ids))  # each follow-up once, none twice
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.sent_at.is_not(None))) == 40



def test_names_outside_ascii_arrive_intact(config: Config, engine: Engine, sink: tuple[Sink, int]) -> None:
    deliver(config, engine, load("group_introduction_de.eml"), sender="juergen@example.de")
    assert run(config, engine, datetime(2026, 1, 27, tzinfo=UTC)).sent == 3
    by_rcpt = {rcpt: message for _, [rcpt], message in sink[0].received}
    chloe = by_rcpt["chloe@example.com"]
    # Written in German: asked in German (intro.languages), the names intact in the encoded subject.
    assert chloe["Content-Language"] == "de"
    assert str(chloe["Subject"]) == "Hat die Vorstellung durch Jürgen Müller mit Anna Schmidt und Ben Okafor geholfen?"
    assert str(chloe["To"]) == "Chloé Martin <chloe@example.com>"
    text = chloe.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Vorstellung: Anna, Ben und Chloé" in " ".join(text.split())  # the text is wrapped at 72


def test_intro_followups_run_with_now_from_the_command_line(tmp_path, db_url: str, sink: tuple[Sink, int]) -> None:
    from tests.helpers import environ, run_intro

    env = environ(INTRO_DATABASE_URL=db_url, INTRO_SERVICE_ADDRESS=SERVICE, INTRO_RELAY_HOST="127.0.0.1",
                  INTRO_RELAY_PORT=str(sink[1]), INTRO_RELAY_SECURITY="none", INTRO_FOLLOWUP_MAX_AGE="3650d")
    (tmp_path / "intro.eml").write_bytes(load("plain_introduction.eml"))
    assert run_intro("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    assert "introductions found 1" in run_intro("import", "intro.eml", cwd=tmp_path, env=env).stdout
    early = run_intro("followups", "run", "--now", "2026-03-10T00:00:00Z", cwd=tmp_path, env=env)
    assert early.returncode == 0 and early.stdout.startswith("sent 0,")
    due = run_intro("followups", "run", "--now", "2026-03-17T10:00:00", cwd=tmp_path, env=env)
    assert due.stdout.startswith("sent 2,"), due.stderr
    assert sorted(r[1][0] for r in sink[0].received) == ["dana@example.net", "lee@example.org"]
    again = run_intro("followups", "run", "--now", "2026-03-17T10:00:00", cwd=tmp_path, env=env)
    assert again.stdout.startswith("sent 0,")
    bad = run_intro("followups", "run", "--now", "next tuesday", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and "not an ISO time" in bad.stderr


def test_the_relay_login_is_used_when_configured(engine: Engine) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            logins.append((data.login, data.password))
            return AuthResult(success=data.password == b"s3cret")
        return AuthResult(success=False)

    handler, port = Sink(), free_port()
    # No TLS in this test: AUTH over plain text to a sink on this machine.
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        env = {"INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()), "INTRO_RELAY_HOST": "127.0.0.1",
               "INTRO_RELAY_PORT": str(port), "INTRO_RELAY_SECURITY": "none", "INTRO_RELAY_USERNAME": "intro",
               "INTRO_FOLLOWUP_MAX_AGE": "3650d"}
        config = intro_config.load(environ={**env, "INTRO_RELAY_PASSWORD": "s3cret"})
        deliver(config, engine, load("plain_introduction.eml"))
        assert run(config, engine, DUE).sent == 2
    finally:
        controller.stop()
    assert (b"intro", b"s3cret") in logins and len(handler.received) == 2


def test_intro_scheduler_runs_the_scheduler_alone(tmp_path, db_url: str, sink: tuple[Sink, int]) -> None:
    """The part of a split deployment (docs/systemd/intro-scheduler.service): it sends what
    is due at once, keeps running, and stops cleanly on SIGTERM."""
    import signal
    import subprocess
    import time

    from tests.helpers import environ, intro_command, run_intro

    env = environ(INTRO_DATABASE_URL=db_url, INTRO_SERVICE_ADDRESS=SERVICE, INTRO_RELAY_HOST="127.0.0.1",
                  INTRO_RELAY_PORT=str(sink[1]), INTRO_RELAY_SECURITY="none", INTRO_FOLLOWUP_MAX_AGE="3650d")
    (tmp_path / "intro.eml").write_bytes(load("plain_introduction.eml"))
    assert run_intro("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    assert "introductions found 1" in run_intro("import", "intro.eml", cwd=tmp_path, env=env).stdout
    proc = subprocess.Popen([*intro_command(), "scheduler"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(sink[0].received) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert sorted(r[1][0] for r in sink[0].received) == ["dana@example.net", "lee@example.org"]
        assert proc.poll() is None  # still running, for the next pass
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=90)
    assert proc.returncode == 0 and "(scheduler)" in err and "Traceback" not in err, err
