"""Forget means forgotten (issue 12): after `intro person forget`, the address is in no
byte of the database file, its write-ahead log or the outbox, however the mail that named
it was encoded; and a later introduction naming it records and mails no one."""

from __future__ import annotations

import base64
import quopri
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from intro import config as intro_config
from intro import mail_text
from intro.config import Config
from intro.db import transaction
from intro.models import FollowUp, InboundMessage, Person, Suppressed
from tests.conftest import free_port
from tests.helpers import environ, run_intro
from tests.loop_helpers import SERVICE, deliver, run

DANA = "dana.reyes@example.net"
HEAD = ("From: Sam Carter <sam@example.com>\r\nTo: Lee Park <lee@example.org>\r\nCc: intro@tally.example\r\n"
        "Date: Tue, 03 Mar 2026 09:15:00 +0000\r\nMIME-Version: 1.0\r\n")


def _mail(n: int, headers: str, body: bytes) -> bytes:
    return f"{HEAD}Message-ID: <enc-{n}@example.com>\r\n{headers}\r\n".encode() + body


def encoded() -> dict[str, tuple[bytes, bytes]]:
    """Messages that name Dana only in an encoded form, each with a fragment of it as stored."""
    b64 = base64.encodebytes(f"Please write to {DANA} about the garden.\r\n".encode())
    qp = quopri.encodestring(f"Please write to {DANA} about the garden.".encode()).replace(
        DANA.encode(), b"dana.re=\r\nyes@example.net")  # a soft line break inside the address
    word = "=?utf-8?b?" + base64.b64encode(f"Notes for {DANA}".encode()).decode() + "?="
    utf16 = base64.encodebytes(f"\ufeffReach {DANA} soon.".encode("utf-16-le"))
    return {
        "base64": (_mail(1, "Subject: garden\r\nContent-Type: text/plain; charset=utf-8\r\n"
                           "Content-Transfer-Encoding: base64\r\n", b64), b64.split(b"\n")[0]),
        "quoted-printable": (_mail(2, "Subject: garden\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                     "Content-Transfer-Encoding: quoted-printable\r\n", qp), b"dana.re=\r\nyes"),
        "encoded word": (_mail(3, f"Subject: {word}\r\nContent-Type: text/plain\r\n", b"See the subject.\r\n"),
                         word.encode()),
        "html entity": (_mail(4, "Subject: garden\r\nContent-Type: text/html; charset=utf-8\r\n",
                              b"<p>Write to dana.reyes&#64;example.net</p>\r\n"), b"dana.reyes&#64;example.net"),
        "utf-16": (_mail(5, "Subject: garden\r\nContent-Type: text/plain; charset=utf-16\r\n"
                           "Content-Transfer-Encoding: base64\r\n", utf16), utf16.split(b"\n")[0]),
    }


INTRODUCTION = (f"From: Sam Carter <sam@example.com>\r\nTo: Dana Reyes <{DANA}>, Lee Park <lee@example.org>\r\n"
                "Cc: intro@tally.example\r\nSubject: Dana, meet Lee\r\nDate: Tue, 03 Mar 2026 09:15:00 +0000\r\n"
                "Message-ID: <{id}@example.com>\r\n\r\nDana, meet Lee. Lee runs the garden project; Dana is "
                "looking for volunteers.\r\n\r\nI'll let you two take it from here.\r\n\r\nSam\r\n")


def settings(outbox: Path) -> Config:
    return intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
                                      "INTRO_FOLLOWUP_MAX_AGE": "3650d", "INTRO_RELAY_OUTBOX": str(outbox)})


