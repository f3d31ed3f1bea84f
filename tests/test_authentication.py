"""Spoofed introductions: DKIM and DMARC checked for real (keys made for the test, DNS
answered by a local server), a trusted MTA's Authentication-Results believed and anyone
else's ignored; failing mail held until confirmed, or refused at SMTP; a day's cap."""

from __future__ import annotations

import re
import smtplib
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, func, select

from inbound.authentication import FAIL, NONE, PASS, TemporaryDNSError, authenticate, dns_resolver
from inbound.processor import process_pending
from inbound.server import SmtpComponent
from intro import config as intro_config
from intro.config import Config
from intro.db import transaction
from intro.models import FollowUp, InboundMessage, Introduction, Link, LinkPurpose
from intro.tallies import tallies
from intro.trust import Trust
from tests.conftest import free_port
from tests.dns_helpers import Key, LocalDNS
from tests.loop_helpers import Sink
from tests.smtp_helpers import load
from tests.test_account import _link, csrf_token, follow, mail_links
from web import create_app

SERVICE = "intro@tally.example"
INTRO = load("plain_introduction.eml")  # From: Sam Carter <sam@example.com>


def verdict(raw: bytes, dns_server: LocalDNS, authserv_id: str = "") -> tuple[str, str]:
    found = authenticate(raw, authserv_id, dns_resolver(dns_server.address))
    return found.result, found.note


def test_a_valid_aligned_signature_passes(key: Key, dns_server: LocalDNS) -> None:
    result, note = verdict(key.sign(INTRO, "example.com"), dns_server)
    assert result == PASS and "aligned with example.com" in note


def test_a_changed_message_fails(key: Key, dns_server: LocalDNS) -> None:
    signed = key.sign(INTRO, "example.com").replace(b"Dana, meet Lee", b"Dana, meet Max")
    assert verdict(signed, dns_server)[0] == FAIL


def test_no_signature_is_no_result(dns_server: LocalDNS) -> None:
    assert verdict(INTRO, dns_server) == (NONE, "no DKIM signature")


def test_a_valid_signature_of_another_domain(key: Key, dns_server: LocalDNS) -> None:
    # example.com publishes DMARC: a mailing list's signature does not make its From authentic.
    assert verdict(key.sign(INTRO, "lists.example.net"), dns_server)[0] == FAIL
    # A From domain without DMARC: no usable result either way.
    other = INTRO.replace(b"sam@example.com", b"sam@example.org")
    assert verdict(key.sign(other, "lists.example.net"), dns_server)[0] == NONE


def test_dns_that_does_not_answer_is_never_a_failure(key: Key) -> None:
    def down(name: str) -> list[bytes] | None:
        raise TemporaryDNSError("timed out")

    found = authenticate(key.sign(INTRO, "example.com"), "", down)
    assert found.result == NONE and "try again later" in found.note


def test_a_trusted_mta_is_believed_and_anyone_else_ignored(dns_server: LocalDNS) -> None:
    ours = (b"Authentication-Results: mx.tally.example; dkim=pass header.d=example.com;"
            b" dmarc=pass header.from=example.com\r\n")
    theirs = b"Authentication-Results: evil.example; dmarc=pass header.from=example.com\r\n"
    failed = b"Authentication-Results: mx.tally.example; dmarc=fail (p=reject) header.from=example.com\r\n"
    assert verdict(ours + INTRO, dns_server, "mx.tally.example")[0] == PASS
    assert verdict(theirs + INTRO, dns_server, "mx.tally.example") == (NONE, "no DKIM signature")
    assert verdict(failed + INTRO, dns_server, "mx.tally.example")[0] == FAIL
    assert verdict(ours + INTRO, dns_server, "")[0] == NONE  # no MTA configured: its word counts for nothing


def settings(dns_server: LocalDNS, sink_port: int, **more: str) -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()), "INTRO_FOLLOWUP_MAX_AGE": "3650d",
        "INTRO_TRUST_RESOLVER": dns_server.address, "INTRO_BASE_URL": "https://intro.example.org",
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(sink_port), "INTRO_RELAY_SECURITY": "none",
        **more})


