"""The follow-up scheduler as a component of `intro serve`: one pass a minute."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from core.config import Config
from core.secret import secret_key
from core.timeutil import utcnow
from mailer.followups import run_once
from mailer.render import Renderer

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60.0


class SchedulerComponent:
    name = "scheduler"

    def __init__(self, config: Config, engine: Engine) -> None:
        self.config = config
        self.engine = engine
        self.renderer = Renderer(config.mail.templates or None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        secret = secret_key(self.engine, self.config.secret_key)
        while not self._stop.is_set():
            try:
                summary = run_once(self.config, self.engine, secret, utcnow(), self.renderer)
                if summary.sent or summary.retried or summary.failed:
                    log.info("follow-ups: %s", summary.describe())
            except (OperationalError, InterfaceError) as e:
                log.warning("scheduler: database unavailable (%s); trying again in a minute", e.orig)
            except Exception:  # never let the thread die: nothing would be sent again
                log.exception("scheduler: unexpected error; trying again in a minute")
            self._stop.wait(INTERVAL_SECONDS)
