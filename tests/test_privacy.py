"""A person's data: export, forget (by command, on their page, asked for by mail), raw
mail kept only for the retention period, and logs without addresses."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import Engine, LargeBinary, String, Text, func, select, text

from inbound.processor import process_pending
from inbound.understanding.mime import envelope_id
from intro import config as intro_config
from intro import privacy
from intro.db import transaction
from intro.logs import RedactingFormatter
from intro.messages import arrival, store
from intro.models import Base, InboundMessage, Link
from intro.tallies import tallies
from intro.timeutil import utcnow
from tests.helpers import environ, run_intro
from tests.loop_helpers import Sink
from tests.seed import SERVICE, seeded_app
from tests.test_account import csrf_token, follow, mail_links, relay  # noqa: F401  (relay: a fixture)


@pytest.fixture
def app(engine: Engine, relay: dict[str, str]) -> Flask:  # noqa: F811
    return seeded_app(engine, **relay)


def everything(engine: Engine) -> str:
    """Every text and byte value in every table, as one lowercase string."""
    found = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns
                       if isinstance(c.type, (String, Text, LargeBinary)) or c.name == "rcpt_to"]
            for row in conn.execute(select(*columns)) if columns else []:
                for value in row:
                    found.append(value.decode(errors="replace") if isinstance(value, bytes) else str(value))
    return "\n".join(found).lower()


def test_export_on_the_command_line(app: Flask, db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = environ(INTRO_DATABASE_URL=db_url)
    dana = run_intro("person", "export", "Dana@Example.net", cwd=tmp_path, env=env)
    assert dana.returncode == 0, dana.stderr
    data = json.loads(dana.stdout)
    assert data["person"]["email"] == "dana@example.net"
    assert [i["by"] for i in data["introduced"]] == ["sam@example.com", "sam@example.com"]
    assert {a["answer"] for i in data["introduced"] for a in i["answers"]} == {"no", "helped"}
    assert data["messages"] and all(m["raw_kept"] for m in data["messages"])
    sam = json.loads(run_intro("person", "export", "sam@example.com", cwd=tmp_path, env=env).stdout)
    assert [i["people"] for i in sam["introductions_made"]] == [["dana@example.net", "lee@example.org"],
                                                               ["dana@example.net", "kim@example.org"]]
    assert sam["campaigns"][0]["year"] == 2026
    nobody = run_intro("person", "export", "nobody@example.com", cwd=tmp_path, env=env)
    assert nobody.returncode != 0 and "nothing is held about nobody@example.com" in nobody.stderr


def test_forgetting_erases_the_person_everywhere_and_keeps_the_counts(app: Flask, engine: Engine, db_url: str,
                                                                      tmp_path) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        before = tallies(s, 2026)
    assert "dana@example.net" in everything(engine) and "dana reyes" in everything(engine)
    done = run_intro("person", "forget", "dana@example.net", "--yes", cwd=tmp_path,
                     env=environ(INTRO_DATABASE_URL=db_url))
    assert done.returncode == 0, done.stderr
    held = everything(engine)
    assert "dana@example.net" not in held and "dana reyes" not in held and "dana" not in held
    with transaction(engine) as s:
        after = tallies(s, 2026)
    assert (after.introductions, after.people_connected, after.helped, after.not_yet) == \
        (before.introductions, before.people_connected, before.helped, before.not_yet)
    again = run_intro("person", "forget", "dana@example.net", "--yes", cwd=tmp_path,
                      env=environ(INTRO_DATABASE_URL=db_url))
    assert again.returncode != 0 and "nothing is held" in again.stderr


def test_asking_by_mail_then_forgetting_on_ones_page(app: Flask, engine: Engine, sink: tuple[Sink, int]) -> None:
    raw = (b"From: Dana Reyes <dana@example.net>\r\nTo: intro@tally.example\r\nSubject: Forget me\r\n"
           b"Message-ID: <forget-1@example.net>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n\r\nPlease.\r\n")
    store(engine, [arrival(raw, "dana@example.net", [SERVICE], "127.0.0.1", envelope_id(raw))])
    process_pending(engine, intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE}))
    [(rcpt, subject, path)] = mail_links(app, sink[0])
    assert (rcpt, subject) == ("dana@example.net", "Your data at intro")
    client = app.test_client()
    assert follow(client, path) == (303, "/me#your-data")
    page = client.get("/me").text
    exported = client.get("/me/data.json")
    assert exported.json["person"]["email"] == "dana@example.net"
    unsure = client.post("/me/forget", data={"csrf_token": csrf_token(page)})
    assert unsure.headers["Location"] == "/me?unsure=1#your-data"  # the box was not ticked: nothing erased
    assert "dana@example.net" in everything(engine)
    done = client.post("/me/forget", data={"csrf_token": csrf_token(page), "sure": "yes"})
    assert "You have been forgotten" in done.text
    assert "dana@example.net" not in everything(engine)
    assert client.get("/me").status_code == 303  # signed out


def test_a_privacy_request_for_an_unknown_address_mails_nothing(app: Flask, engine: Engine,
                                                                 sink: tuple[Sink, int]) -> None:
    raw = (b"From: x@example.com\r\nTo: intro@tally.example\r\nSubject: export my data\r\n"
           b"Message-ID: <export-1@example.com>\r\n\r\nHi\r\n")
    store(engine, [arrival(raw, "x@example.com", [SERVICE], "127.0.0.1", envelope_id(raw))])
    process_pending(engine, intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE}))
    assert mail_links(app, sink[0]) == []
    with transaction(engine) as s:
        assert s.scalar(select(Link.last_error)) == "nothing is held about this address"


def test_raw_mail_is_kept_only_for_the_retention_period(app: Flask, engine: Engine) -> None:
    with transaction(engine, write=True) as s:
        old = s.scalars(select(InboundMessage.id).order_by(InboundMessage.id)).first()
        s.execute(text("UPDATE inbound_messages SET received_at = :when WHERE id = :id"),
                  {"when": (utcnow() - timedelta(days=91)).replace(tzinfo=None) if engine.dialect.name == "sqlite"
                   else utcnow() - timedelta(days=91), "id": old})
    assert privacy.purge_raw(engine, timedelta(days=90), utcnow()) == 1
    assert privacy.purge_raw(engine, timedelta(days=90), utcnow()) == 0  # once
    assert privacy.purge_raw(engine, timedelta(0), utcnow()) == 0  # zero: kept for ever
    with transaction(engine) as s:
        raws = dict(s.execute(select(InboundMessage.id, func.length(InboundMessage.raw))).all())
        assert raws[old] == 0 and all(raws[i] > 0 for i in raws if i != old)
        assert tallies(s, 2026).introductions == 3  # the facts stay


def test_logs_show_no_addresses_by_default() -> None:
    try:
        raise ValueError("relay refused <dana.reyes+x@example.net>")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "follow-up to %s failed", ("lee@example.org",),
                                   exc_info=__import__("sys").exc_info())
    line = RedactingFormatter("%(message)s").format(record)
    assert "lee@" not in line and "dana.reyes" not in line
    assert "<redacted>@example.org" in line and "<redacted>@example.net" in line


@pytest.mark.parametrize(("text", "shown"), [
    ('refused <"dana reyes"@example.net>', "<redacted>@example.net"),
    ('refused "dana\\"x"@example.net', "<redacted>@example.net"),
    ("could not reach root@localhost", "<redacted>@localhost"),
    ("to lee@[192.0.2.1]", "<redacted>@[192.0.2.1]"),
])
def test_logs_hide_quoted_local_parts_and_any_domain(text: str, shown: str) -> None:
    line = RedactingFormatter("%(message)s").format(logging.LogRecord("x", logging.INFO, __file__, 1, text, (), None))
    assert shown in line and "dana" not in line and "root" not in line and "lee" not in line