def deliver(config: Config, engine: Engine, *raws: bytes) -> list[tuple[int, bytes]]:
    """Over SMTP to the real server, then processed as `intro serve` does; the replies."""
    server = SmtpComponent(config, engine)
    server.start()
    replies = []
    try:
        with smtplib.SMTP("127.0.0.1", config.smtp.port) as client:
            client.ehlo()
            for raw in raws:
                client.mail("sam@example.com")
                client.rcpt(SERVICE)
                try:
                    replies.append(client.data(raw))
                except smtplib.SMTPDataError as e:  # smtplib raises on anything but 250
                    replies.append((e.smtp_code, e.smtp_error))
                    client.rset()
    finally:
        server.stop()
    process_pending(engine, config, trust=Trust.from_config(config))
    return replies


def counted(engine: Engine) -> int:
    with transaction(engine) as s:
        figures = tallies(s, 2026)
        return figures.introductions if figures else 0


def followups(engine: Engine) -> int:
    with transaction(engine) as s:
        return s.scalar(select(func.count()).select_from(FollowUp)) or 0


def test_a_forged_introduction_is_held_until_its_introducer_confirms_it(
        engine: Engine, dns_server: LocalDNS, sink: tuple[Sink, int]) -> None:
    config = settings(dns_server, sink[1])
    forged = b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=test; h=from; bh=AAAA; b=AAAA\r\n" + INTRO
    assert deliver(config, engine, forged)[0][0] == 250  # taken: nothing acknowledged is lost
    with transaction(engine) as s:
        intro = s.scalars(select(Introduction)).one()
        message = s.scalars(select(InboundMessage)).one()
        assert intro.held_reason and "could not be authenticated" in intro.held_reason
        assert message.auth == FAIL and "held until its introducer confirms it" in (message.note or "")
    assert counted(engine) == 0 and followups(engine) == 0
    app: Flask = create_app(config, engine)
    [(rcpt, subject, path)] = mail_links(app, sink[0])  # one mail, to the claimed introducer only
    assert (rcpt, subject) == ("sam@example.com", "Did you make this introduction? (intro)")
    client = app.test_client()
    assert follow(client, path) == (303, "/me#held")
    page = client.get("/me").text
    assert "Waiting for your confirmation" in page and "could not be authenticated" in page
    done = client.post(f"/me/held/{intro.id}", data={"csrf_token": csrf_token(page), "action": "confirm"})
    assert done.status_code == 303
    assert counted(engine) == 1 and followups(engine) == 2  # now it counts, and both are asked
    assert "Waiting for your confirmation" not in client.get("/me").text


def test_disowning_keeps_it_uncounted(engine: Engine, dns_server: LocalDNS, sink: tuple[Sink, int]) -> None:
    config = settings(dns_server, sink[1], INTRO_TRUST_ON_NONE="hold")
    deliver(config, engine, INTRO)  # unsigned, and unsigned mail is held by this setting
    app = create_app(config, engine)
    [(_, _, path)] = mail_links(app, sink[0])
    client = app.test_client()
    follow(client, path)
    page = client.get("/me").text
    with transaction(engine) as s:
        intro_id = s.scalars(select(Introduction.id)).one()
    client.post(f"/me/held/{intro_id}", data={"csrf_token": csrf_token(page), "action": "disown"})
    assert counted(engine) == 0 and followups(engine) == 0
    assert "you said it was not you" in client.get("/me?campaign=2026").text
    # Someone else (Dana, who was introduced in it) cannot confirm Sam's introduction.
    dana = app.test_client()
    assert follow(dana, _link(app, LinkPurpose.SIGN_IN, email="dana@example.net")) == (303, "/me")
    form = {"csrf_token": csrf_token(dana.get("/me").text), "action": "confirm"}
    assert dana.post(f"/me/held/{intro_id}", data=form).status_code == 404
    assert counted(engine) == 0


def test_signed_mail_counts_at_once(engine: Engine, dns_server: LocalDNS, key: Key, sink: tuple[Sink, int]) -> None:
    deliver(settings(dns_server, sink[1], INTRO_TRUST_ON_NONE="hold"), engine, key.sign(INTRO, "example.com"))
    assert counted(engine) == 1 and followups(engine) == 2
    with transaction(engine) as s:
        assert s.scalar(select(InboundMessage.auth)) == PASS


