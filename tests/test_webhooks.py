"""Webhooks against a real HTTP receiver on 127.0.0.1 that checks every signature with
Standard Webhooks' own verifier (the standardwebhooks package) and with the receiving
example of docs/WEBHOOKS.md, never with the code that signed it: delivery after an
introduction arrives over SMTP, a retry after a 500 with the same webhook-id, disabling
after a day of failures (and the organizer's mail, to a real SMTP sink), the same
webhook-id again after a sender stopped mid-flight, private addresses refused, and the
organizer's pages. On each database."""

from __future__ import annotations

import importlib.util
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import standardwebhooks
from flask import Flask
from sqlalchemy import Engine, select

from inbound.processor import process_pending
from inbound.understanding.mime import envelope_id
from intro import campaigns, deliveries, privacy, trust, webhooks
from intro import config as intro_config
from intro.answers import record_answer
from intro.config import Config
from intro.db import transaction
from intro.meaning import AnswerValue
from intro.messages import arrival, store
from intro.models import Campaign, FollowUp, Introduction, MailStatus, Person, WebhookDelivery, WebhookEndpoint
from intro.outbox import claim
from intro.people import find_id
from intro.timeutil import utcnow
from mailer.scheduler import SchedulerComponent
from mailer.webhooks import deliver, run_once
from tests.conftest import REPO, free_port
from tests.loop_helpers import SERVICE, Sink, run
from tests.loop_helpers import deliver as deliver_mail
from tests.smtp_helpers import load
from tests.test_account import csrf_token, sign_in
from web import create_app

ORGANIZER = "boss@example.com"
PARTIES = ("dana@example.net", "lee@example.org", "Dana Reyes", "Lee Park")  # never in a payload


