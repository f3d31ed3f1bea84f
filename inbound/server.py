"""The SMTP (or LMTP) server as a component of `intro serve` and `intro smtp`."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from aiosmtpd.controller import Controller, UnixSocketController
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from sqlalchemy import Engine

from core import messages
from core.config import Config
from core.errors import ListenError
from inbound.group_commit import GroupCommitter
from inbound.handler import IntroHandler

log = logging.getLogger(__name__)

IDENT = "intro ESMTP"


class _LmtpController(Controller):
    def factory(self) -> SMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


class _LmtpUnixController(UnixSocketController):
    def factory(self) -> SMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


class SmtpComponent:
    name = "smtp"

    def __init__(self, config: Config, engine: Engine) -> None:
        self.config = config
        self.committer = GroupCommitter(partial(messages.store, engine))
        handler = IntroHandler(config.service.address, self.committer.store, config.smtp.max_recipients)
        # aiosmtpd's defaults stay on: bare LF and bare CR are refused (the SMTP smuggling
        # fix, CVE-2024-27305), and so are lines over 1000 octets (RFC 5321 4.5.3.1.6).
        options: dict[str, Any] = {"ident": IDENT, "data_size_limit": config.smtp.max_message_size}
        lmtp = config.smtp.protocol == "lmtp"
        self.controller: Controller | UnixSocketController
        if config.smtp.socket:
            unix = _LmtpUnixController if lmtp else UnixSocketController
            self.controller = unix(handler, unix_socket=config.smtp.socket, **options)
        else:
            inet = _LmtpController if lmtp else Controller
            self.controller = inet(handler, hostname=config.smtp.host, port=config.smtp.port, **options)

    @property
    def where(self) -> str:
        smtp = self.config.smtp
        return smtp.socket or f"{smtp.host}:{smtp.port}"

    def start(self) -> None:
        try:
            self.controller.start()
        except OSError as e:
            self.committer.close()
            smtp = self.config.smtp
            raise ListenError(smtp.protocol.upper(), smtp.socket or smtp.host, smtp.port, e,
                              "INTRO_SMTP_SOCKET" if smtp.socket else "INTRO_SMTP_PORT") from None
        log.info("%s listening on %s for %s", self.config.smtp.protocol.upper(), self.where,
                 ", ".join(self.config.service.address))

    def stop(self) -> None:
        self.controller.stop()
        self.committer.close()