def on_disk(db_url: str) -> bytes:
    """The SQLite database file and its write-ahead log, as bytes; b"" on PostgreSQL."""
    if not db_url.startswith("sqlite"):
        return b""
    path = Path(db_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_after_forget_the_address_is_in_no_byte_anywhere(engine: Engine, db_url: str, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    config = settings(outbox)
    messages = encoded()
    deliver(config, engine, INTRODUCTION.replace("{id}", "intro-1").encode())
    for raw, _ in messages.values():
        deliver(config, engine, raw)
    run(config, engine, datetime.now(UTC) + timedelta(days=15))  # the follow-ups, into the outbox
    assert any(mail_text.mentions(p.read_bytes(), DANA) for p in outbox.iterdir())
    with transaction(engine) as s:
        raws = s.scalars(select(InboundMessage.raw)).all()
    assert sum(mail_text.mentions(raw, DANA) for raw in raws) == len(messages) + 1
    if db_url.startswith("sqlite"):
        assert DANA.encode() in on_disk(db_url)
        for what, (_, fragment) in messages.items():
            assert fragment in on_disk(db_url), what

    done = run_intro("person", "forget", DANA, "--yes", cwd=tmp_path,
                     env=environ(INTRO_DATABASE_URL=db_url, INTRO_RELAY_OUTBOX=str(outbox)))
    assert done.returncode == 0, done.stderr

    with transaction(engine) as s:
        assert not any(mail_text.mentions(raw, DANA) for raw in s.scalars(select(InboundMessage.raw)))
        assert s.scalar(select(func.count()).select_from(Person).where(Person.email == DANA)) == 0
    assert not any(mail_text.mentions(p.read_bytes(), DANA) for p in outbox.iterdir())
    assert any(outbox.iterdir())  # Lee's follow-up, which does not name her address, stays
    stored = on_disk(db_url)
    forms = [DANA.encode(), DANA.encode("utf-16-le"), DANA.encode("utf-16-be"), b"dana.reyes&#64;example.net",
             base64.b64encode(DANA.encode())]
    for form in forms:
        assert form not in stored, form
    for what, (_, fragment) in messages.items():
        assert fragment not in stored, what
    if db_url.startswith("sqlite"):
        assert not Path(f"{db_url.removeprefix('sqlite:///')}-wal").exists() or \
            Path(f"{db_url.removeprefix('sqlite:///')}-wal").stat().st_size == 0 or DANA.encode() not in stored


def test_a_later_introduction_naming_a_forgotten_address_mails_no_one(engine: Engine, db_url: str,
                                                                       tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    config = settings(outbox)
    deliver(config, engine, INTRODUCTION.replace("{id}", "intro-1").encode())
    done = run_intro("person", "forget", DANA, "--yes", cwd=tmp_path,
                     env=environ(INTRO_DATABASE_URL=db_url, INTRO_RELAY_OUTBOX=str(outbox)))
    assert done.returncode == 0, done.stderr
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Suppressed)) == 1
        assert DANA not in str(s.scalars(select(Suppressed.hash)).all())  # a keyed hash, not the address
        followups_before = s.scalar(select(func.count()).select_from(FollowUp))

    deliver(config, engine, INTRODUCTION.replace("{id}", "intro-2").encode())
    with transaction(engine) as s:
        message = s.scalars(select(InboundMessage).where(InboundMessage.message_id == "intro-2@example.com")).one()
        assert message.kind == "other" and "forgotten at their request" in (message.note or "")
        assert message.raw == b""  # the mail naming her is not kept
        assert s.scalar(select(func.count()).select_from(Person).where(Person.email == DANA)) == 0
        assert s.scalar(select(func.count()).select_from(FollowUp)) == followups_before
    run(config, engine, datetime.now(UTC) + timedelta(days=15))
    assert not any(mail_text.mentions(p.read_bytes(), DANA) for p in outbox.iterdir()) if outbox.exists() else True

    # Lifted at her own request: she may be recorded again.
    lifted = run_intro("person", "allow", DANA, cwd=tmp_path, env=environ(INTRO_DATABASE_URL=db_url))
    assert lifted.returncode == 0, lifted.stderr
    deliver(config, engine, INTRODUCTION.replace("{id}", "intro-3").encode())
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Person).where(Person.email == DANA)) == 1
