"""The storage layer: SQLite settings, and the constraints that keep the data honest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError

from intro.db import make_engine, transaction
from intro.messages import arrival, store
from intro.models import (
    Answer,
    AnswerValue,
    Campaign,
    FollowUp,
    InboundMessage,
    Introduction,
    IntroductionParty,
    Person,
)
from intro.secret import secret_key


def test_sqlite_is_set_up_for_durability(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def _intro(session, email: str = "sam@example.com") -> Introduction:
    campaign = Campaign(year=2026)
    sam = Person(email=email, display_name="Sam")
    intro = Introduction(campaign=campaign, introducer=sam, subject="Dana, meet Lee",
                         made_at=datetime(2026, 3, 1, tzinfo=UTC))
    session.add(intro)
    return intro


def test_a_whole_introduction_round_trips(engine: Engine) -> None:
    with transaction(engine, write=True) as s:
        intro = _intro(s)
        for email in ("dana@example.net", "lee@example.org"):
            intro.parties.append(IntroductionParty(person=Person(email=email), email=email))
        s.flush()
        followup = FollowUp(party=intro.parties[0], due_at=intro.made_at + timedelta(days=14), tag="t1")
        s.add(followup)
        s.flush()
        s.add(Answer(followup_id=followup.id, value=AnswerValue.HELPED, source="web"))
    with transaction(engine) as s:
        got = s.scalars(select(Introduction)).one()
        assert sorted(p.person.email for p in got.parties) == ["dana@example.net", "lee@example.org"]
        assert got.made_at == datetime(2026, 3, 1, tzinfo=UTC)  # aware UTC on every backend
        assert s.scalars(select(Answer)).one().value is AnswerValue.HELPED


def test_datetimes_are_stored_in_utc(engine: Engine) -> None:
    paris = timezone(timedelta(hours=1))
    with transaction(engine, write=True) as s:
        s.add(Person(email="a@example.com", created_at=datetime(2026, 1, 1, 12, tzinfo=paris)))
    with transaction(engine) as s:
        assert s.scalars(select(Person.created_at)).one() == datetime(2026, 1, 1, 11, tzinfo=UTC)


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        with transaction(engine, write=True) as s:
            s.add(Person(email="a@example.com", created_at=datetime(2026, 1, 1)))


def test_one_person_per_address(engine: Engine) -> None:
    with transaction(engine, write=True) as s:
        s.add(Person(email="dana@example.net"))
    with pytest.raises(IntegrityError):
        with transaction(engine, write=True) as s:
            s.add(Person(email="dana@example.net"))


def test_one_followup_per_party(engine: Engine) -> None:
    with transaction(engine, write=True) as s:
        intro = _intro(s)
        intro.parties.append(IntroductionParty(person=Person(email="dana@example.net"), email="dana@example.net"))
        s.flush()
        s.add(FollowUp(party=intro.parties[0], due_at=intro.made_at, tag="t1"))
    with pytest.raises(IntegrityError):
        with transaction(engine, write=True) as s:
            party = s.scalars(select(IntroductionParty)).one()
            s.add(FollowUp(party=party, due_at=datetime.now(UTC), tag="t2"))


def test_a_person_is_introduced_once_per_introduction(engine: Engine) -> None:
    with pytest.raises(IntegrityError):
        with transaction(engine, write=True) as s:
            intro = _intro(s)
            dana = Person(email="dana@example.net")
            intro.parties += [IntroductionParty(person=dana, email="dana@example.net") for _ in range(2)]


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError):
        with transaction(engine, write=True) as s:
            s.add(IntroductionParty(introduction_id=999, person_id=999, email="dana@example.net"))


def test_store_is_idempotent_on_message_id(engine: Engine) -> None:
    first = arrival(b"Message-ID: <a@x>\r\n\r\nhi\r\n", "s@example.com", ["intro@localhost"], "127.0.0.1", "a@x")
    again = arrival(first.raw, first.mail_from, ["intro+bcc@localhost"], "127.0.0.1", "a@x")
    anon1 = arrival(b"Subject: no id\r\n\r\nhi\r\n", "", ["intro@localhost"], "127.0.0.1", None)
    anon2 = arrival(anon1.raw, "", ["intro@localhost"], "127.0.0.1", None)
    ids = store(engine, [first, anon1])
    assert all(isinstance(i, int) for i in ids)
    assert store(engine, [again, anon2])[0] is None  # duplicate Message-ID: not stored again
    with transaction(engine) as s:
        rows = s.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [r.message_id for r in rows] == ["a@x", None, None]  # no Message-ID: each its own
    assert rows[0].rcpt_to == ["intro@localhost"] and rows[0].raw == first.raw
    assert rows[0].size == len(first.raw) and rows[1].mail_from == ""


def test_secret_key_is_generated_once_and_shared(engine: Engine) -> None:
    key = secret_key(engine, "")
    assert len(key) >= 32
    assert secret_key(engine, "") == key  # the same on every later start and every node
    assert secret_key(engine, "configured") == "configured"
