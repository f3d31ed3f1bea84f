"""Sending: through the configured relay, or into the outbox folder when there is none.

Errors are sorted by what they mean for a retry: a temporary failure certainly did not
deliver (retry later), a permanent one will never deliver (give up), and an unknown
outcome (the connection dropped after the message was handed over) may have delivered,
so it is not retried: at most once.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from collections.abc import Callable
from email.message import Message
from email.policy import Compat32
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from intro.config import Config, RelayConfig
from mailer.signing import Sign, signer, unsigned

TIMEOUT = 30  # seconds for any one SMTP command


class _Wire(Compat32):
    """compat32 with CRLF, writing short ASCII header values as they are.

    compat32 runs every header through email.header.Header to fold it, which was half
    the cost of serialising a follow-up (bench/followups_send.py); the values composed
    here are already clean, so only long or non-ASCII ones need that.
    """

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if isinstance(value, str) and value.isascii() and len(name) + len(value) < 76 and value.isprintable():
            return f"{name}: {value}{self.linesep}"
        return str(super()._fold(name, value, sanitize))  # type: ignore[misc]


_WIRE = _Wire(linesep="\r\n")


class TemporaryFailure(Exception):
    """Not delivered; worth trying again later (4xx, connection refused)."""


class PermanentFailure(Exception):
    """Not delivered, and never will be (5xx)."""


class UnknownOutcome(Exception):
    """Maybe delivered: the connection failed after the message was handed over."""


class Transport(Protocol):
    def __enter__(self) -> Transport: ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None: ...

    def send(self, message: Message, sender: str, recipient: str | tuple[str, ...]) -> str:
        """Hand the message over to ``recipient`` (one address, or several for one mail:
        an introduction to two people); return what became of it (the relay's reply)."""
        ...


def transport(relay: RelayConfig, sign: Sign = unsigned, helo_name: str | None = None) -> Transport:
    """Where mail goes: the relay, or the outbox folder when none is set; ``sign`` adds the
    DKIM signatures to the bytes as sent, ``helo_name`` is the name given in EHLO."""
    if relay.host:
        return SmtpTransport(relay, sign, helo_name)
    return OutboxTransport(Path(relay.outbox), sign)


def outgoing(config: Config) -> Callable[[], Transport]:
    """Opens this installation's way out: signed with its DKIM keys, greeting the relay as
    ``[relay] helo_name`` (else the service domain: a relay may refuse a name that does not
    resolve, and the machine's own name often does not). A bad key fails here, at start."""
    sign = signer(config)
    helo_name = config.relay.helo_name or config.service.address[0].rpartition("@")[2]
    return lambda: transport(config.relay, sign, helo_name)


def wire(message: Message) -> bytes:
    """The message as it goes out: CRLF line ends, short headers as they are."""
    return message.as_bytes(policy=_WIRE)


class OutboxTransport:
    """Writes each message as an .eml file, so a new install shows what it would send."""

    def __init__(self, folder: Path, sign: Sign = unsigned) -> None:
        self.folder = folder
        self.sign = sign

    def __enter__(self) -> OutboxTransport:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def send(self, message: Message, sender: str, recipient: str | tuple[str, ...]) -> str:
        message_id = str(message["Message-ID"]).strip("<>").replace("/", "_")
        recipient = ">, <".join((recipient,) if isinstance(recipient, str) else recipient)
        data = self.sign(wire(message))
        # Write then rename: a reader of the folder never sees half a message.
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(f"X-Envelope-From: <{sender}>\r\nX-Envelope-To: <{recipient}>\r\n".encode())
            f.write(data)
        path = self.folder / f"{message_id}.eml"
        os.replace(tmp, path)
        return f"written to {path}"


class SmtpTransport:
    """One connection for a batch, opened on first use and reopened if it drops."""

    def __init__(self, relay: RelayConfig, sign: Sign = unsigned, helo_name: str | None = None) -> None:
        self.relay = relay
        self.sign = sign
        self.helo_name = helo_name  # None: smtplib's default, this host's FQDN
        self.client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.client = None

    def _connect(self) -> smtplib.SMTP:
        relay = self.relay
        try:
            if relay.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(relay.host, relay.port, self.helo_name, timeout=TIMEOUT,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(relay.host, relay.port, self.helo_name, timeout=TIMEOUT)
                if relay.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
            if relay.username:
                client.login(relay.username, relay.password)
            client.ehlo_or_helo_if_needed()
        except smtplib.SMTPAuthenticationError as e:
            raise TemporaryFailure(f"the relay refused the login: {e.smtp_code} {e.smtp_error!r}") from None
        except (smtplib.SMTPException, OSError) as e:
            raise TemporaryFailure(f"cannot reach the relay {relay.host}:{relay.port}: {e}") from None
        return client

    def send(self, message: Message, sender: str, recipient: str | tuple[str, ...]) -> str:
        # Step by step rather than smtplib's sendmail(): a connection lost before DATA
        # certainly delivered nothing (retry), one lost during DATA may have (do not).
        data = self.sign(wire(message))
        recipients = (recipient,) if isinstance(recipient, str) else recipient
        options = ["SMTPUTF8"] if not (sender + "".join(recipients)).isascii() else []
        client = self.client or self._connect()
        self.client = client
        refused: list[str] = []
        try:
            code, reply = client.mail(sender, options)
            if code == 250:
                # One mail to several people: it goes to those the relay takes; it fails
                # only if the relay takes none of them, with the first refusal.
                first: tuple[int, bytes] | None = None
                for address in recipients:
                    rcpt_code, rcpt_reply = client.rcpt(address)
                    if rcpt_code not in (250, 251):
                        refused.append(f"{address}: {rcpt_code} {rcpt_reply.decode(errors='replace')}")
                        first = first or (rcpt_code, rcpt_reply)
                if first is not None and len(refused) == len(recipients):
                    code, reply = first
            if code not in (250, 251):
                client.rset()
                raise _by_code(code, reply)
        except (smtplib.SMTPServerDisconnected, OSError) as e:
            self.client = None
            raise TemporaryFailure(f"the connection to the relay dropped before the message was sent: {e}") from None
        try:
            code, reply = client.data(data)
        except smtplib.SMTPDataError as e:  # DATA itself refused: nothing was handed over
            raise _by_code(e.smtp_code, e.smtp_error) from None
        except (smtplib.SMTPServerDisconnected, OSError) as e:
            self.client = None
            raise UnknownOutcome(f"the connection to the relay failed while sending: {e}") from None
        if code != 250:
            raise _by_code(code, reply)
        return f"{code} {reply.decode(errors='replace')}" + (f" (refused {'; '.join(refused)})" if refused else "")


def _by_code(code: int, reason: bytes | str) -> Exception:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else reason
    if 400 <= code < 500:
        return TemporaryFailure(f"{code} {text}")
    return PermanentFailure(f"{code} {text}")