def test_an_unknown_introducers_unsigned_mail_waits_for_them_to_confirm_once(
        engine: Engine, dns_server: LocalDNS, sink: tuple[Sink, int]) -> None:
    """The default, [trust] on_none = confirm: the first unsigned introduction from an
    address nobody knows is held, and only that address's mailbox gets the confirmation;
    once confirmed, the next unsigned one from it counts at once."""
    config = settings(dns_server, sink[1])
    assert config.trust.on_none == "confirm"
    deliver(config, engine, INTRO)
    assert counted(engine) == 0 and followups(engine) == 0
    with transaction(engine) as s:
        assert "the first introduction from this address" in (s.scalars(select(Introduction.held_reason)).one() or "")
    app: Flask = create_app(config, engine)
    [(rcpt, subject, path)] = mail_links(app, sink[0])
    assert (rcpt, subject) == ("sam@example.com", "Did you make this introduction? (intro)")
    assert len(sink[0].received) == 1  # nobody else: not Dana, not Lee
    client = app.test_client()
    assert follow(client, path) == (303, "/me#held")
    page = client.get("/me").text
    [intro_id] = re.findall(r'action="/me/held/(\d+)"', page)
    assert client.post(f"/me/held/{intro_id}", data={"csrf_token": csrf_token(page), "action": "confirm"}
                       ).status_code == 303
    assert counted(engine) == 1 and followups(engine) == 2
    deliver(config, engine, INTRO.replace(b"<intro-1@", b"<intro-2@").replace(b"lee@", b"kim@"))
    assert counted(engine) == 2  # not asked again
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Link)) == 1


def test_unsigned_mail_may_be_accepted(engine: Engine, dns_server: LocalDNS, sink: tuple[Sink, int]) -> None:
    deliver(settings(dns_server, sink[1], INTRO_TRUST_ON_NONE="accept"), engine, INTRO)
    assert counted(engine) == 1


def test_reject_refuses_failing_mail_at_smtp(engine: Engine, dns_server: LocalDNS, key: Key,
                                             sink: tuple[Sink, int]) -> None:
    config = settings(dns_server, sink[1], INTRO_TRUST_ON_FAIL="reject")
    tampered = key.sign(INTRO, "example.com").replace(b"Dana, meet Lee", b"Dana, meet Max")
    good = key.sign(INTRO.replace(b"<intro-1@", b"<intro-2@"), "example.com")
    [(refused, why), (taken, _)] = deliver(config, engine, tampered, good)
    assert refused == 550 and why.startswith(b"5.7.1 The sender could not be authenticated")
    assert taken == 250
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_trusted_senders_are_never_held(engine: Engine, dns_server: LocalDNS, sink: tuple[Sink, int]) -> None:
    forged = b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=test; h=from; bh=AAAA; b=AAAA\r\n" + INTRO
    deliver(settings(dns_server, sink[1], INTRO_TRUST_TRUSTED_SENDERS="sam@example.com"), engine, forged)
    assert counted(engine) == 1


def test_more_than_a_days_worth_is_held(engine: Engine, dns_server: LocalDNS, sink: tuple[Sink, int]) -> None:
    config = settings(dns_server, sink[1], INTRO_TRUST_INTRODUCTIONS_PER_DAY="2", INTRO_TRUST_ON_NONE="accept")
    raws = [INTRO.replace(b"<intro-1@", f"<intro-d{n}@".encode()).replace(b"Dana, meet Lee", f"Intro {n}".encode())
            for n in range(4)]
    assert [code for code, _ in deliver(config, engine, *raws)] == [250] * 4
    assert counted(engine) == 2
    with transaction(engine) as s:
        reasons = s.scalars(select(Introduction.held_reason).order_by(Introduction.id)).all()
    assert reasons[:2] == [None, None] and all("more than 2 introductions" in (r or "") for r in reasons[2:])
    links_queued = mail_links(create_app(config, engine), sink[0])
    assert [rcpt for rcpt, _, _ in links_queued] == ["sam@example.com", "sam@example.com"]
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Link)) == 2


def test_the_local_dns_server_was_asked(dns_server: LocalDNS, key: Key, tmp_path: Path) -> None:
    verdict(key.sign(INTRO, "example.com"), dns_server)
    assert "test._domainkey.example.com" in dns_server.queries
