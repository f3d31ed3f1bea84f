"""One pass of the webhook deliveries: claim what is due (intro.deliveries, through the
outbox's one mechanism), sign each as Standard Webhooks says, post it, settle it.

A delivery connects only to the addresses its host resolves to at that moment, checked
as intro.webhooks says, and names the host in its Host header and TLS (SNI and the
certificate): a host whose DNS changes between the check and the connection (DNS
rebinding) cannot send it anywhere else. Redirects are not followed: a 3xx is a failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import logging
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from sqlalchemy import Engine

from intro import webhooks
from intro.config import Config, WebhooksConfig
from intro.deliveries import Deliveries, DeliveryJob
from intro.outbox import Claimed, Outcome, Result, expire
from intro.text import one_line
from mailer.outbox import Summary, drain

log = logging.getLogger(__name__)

AT_ONCE = 4  # deliveries posted at the same time
USER_AGENT = "intro-webhooks/1"
_READ = 64 * 1024  # of an answer's body: enough to end the exchange, never kept whole


def sign(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    """The webhook-signature header (Standard Webhooks, "v1"): the HMAC-SHA256, keyed
    with the secret's bytes, of "id.timestamp.body", in base64."""
    key = base64.b64decode(secret.removeprefix(webhooks.SECRET_PREFIX))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def run_once(config: Config, engine: Engine, now: datetime) -> Summary:
    """Make every delivery due at ``now``; the outcomes are in ``results["webhooks"]``."""
    kind = Deliveries(config.web.admins)
    released = expire(engine, kind.stages, now)
    if released:
        log.warning("%s webhook deliveries were claimed but never settled (a sender stopped); tried again", released)
    summary = Summary()
    drain(engine, kind, now, partial(deliver_all, settings=config.webhooks), summary)
    return summary


def deliver_all(claimed: list[Claimed[DeliveryJob]], *, settings: WebhooksConfig
                ) -> list[tuple[Claimed[DeliveryJob], Outcome]]:
    if not claimed:
        return []
    with ThreadPoolExecutor(min(AT_ONCE, len(claimed)), thread_name_prefix="webhook") as pool:
        return list(zip(claimed, pool.map(lambda item: deliver(item.job, settings), claimed), strict=True))


def deliver(job: DeliveryJob, settings: WebhooksConfig) -> Outcome:
    """One attempt: 2xx delivers it; anything else is tried again, with the same id."""
    try:
        addresses = webhooks.check(job.url, settings.allow_private)  # again: DNS may have changed since
    except webhooks.Refused as e:
        outcome = Outcome(Result.RETRY, f"refused: {e}")
    else:
        timestamp = int(time.time())  # the time of this attempt: receivers refuse old ones
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "webhook-id": job.webhook_id,
                   "webhook-timestamp": str(timestamp),
                   "webhook-signature": sign(job.secret, job.webhook_id, timestamp, job.body)}
        try:
            status, said = post(job.url, addresses, headers, job.body.encode(), settings.timeout)
        except (OSError, http.client.HTTPException) as e:  # timeouts, refused connections, TLS
            outcome = Outcome(Result.RETRY, one_line(f"{type(e).__name__}: {e}", 300))
        else:
            outcome = Outcome(Result.SENT, status=status) if 200 <= status < 300 else \
                Outcome(Result.RETRY, one_line(f"answered {status} {said}", 300), status=status)
    if outcome.result == Result.SENT:
        log.info("webhook delivered id=%s delivery=%s status=%s", job.webhook_id, job.delivery_id, outcome.status)
    else:
        log.warning("webhook not delivered id=%s delivery=%s reason=%s", job.webhook_id, job.delivery_id,
                    outcome.error)
    return outcome


def post(url: str, addresses: list[str], headers: dict[str, str], body: bytes, timeout: timedelta) -> tuple[int, str]:
    """POST ``body`` to ``url`` at the first of ``addresses`` that accepts a connection;
    the answer's status and the start of its body."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    seconds = timeout.total_seconds()
    refused: OSError | None = None
    for address in addresses:
        connection = _Pinned(parts.hostname, parts.port, address, seconds) if parts.scheme == "http" else \
            _PinnedTLS(parts.hostname, parts.port, address, seconds)
        try:
            try:
                connection.connect()
            except OSError as e:
                refused = e
                continue
            connection.request("POST", target, body, headers)
            answer = connection.getresponse()
            return answer.status, answer.read(_READ).decode("utf-8", "replace")[:200]
        finally:
            connection.close()
    raise refused or OSError("no address to connect to")


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection to the host, at an address already checked."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        if self.sock is None:
            self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    """An HTTPS connection to the host, at an address already checked; the certificate
    is verified for the host's name."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address, self.tls = address, ssl.create_default_context()

    def connect(self) -> None:
        if self.sock is None:
            raw = socket.create_connection((self.address, self.port), self.timeout)
            self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
