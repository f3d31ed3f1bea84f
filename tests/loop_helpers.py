"""Helpers for tests of the whole loop: a real SMTP sink, delivering and sending."""

from __future__ import annotations

import email
import email.policy
import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine, select

from inbound.processor import process_pending
from inbound.server import SmtpComponent
from intro.config import Config
from intro.db import transaction
from intro.models import FollowUp, Person
from intro.secret import secret_key
from mailer.outbox import Summary, run_once
from mailer.render import Renderer

SERVICE = "intro@tally.example"


@dataclass
class Sink:
    """A real SMTP server that keeps what it receives; can refuse recipients on demand."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply
    raw: list[bytes] = field(default_factory=list)  # each message as it came, for signatures
    greetings: list[str] = field(default_factory=list)  # the name each client gave in EHLO

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.raw.append(envelope.original_content or envelope.content)
        self.greetings.append(session.host_name)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


def deliver(config: Config, engine: Engine, raw: bytes, rcpt: str = SERVICE, sender: str = "sam@example.com") -> None:
    """Over SMTP to the real server, then processed as `intro serve` would."""
    server = SmtpComponent(config, engine)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", config.smtp.port) as client:
            client.sendmail(sender, [rcpt], raw)
    finally:
        server.stop()
    process_pending(engine, config)


def run(config: Config, engine: Engine, now: datetime) -> Summary:
    return run_once(config, engine, secret_key(engine, config.secret_key), now, Renderer())


def tags(engine: Engine) -> dict[str, str]:
    with transaction(engine) as s:
        rows = s.execute(select(Person.email, FollowUp.tag).select_from(FollowUp)
                         .join(FollowUp.party).join(Person)).all()
    return {email_: tag for email_, tag in rows}


