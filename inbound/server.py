"""The SMTP (or LMTP) server as a component of `intro serve` and `intro smtp`."""

from __future__ import annotations

import ipaddress
import logging
from functools import partial
from typing import Any

from aiosmtpd.controller import Controller, UnixSocketController
from aiosmtpd.smtp import SMTP
from sqlalchemy import Engine

from inbound.authentication import authenticate, dns_resolver
from inbound.group_commit import GroupCommitter
from inbound.guard import COMMAND_LIMITS, Guard, GuardedLMTP, GuardedSMTP
from inbound.handler import IntroHandler
from intro import messages
from intro.config import Config
from intro.errors import ListenError

log = logging.getLogger(__name__)

IDENT = "intro ESMTP"


class _Guarded:
    """A controller whose connections go through the guard, as SMTP or LMTP."""

    handler: Any
    SMTP_kwargs: dict[str, Any]

    def __init__(self, handler: Any, guard: Guard, lmtp: bool, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)  # type: ignore[call-arg]
        self.guard, self.lmtp = guard, lmtp

    def factory(self) -> SMTP:
        protocol = GuardedLMTP if self.lmtp else GuardedSMTP
        return protocol(self.handler, self.guard, **self.SMTP_kwargs)


class _Controller(_Guarded, Controller):
    pass


class _UnixController(_Guarded, UnixSocketController):
    pass


def guard_for(config: Config) -> Guard:
    smtp = config.smtp
    return Guard(smtp.max_connections, smtp.max_connections_per_client, smtp.messages_per_minute,
                 tuple(ipaddress.ip_network(n) for n in smtp.trusted_networks), smtp.large_messages_at_once)


class SmtpComponent:
    name = "smtp"

    def __init__(self, config: Config, engine: Engine) -> None:
        self.config = config
        self.committer = GroupCommitter(partial(messages.store, engine))
        self.guard = guard_for(config)
        check = None
        if config.trust.on_fail == "reject":
            resolve = dns_resolver(config.trust.resolver)
            check = partial(authenticate, authserv_id=config.trust.authserv_id, resolve=resolve)
        handler = IntroHandler(config.service.address, self.committer.store, config.smtp.max_recipients, self.guard,
                               check)
        # aiosmtpd's defaults stay on: bare LF and bare CR are refused (the SMTP smuggling
        # fix, CVE-2024-27305), and so are lines over 1000 octets (RFC 5321 4.5.3.1.6).
        options: dict[str, Any] = {
            "ident": IDENT, "data_size_limit": config.smtp.max_message_size,
            # A client that says nothing for this long is cut off (a slow-loris holds a
            # connection slot by sending a byte now and then; each command resets it).
            "timeout": config.smtp.idle_timeout.total_seconds(),
            "command_call_limit": COMMAND_LIMITS,
        }
        lmtp = config.smtp.protocol == "lmtp"
        self.controller: Controller | UnixSocketController
        if config.smtp.socket:
            self.controller = _UnixController(handler, self.guard, lmtp, unix_socket=config.smtp.socket, **options)
        else:
            self.controller = _Controller(handler, self.guard, lmtp, hostname=config.smtp.host,
                                          port=config.smtp.port, **options)

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
