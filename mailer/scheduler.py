"""The follow-up scheduler as a component of `intro serve`: one pass a minute, and the
links people asked for (sign in, join) within seconds; webhook deliveries likewise, a
pass a minute and within seconds of an event."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from intro import deliveries, privacy, wakeup
from intro.config import Config
from intro.secret import secret_key
from intro.timeutil import utcnow
from mailer.outbox import asks_waiting, links_waiting, run_once, send_links
from mailer.render import Renderer
from mailer.send import outgoing
from mailer.webhooks import run_once as deliver_webhooks

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60.0
# How often to look for links to mail when not woken: the web site may run in another
# process (gunicorn), and someone is waiting for the link.
LINK_POLL_SECONDS = 2.0
# Raw messages past [privacy] retention are purged this often (the facts stay).
PURGE_SECONDS = 3600.0


class SchedulerComponent:
    name = "scheduler"

    def __init__(self, config: Config, engine: Engine) -> None:
        self.config = config
        self.engine = engine
        self.renderer = Renderer(config.mail.templates or None)
        self.connect = outgoing(config)  # reads the DKIM keys: a bad one stops the start
        self._stop = threading.Event()
        self._wake = wakeup.link_queued
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        secret = secret_key(self.engine, self.config.secret_key)
        next_pass = next_purge = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + PURGE_SECONDS
                    if purged := privacy.purge_raw(self.engine, self.config.privacy.retention, utcnow()):
                        log.info("raw text of %s messages past the retention period purged", purged)
                    deliveries.purge(self.engine, utcnow())
                if time.monotonic() >= next_pass:
                    next_pass = time.monotonic() + INTERVAL_SECONDS
                    summary = run_once(self.config, self.engine, secret, utcnow(), self.renderer, self.connect)
                    if any((summary.sent, summary.retried, summary.failed, summary.links, summary.pace_notes,
                            summary.asks)):
                        log.info("follow-ups: %s", summary.describe())
                    deliver_webhooks(self.config, self.engine, utcnow())
                elif links_waiting(self.engine, utcnow()):
                    sent = send_links(self.config, self.engine, secret, utcnow(), self.renderer, self.connect)
                    log.info("links mailed: %s", sent)
                elif asks_waiting(self.engine, utcnow()):
                    summary = run_once(self.config, self.engine, secret, utcnow(), self.renderer, self.connect,
                                       only=("asks",))
                    log.info("mails about asks: %s", summary.asks)
                elif deliveries.waiting(self.engine, utcnow()):
                    deliver_webhooks(self.config, self.engine, utcnow())
            except (OperationalError, InterfaceError) as e:
                log.warning("scheduler: database unavailable (%s); trying again soon", e.orig)
            except Exception:  # never let the thread die: nothing would be sent again
                log.exception("scheduler: unexpected error; trying again soon")
            self._wake.wait(LINK_POLL_SECONDS)
            self._wake.clear()
