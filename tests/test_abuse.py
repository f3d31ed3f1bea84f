"""What an attacker found behind the door (issue 12), each attack over real sockets: the
message to a thousand strangers, a domain's senders sharing one daily limit. Unsigned mail
is accepted here ([trust] on_none = accept), as an attacker would find it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from inbound.authentication import NONE
from intro.addresses import Address
from intro.config import Config
from intro.db import transaction
from intro.meaning import Meaning
from intro.messages import arrival, store
from intro.models import FollowUp, InboundMessage, Introduction, Question
from intro.recording import record
from intro.trust import Trust, hold_reason
from tests.dns_helpers import LocalDNS
from tests.loop_helpers import Sink, run
from tests.test_account import csrf_token, mail_links
from tests.test_authentication import counted, deliver
from tests.test_authentication import settings as _settings
from web import create_app

SERVICE = "intro@tally.example"


def settings(dns_server: LocalDNS, sink_port: int, **more: str) -> Config:
    """As the attacker found it: unsigned mail accepted (a deployment may still choose so)."""
    return _settings(dns_server, sink_port, **{"INTRO_TRUST_ON_NONE": "accept", **more})


def mass_mail(n: int, sender: str = "b@attacker.example", message_id: str = "mass-1@attacker.example") -> bytes:
    # Folded, one address a line, as mail clients write long headers (RFC 5322 2.2.3).
    to = ",\r\n ".join(f"Person {i} <p{i}@victims{i % 7}.example>" for i in range(n // 2))
    cc = ",\r\n ".join(f"Person {i} <p{i}@victims{i % 7}.example>" for i in range(n // 2, n))
    return (f"From: Click https://evil.example/x <{sender}>\r\nTo: {to}\r\nCc: {cc}, {SERVICE}\r\n"
            f"Subject: Intro: you should all meet\r\nDate: Tue, 03 Mar 2026 09:15:00 +0000\r\n"
            f"Message-ID: <{message_id}>\r\n\r\nHi all,\r\n\r\nLet me introduce you to each other: "
            f"you should all meet, and I am happy to connect you.\r\n\r\nB\r\n").encode()


def test_a_message_to_a_thousand_people_mails_none_of_them(engine: Engine, dns_server: LocalDNS,
                                                           sink: tuple[Sink, int]) -> None:
    config = settings(dns_server, sink[1])
    assert config.trust.on_none == "accept" and config.trust.max_parties == 6
    [(code, _)] = deliver(config, engine, mass_mail(1000))
    assert code == 250  # taken: nothing acknowledged is lost
    with transaction(engine) as s:
        message = s.scalars(select(InboundMessage)).one()
        assert message.kind == "other" and "group mail" in (message.note or ""), message.note
        assert s.scalar(select(func.count()).select_from(Introduction)) == 0
        assert s.scalar(select(func.count()).select_from(FollowUp)) == 0
        assert s.scalar(select(func.count()).select_from(Question)) == 0  # its sender is not asked either
    for days in (0, 15, 30):  # the scheduler's passes, weeks on: nothing to send
        run(config, engine, datetime.now(UTC) + timedelta(days=days))
    assert sink[0].received == []


def test_seven_people_are_a_group_mail_and_three_may_be_introduced(engine: Engine, dns_server: LocalDNS,
                                                                 sink: tuple[Sink, int]) -> None:
    config = settings(dns_server, sink[1])
    deliver(config, engine, mass_mail(7, message_id="seven@attacker.example"),
            mass_mail(3, message_id="three@attacker.example"))
    with transaction(engine) as s:
        kinds = dict(s.execute(select(InboundMessage.message_id, InboundMessage.kind)).all())
    assert kinds == {"seven@attacker.example": "other", "three@attacker.example": "introduction"}


def test_senders_of_one_domain_share_one_daily_limit(engine: Engine, dns_server: LocalDNS,
                                                     sink: tuple[Sink, int]) -> None:
    """s0@, s1@, ... of one domain, unsigned: changing the local part starts no new count."""
    config = settings(dns_server, sink[1], INTRO_TRUST_INTRODUCTIONS_PER_DAY="2")
    raws = [mass_mail(2, f"s{n}@attacker.example", f"s{n}@attacker.example") for n in range(5)]
    assert [code for code, _ in deliver(config, engine, *raws)] == [250] * 5
    assert counted(engine) == 2
    with transaction(engine) as s:
        reasons = s.scalars(select(Introduction.held_reason).order_by(Introduction.id)).all()
    assert reasons[:2] == [None, None]
    assert all("senders at attacker.example that were not authenticated" in (r or "") for r in reasons[2:]), reasons


def test_authenticated_senders_of_one_domain_each_have_their_own_limit(engine: Engine) -> None:
    trust = Trust(per_day=2, on_none="accept")
    now = datetime.now(UTC)
    _introductions(engine, [f"s{n}@big.example" for n in range(3)], peer="198.51.100.7", auth="pass")
    with transaction(engine) as s:
        assert hold_reason(s, trust, "s9@big.example", "pass", "", now, peer="198.51.100.7") is None
        # Nor do they use up the limit of those at the domain who are not authenticated.
        assert hold_reason(s, trust, "s9@big.example", NONE, "", now, peer="198.51.100.7") is None


def test_one_client_address_shares_one_daily_limit_but_a_local_mta_does_not(engine: Engine) -> None:
    """Per client address, for mail that is not authenticated: another domain from the same
    machine starts no new count. Behind Postfix every message comes from 127.0.0.1."""
    trust = Trust(per_day=2, on_none="accept")
    now = datetime.now(UTC)
    _introductions(engine, ["a@one.example", "b@two.example"], peer="203.0.113.9")
    _introductions(engine, ["c@three.example", "d@four.example"], peer="127.0.0.1")
    with transaction(engine) as s:
        assert "from 203.0.113.9" in (hold_reason(s, trust, "e@five.example", NONE, "", now, peer="203.0.113.9") or "")
        assert hold_reason(s, trust, "e@five.example", NONE, "", now, peer="127.0.0.1") is None
        assert hold_reason(s, trust, "e@five.example", NONE, "", now, peer="192.0.2.1") is None


def _introductions(engine: Engine, senders: list[str], peer: str, auth: str | None = None) -> None:
    """Introductions recorded a moment ago, one from each of ``senders`` through ``peer``."""
    for sender in senders:
        raw = f"Message-ID: <{sender}.{peer}>\r\n\r\n".encode()
        [stored] = store(engine, [arrival(raw, sender, [SERVICE], peer, f"{sender}.{peer}")])
        meaning = Meaning("introduction", "test", introducer=Address(sender),
                          parties=(Address(f"x.{sender}"), Address(f"y.{sender}")), auth=auth or "")
        with transaction(engine, write=True) as s:
            message = s.get_one(InboundMessage, stored)
            record(s, message, meaning, Config())


def test_the_attackers_words_reach_nobody_as_links(engine: Engine, dns_server: LocalDNS,
                                                  sink: tuple[Sink, int]) -> None:
    """A display name and a subject of the attacker's choosing are quoted short and
    defanged in the follow-ups, which name two of the others and count the rest."""
    config = settings(dns_server, sink[1])
    raw = mass_mail(5, message_id="links@attacker.example").replace(
        b"Subject: Intro: you should all meet", b"Subject: Intro: claim your prize at www.evil.example/win now")
    deliver(config, engine, raw)
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(FollowUp)) == 5
    run(config, engine, datetime.now(UTC) + timedelta(days=30))
    assert len(sink[0].received) == 5
    for _, _, mail in sink[0].received:
        text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
        for shown in (str(mail["Subject"]), text, html):
            assert "evil.example" not in shown and "https://evil" not in shown, shown
        assert "evil[.]example/x" in text and "www[.]evil[.]example/win" in text
        assert "and 2 others" in text
        assert sum(f"Person {i}" in text for i in range(5)) == 3  # the one greeted, and two others


def test_a_spoofed_join_lists_nobody_until_the_address_confirms(engine: Engine, dns_server: LocalDNS,
                                                                 sink: tuple[Sink, int]) -> None:
    config = settings(dns_server, sink[1])
    raw = (b'From: "Buy pills at evil.example" <admin@example.com>\r\nTo: intro@tally.example\r\n'
           b"Subject: join\r\nDate: Tue, 03 Mar 2026 09:15:00 +0000\r\nMessage-ID: <join-1@attacker.example>\r\n"
           b"\r\nAdd me.\r\n")
    assert [code for code, _ in deliver(config, engine, raw)] == [250]
    app = create_app(config, engine)
    client = app.test_client()
    for path in ("/", "/api/tallies"):
        assert "Buy pills" not in client.get(path).text
    [(rcpt, subject, path)] = mail_links(app, sink[0])  # to the address, which the forger does not read
    assert rcpt == "admin@example.com" and subject.startswith("Confirm that you are joining")
    page = client.get(path).text
    assert 'value="Buy pills at evil.example"' in page  # only a suggestion, on a page only the address sees
    done = client.post(path, data={"csrf_token": csrf_token(page), "name": "Ada Lovelace"})
    assert done.status_code == 303
    shown = app.test_client().get("/").text
    assert "Ada Lovelace" in shown and "Buy pills" not in shown


def test_past_the_hourly_limit_of_follow_ups_introductions_wait_for_an_organizer(
        engine: Engine, dns_server: LocalDNS, sink: tuple[Sink, int]) -> None:
    """Many senders, each within their own limits: past [trust] followups_per_hour the
    introductions are held, nobody is mailed, and the organizer is told once."""
    config = settings(dns_server, sink[1], INTRO_TRUST_FOLLOWUPS_PER_HOUR="3", INTRO_WEB_ADMINS="boss@example.com")
    raws = [mass_mail(2, f"s@sender{n}.example", f"hour-{n}@sender{n}.example") for n in range(3)]
    deliver(config, engine, *raws)
    with transaction(engine) as s:
        reasons = s.scalars(select(Introduction.held_reason).order_by(Introduction.id)).all()
        assert s.scalar(select(func.count()).select_from(FollowUp)) == 2
    assert reasons[0] is None
    assert all((r or "").startswith("waiting for an organizer: more than 3 follow-ups an hour") for r in reasons[1:])
    app = create_app(config, engine)
    [(rcpt, subject, path)] = mail_links(app, sink[0])  # once, to the organizer alone
    assert rcpt == "boss@example.com" and subject == "Introductions wait for you (intro)"
    client = app.test_client()
    page = client.get(path).text
    done = client.post(path, data={"csrf_token": csrf_token(page)})
    assert done.headers["Location"].endswith("/admin/review#held")
    review = client.get("/admin/review").text
    assert "held by the hourly limit of follow-ups (2)" in review
    [first, second] = [int(i) for i in re.findall(r'action="/admin/review/held/(\d+)"', review)]
    assert client.post(f"/admin/review/held/{first}", data={"csrf_token": csrf_token(review), "action": "release"}
                       ).status_code == 303
    assert client.post(f"/admin/review/held/{second}", data={"csrf_token": csrf_token(review), "action": "refuse"}
                       ).status_code == 303
    assert counted(engine) == 2
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(FollowUp)) == 4
    deliver(config, engine, mass_mail(2, "s@sender9.example", "hour-9@sender9.example"))
    assert mail_links(app, sink[0]) == []  # told once a day at most