def _docs_example() -> Any:
    spec = importlib.util.spec_from_file_location("receive", REPO / "docs" / "webhooks" / "receive.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLE = _docs_example()


@dataclass
class Seen:
    webhook_id: str
    event: dict[str, Any]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server that answers each POST with the next of ``answers`` (then 200),
    after checking its signature twice over; a delivery whose signature fails fails the test."""

    url: str
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)

    def ids(self) -> list[str]:
        return [s.webhook_id for s in self.seen]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    port = free_port()
    state = Receiver(f"http://127.0.0.1:{port}/hooks")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {name.lower(): value for name, value in self.headers.items()}
            event = json.loads(body)
            try:
                assert standardwebhooks.Webhook(state.secret).verify(body, headers) == event
            except standardwebhooks.WebhookVerificationError as e:
                state.bad.append(f"standardwebhooks: {e}")
            if not EXAMPLE.verified(state.secret, self.headers, body):
                state.bad.append("the docs' example refused it")
            state.seen.append(Seen(headers["webhook-id"], event, body))
            self.send_response(state.answers.pop(0) if state.answers else 200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    assert not state.bad, state.bad  # every delivery was signed as Standard Webhooks says


def settings(sink_port: int, **more: str) -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()), "INTRO_WEB_ADMINS": ORGANIZER,
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(sink_port), "INTRO_RELAY_SECURITY": "none",
        "INTRO_BASE_URL": "https://intro.example.org", "INTRO_FOLLOWUP_MAX_AGE": "3650d",
        "INTRO_WEBHOOKS_ALLOW_PRIVATE": "true", "INTRO_WEBHOOKS_TIMEOUT": "5s", **more})


def endpoint(engine: Engine, receiver: Receiver, events: tuple[str, ...] = webhooks.EVENTS) -> int:
    """An endpoint for the receiver, added as the organizer adds one; the receiver gets its secret."""
    webhooks.check(receiver.url, allow_private=True)
    with transaction(engine, write=True) as s:
        added = webhooks.add(s, receiver.url, list(events), None)
        receiver.secret = added.secret
        return added.id


def rows(engine: Engine) -> list[WebhookDelivery]:
    with transaction(engine) as s:
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def state(engine: Engine, endpoint_id: int) -> WebhookEndpoint:
    with transaction(engine) as s:
        return s.get_one(WebhookEndpoint, endpoint_id)


def test_an_introduction_over_smtp_is_delivered_signed_and_names_nobody_introduced(
        engine: Engine, sink: tuple[Sink, int], receiver: Receiver) -> None:
    config = settings(sink[1])
    endpoint(engine, receiver)
    deliver_mail(config, engine, load("plain_introduction.eml"))
    assert run_once(config, engine, utcnow()).results["webhooks"]
    [seen] = receiver.seen
    assert seen.event["type"] == "introduction.logged"
    data = seen.event["data"]
    assert data["introduction"]["parties"] == 2 and data["campaign"] == {"year": 2026, "introductions": 1}
    assert data["introducer"] is None  # Sam is no participant: not named
    assert not any(word.encode() in seen.body for word in (*PARTIES, "sam@example.com"))
    [row] = rows(engine)
    assert (row.status, row.attempts, row.last_status, row.tag) == (MailStatus.SENT, 1, 200, seen.webhook_id)
    assert seen.webhook_id.startswith("msg_")

    # Sam joins the campaign, listed: the event says so, and Sam's next introduction names Sam.
    with transaction(engine, write=True) as s:
        sam, year = find_id(s, "sam@example.com"), s.scalars(select(Campaign.id)).one()
        assert sam is not None and campaigns.join(s, sam, year)
    deliver_mail(config, engine, load("plain_introduction.eml").replace(b"<intro-1@", b"<intro-9@")
                 .replace(b"Dana, meet Lee", b"Lee, meet Kim").replace(b"dana@example.net", b"kim@example.com"))
    run_once(config, engine, utcnow())
    joined, logged = sorted((s.event for s in receiver.seen[1:]), key=lambda e: e["type"], reverse=True)
    assert joined["type"] == "participant.joined"
    assert joined["data"]["participant"] == {"name": "Sam Carter", "email": "sam@example.com"}
    assert joined["data"]["campaign"] == {"year": 2026, "participants": 1}
    assert logged["data"]["introducer"] == {"name": "Sam Carter", "email": "sam@example.com"}
    assert logged["data"]["campaign"]["introductions"] == 2
    assert len(set(receiver.ids())) == 3


def test_answers_and_confirmed_introductions_are_events_too(engine: Engine, sink: tuple[Sink, int],
                                                             receiver: Receiver) -> None:
    config = settings(sink[1])
    endpoint(engine, receiver, ("introduction.confirmed", "answer.recorded"))
    raw = load("plain_introduction.eml")
    store(engine, [arrival(raw, "sam@example.com", [SERVICE], "127.0.0.1", envelope_id(raw))])
    process_pending(engine, config, trust=trust.Trust(on_none="hold"))  # unsigned: held until Sam confirms
    assert rows(engine) == []  # held: not logged, and no one subscribed to that anyway
    with transaction(engine, write=True) as s:
        intro = s.scalars(select(Introduction)).one()
        assert intro.held_reason is not None
        assert trust.release(s, intro.id, find_id(s, "sam@example.com"), config, utcnow())
    with transaction(engine, write=True) as s:
        followup = s.scalars(select(FollowUp).order_by(FollowUp.id)).first()
        assert followup is not None
        record_answer(s, followup.id, AnswerValue.HELPED, "Dana Reyes was lovely", source="web")
    run_once(config, engine, utcnow())
    confirmed, answered = sorted((s.event for s in receiver.seen), key=lambda e: e["type"], reverse=True)
    assert confirmed["type"] == "introduction.confirmed" and confirmed["data"]["campaign"]["introductions"] == 1
    assert answered["type"] == "answer.recorded"
    assert answered["data"]["answer"]["value"] == "helped" and answered["data"]["campaign"]["helped"] == 1
    assert not any(word.encode() in seen.body for word in (*PARTIES, "lovely") for seen in receiver.seen)


def test_a_500_is_tried_again_later_with_the_same_webhook_id(engine: Engine, sink: tuple[Sink, int],
                                                              receiver: Receiver) -> None:
    config = settings(sink[1])
    endpoint_id = endpoint(engine, receiver)
    receiver.answers = [500]
    with transaction(engine, write=True) as s:
        assert webhooks.test(s, endpoint_id)
    now = utcnow()
    run_once(config, engine, now)
    [row] = rows(engine)
    assert (row.status, row.attempts, row.last_status) == (MailStatus.PENDING, 1, 500)
    assert row.next_attempt_at == now + timedelta(seconds=30) and "answered 500" in (row.last_error or "")
    assert state(engine, endpoint_id).failures == 1
    run_once(config, engine, now + timedelta(seconds=20))  # not yet
    assert len(receiver.seen) == 1
    run_once(config, engine, now + timedelta(seconds=31))
    [row] = rows(engine)
    assert (row.status, row.attempts, row.last_status) == (MailStatus.SENT, 2, 200)
    first, second = receiver.ids()
    assert first == second == row.tag  # the receiver drops the repeat by its id
    assert state(engine, endpoint_id).failures == 0


def test_a_day_of_failures_disables_the_endpoint_and_tells_its_organizer(
        engine: Engine, sink: tuple[Sink, int], receiver: Receiver) -> None:
    config = settings(sink[1])
    with transaction(engine, write=True) as s:
        organizer = _person(s, ORGANIZER)
    webhooks.check(receiver.url, allow_private=True)
    with transaction(engine, write=True) as s:
        added = webhooks.add(s, receiver.url, list(webhooks.EVENTS), organizer)
        endpoint_id, receiver.secret = added.id, added.secret
        webhooks.test(s, endpoint_id)
    receiver.answers = [503] * 100
    start = utcnow()
    for hour in range(24):
        run_once(config, engine, start + timedelta(hours=hour, seconds=1))
        assert state(engine, endpoint_id).disabled_at is None
    run_once(config, engine, start + timedelta(hours=24, seconds=2))
    disabled = state(engine, endpoint_id)
    assert disabled.disabled_at is not None and disabled.failures == 25
    assert "every attempt failed for a day" in (disabled.reason or "")
    assert len(set(receiver.ids())) == 1 and len(receiver.ids()) == 25  # one delivery, one id, 25 attempts

    # The organizer's mail, through the outbox, to the sink; once.
    run(config, engine, start + timedelta(hours=24, minutes=1))
    run(config, engine, start + timedelta(hours=24, minutes=2))
    [(_, [to], mail)] = sink[0].received
    assert to == ORGANIZER and str(mail["Subject"]) == "A webhook endpoint was disabled (intro)"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert receiver.url in " ".join(text.split()) and "https://intro.example.org/admin/webhooks" in text

    # Disabled: nothing new is queued for it, nor is what waits sent.
    with transaction(engine, write=True) as s:
        assert webhooks.test(s, endpoint_id)  # an organizer's test still queues, and waits
        assert webhooks.emit(s, webhooks.JOINED, lambda _s: {}) == 0
    run_once(config, engine, start + timedelta(hours=26))
    assert len(receiver.ids()) == 25
    # Enabled again, and answering: what waited goes.
    receiver.answers = []
    with transaction(engine, write=True) as s:
        assert webhooks.enable(s, endpoint_id)
    run_once(config, engine, start + timedelta(hours=27))
    assert [r.status for r in rows(engine)] == [MailStatus.SENT, MailStatus.SENT]
    assert state(engine, endpoint_id).failures == 0


def _person(s: Any, email: str) -> int:
    person = Person(email=email)
    s.add(person)
    s.flush()
    return person.id


def test_after_a_restart_mid_flight_it_is_sent_again_with_the_same_webhook_id(
        engine: Engine, sink: tuple[Sink, int], receiver: Receiver) -> None:
    config = settings(sink[1])
    endpoint_id = endpoint(engine, receiver)
    with transaction(engine, write=True) as s:
        webhooks.test(s, endpoint_id)
    now = utcnow()
    # A sender claims it and posts it, then stops before it records how it went.
    [claimed], _ = claim(engine, deliveries.Deliveries(config.web.admins), now, 10)
    assert deliver(claimed.job, config.webhooks).status == 200
    [row] = rows(engine)
    assert row.status == MailStatus.PENDING and row.claimed_at is not None
    # A new process, within the lease: the claim holds, nothing is sent twice at once.
    run_once(config, engine, now + timedelta(minutes=1))
    assert len(receiver.seen) == 1
    # After the lease: tried again, the same delivery, the same id. At least once.
    run_once(config, engine, now + deliveries.LEASE + timedelta(seconds=1))
    first, second = receiver.ids()
    assert first == second == row.tag
    [row] = rows(engine)
    assert (row.status, row.attempts) == (MailStatus.SENT, 2)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hooks", "http://10.0.0.1/", "http://[::1]/",
                                 "http://169.254.169.254/latest/meta-data", "http://localhost:9000/",
                                 "https://192.168.1.20/", "http://[fc00::1]/", "http://0.0.0.0/",
                                 "http://[::ffff:127.0.0.1]/", "http://224.0.0.1/"])
def test_a_private_address_is_refused(url: str) -> None:
    with pytest.raises(webhooks.Refused) as refused:
        webhooks.check(url, allow_private=False)
    assert refused.value.problem == "private"
    assert webhooks.check(url, allow_private=True)  # where the deployer allows it


def test_only_http_urls_with_a_host_and_public_addresses() -> None:
    for url in ("ftp://example.com/", "file:///etc/passwd", "https:///hooks", "http://user:pw@example.com/",
                "gopher://127.0.0.1/", "http://example.com:99999/", "javascript:alert(1)"):
        with pytest.raises(webhooks.Refused) as refused:
            webhooks.check(url, allow_private=True)
        assert refused.value.problem == "url", url
    with pytest.raises(webhooks.Refused, match="unresolved"):
        webhooks.check("https://no-such-host.invalid/", allow_private=False)
    assert webhooks.public("93.184.215.14") and webhooks.public("2606:4700::6810:85e5")
    for hidden in ("2002:7f00:1::", "64:ff9b::a00:1", "2001:0:4136:e378:8000:63bf:f5ff:fffe", "100.64.0.1"):
        assert not webhooks.public(hidden), hidden  # loopback, 10/8 and 10.0.0.1 in IPv6 forms; shared space


def test_a_delivery_is_refused_when_the_host_turns_private(engine: Engine, sink: tuple[Sink, int],
                                                           receiver: Receiver) -> None:
    endpoint_id = endpoint(engine, receiver)  # added where private hosts were allowed, then no longer
    with transaction(engine, write=True) as s:
        webhooks.test(s, endpoint_id)
    run_once(settings(sink[1], INTRO_WEBHOOKS_ALLOW_PRIVATE="false"), engine, utcnow())
    assert receiver.seen == []  # checked again at delivery (DNS rebinding): never connected
    [row] = rows(engine)
    assert row.status == MailStatus.PENDING and "refused: private" in (row.last_error or "")


@pytest.fixture
def app(engine: Engine, sink: tuple[Sink, int]) -> Flask:
    return create_app(settings(sink[1]), engine)


def test_the_organizer_adds_an_endpoint_sees_its_secret_once_and_its_log(
        app: Flask, engine: Engine, sink: tuple[Sink, int], receiver: Receiver) -> None:
    client = sign_in(app, sink[0], ORGANIZER)
    page = client.get("/admin/webhooks")
    assert page.status_code == 200 and "None yet." in page.text
    assert "/admin/webhooks" in client.get("/admin").text
    token = csrf_token(page.text)
    refused = client.post("/admin/webhooks", data={"csrf_token": token, "url": receiver.url})
    assert refused.status_code == 400 and "at least one event" in refused.text
    added = client.post("/admin/webhooks", data={"csrf_token": token, "url": receiver.url,
                                                 "event": ["introduction.logged", "webhook.test", "x"]})
    assert added.status_code == 200 and added.headers["Cache-Control"] == "no-store"
    with transaction(engine) as s:
        [kept] = s.scalars(select(WebhookEndpoint)).all()
    assert kept.events == ["introduction.logged"] and kept.secret.startswith("whsec_")
    assert kept.secret in added.text and "shown this once" in added.text
    receiver.secret = kept.secret
    listed, log = client.get("/admin/webhooks").text, client.get(f"/admin/webhooks/{kept.id}").text
    assert receiver.url in listed and "Enabled" in listed and "Nothing sent yet." in log
    assert kept.secret not in listed + log  # never again

    sent = client.post(f"/admin/webhooks/{kept.id}/action", data={"csrf_token": token, "action": "test"})
    assert sent.status_code == 303
    run_once(app.extensions["intro"]["config"], engine, utcnow())
    [seen] = receiver.seen
    assert seen.event["type"] == "webhook.test"
    log = client.get(f"/admin/webhooks/{kept.id}").text
    assert seen.webhook_id in log and "webhook.test" in log and "delivered" in log and "<td>200</td>" in log

    client.post(f"/admin/webhooks/{kept.id}/action", data={"csrf_token": token, "action": "disable"})
    assert "Disabled by an organizer" in client.get("/admin/webhooks").text
    client.post(f"/admin/webhooks/{kept.id}/action", data={"csrf_token": token, "action": "enable"})
    assert "Enabled" in client.get("/admin/webhooks").text
    gone = client.post(f"/admin/webhooks/{kept.id}/action", data={"csrf_token": token, "action": "delete"})
    assert gone.status_code == 303 and client.get(f"/admin/webhooks/{kept.id}").status_code == 404
    assert rows(engine) == []  # its log went with it


def test_a_private_address_is_refused_on_the_page_and_others_may_not_see_it(
        engine: Engine, sink: tuple[Sink, int]) -> None:
    app = create_app(settings(sink[1], INTRO_WEBHOOKS_ALLOW_PRIVATE="false"), engine)
    client = sign_in(app, sink[0], ORGANIZER)
    token = csrf_token(client.get("/admin/webhooks").text)
    for url in ("http://127.0.0.1:9/hooks", "http://localhost/"):
        refused = client.post("/admin/webhooks", data={"csrf_token": token, "url": url,
                                                       "event": "introduction.logged"})
        assert refused.status_code == 400 and "private network" in refused.text
    refused = client.post("/admin/webhooks", data={"csrf_token": token, "url": "ftp://example.com/",
                                                   "event": "introduction.logged"})
    assert refused.status_code == 400 and "http:// or https://" in refused.text
    with transaction(engine) as s:
        assert s.scalars(select(WebhookEndpoint)).all() == []
    assert app.test_client().get("/admin/webhooks").status_code == 303  # signed out: to sign in
    with transaction(engine, write=True) as s:
        _person(s, "sam@example.com")
        campaigns.join(s, find_id(s, "sam@example.com") or 0, campaigns.campaign_id_for(s, 2026))
    stranger = sign_in(app, sink[0], "sam@example.com")
    assert stranger.get("/admin/webhooks").status_code == 403
    assert stranger.post("/admin/webhooks", data={"csrf_token": csrf_token(stranger.get("/me").text),
                                                  "url": "https://example.com/",
                                                  "event": "introduction.logged"}).status_code == 403


def test_the_payload_is_json_in_standard_webhooks_shape(engine: Engine, sink: tuple[Sink, int],
                                                        receiver: Receiver) -> None:
    endpoint_id = endpoint(engine, receiver)
    with transaction(engine, write=True) as s:
        webhooks.test(s, endpoint_id)
    run_once(settings(sink[1]), engine, utcnow())
    [seen] = receiver.seen
    assert json.loads(seen.body) == seen.event and set(seen.event) == {"type", "timestamp", "data"}
    assert seen.event["timestamp"].endswith("Z")


def test_forgetting_someone_deletes_the_deliveries_that_name_them(engine: Engine, receiver: Receiver) -> None:
    endpoint(engine, receiver, ("participant.joined",))
    with transaction(engine, write=True) as s:
        campaign = campaigns.campaign_id_for(s, 2026)
        for email in ("sam@example.com", "kim_lo@example.com"):
            assert campaigns.join(s, _person(s, email), campaign)
    assert len(rows(engine)) == 2
    with transaction(engine, write=True) as s:
        assert privacy.forget(s, "kim_lo@example.com")
    [left] = rows(engine)
    assert "sam@example.com" in left.payload


def test_the_scheduler_of_intro_serve_delivers_within_seconds(engine: Engine, sink: tuple[Sink, int],
                                                              receiver: Receiver) -> None:
    scheduler = SchedulerComponent(settings(sink[1]), engine)
    scheduler.start()
    try:
        endpoint_id = endpoint(engine, receiver)
        with transaction(engine, write=True) as s:
            webhooks.test(s, endpoint_id)
        deadline = time.monotonic() + 20
        while not receiver.seen and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        scheduler.stop()
    assert [s.event["type"] for s in receiver.seen] == ["webhook.test"]
