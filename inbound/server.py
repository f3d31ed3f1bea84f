"""The SMTP server as a component of `intro serve`."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from core import messages
from core.config import Config
from core.errors import ListenError
from core.messages import Arrival
from inbound.handler import IntroHandler

log = logging.getLogger(__name__)

IDENT = "intro ESMTP"


class SmtpComponent:
    name = "smtp"

    def __init__(self, config: Config, engine: Engine) -> None:
        self.config = config
        self.engine = engine
        # Database work runs off the event loop so one slow commit never stalls every session.
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="smtp-store")
        handler = IntroHandler(config.service.address, self._store)
        self.controller = Controller(
            handler, hostname=config.smtp.host, port=config.smtp.port, ident=IDENT
        )

    async def _store(self, received: Arrival) -> int | None:
        loop = asyncio.get_running_loop()
        ids = await loop.run_in_executor(self._executor, messages.store, self.engine, [received])
        return ids[0]

    def start(self) -> None:
        try:
            self.controller.start()
        except OSError as e:
            self._executor.shutdown()
            raise ListenError("SMTP", self.config.smtp.host, self.config.smtp.port, e, "INTRO_SMTP_PORT") from None
        log.info("SMTP listening on %s:%s for %s", self.config.smtp.host, self.config.smtp.port,
                 ", ".join(self.config.service.address))

    def stop(self) -> None:
        self.controller.stop()
        self._executor.shutdown(wait=True)
