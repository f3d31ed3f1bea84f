"""The aiosmtpd handler: check recipients, store durably, answer. No domain logic here."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiosmtpd.lmtp import LMTP

from inbound.authentication import FAIL, Verdict
from inbound.guard import Guard, client_of
from inbound.policy import accepts
from inbound.understanding.mime import envelope_id
from intro.messages import Arrival, arrival

log = logging.getLogger(__name__)

# RFC 3463 enhanced status codes; every refusal says what happened and what to do.
OK_250_RECIPIENT = "250 2.1.5 Recipient OK"
# The same words for a new message and for one already received (same Message-ID), with
# no counter: the reply must not tell a sender whether intro was copied on a message
# before, nor how many it holds. The reference is the Message-ID's hash, which the
# sender knows already; the log line of the message carries it too.
OK_250_STORED = "250 2.0.0 OK: received, ref {ref}"
ERR_550_NOT_SERVED = (
    "550 5.1.1 <{address}>: no such mailbox here. This server only takes mail for "
    "{service} (and {plus} forms); it does not relay"
)
# RFC 5321 4.5.3.1.10: 452 for too many recipients, so the client sends the rest later.
ERR_452_TOO_MANY = "452 4.5.3 Too many recipients: at most {limit} per message; send the rest in another message"
ERR_451_TRY_LATER = "451 4.3.0 The message could not be stored just now; please try again later"
# RFC 7372: 5.7.20-5.7.26 name the DKIM/SPF/DMARC failures; 5.7.1 is the general refusal.
ERR_550_NOT_AUTHENTIC = "550 5.7.1 The sender could not be authenticated (DKIM/DMARC): {note}"

# Authenticates a raw message (inbound.authentication).
Check = Callable[[bytes], Verdict]
# Commits an arrival durably and returns its stored id, or None for a duplicate.
Store = Callable[[Arrival], Awaitable[int | None]]


class IntroHandler:
    def __init__(self, service_addresses: tuple[str, ...], store: Store, max_recipients: int,
                 guard: Guard | None = None, check: Check | None = None) -> None:
        self.service_addresses = service_addresses
        self.store = store
        self.max_recipients = max_recipients
        self.guard = guard
        # With [trust] on_fail = "reject": authenticates each message before it is taken.
        self.check = check

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:
        # The per-client message rate is checked here, before anything is sent: a 451 to
        # MAIL costs the client nothing and its MTA retries later.
        refusal = self.guard.message(client_of(session.peer)) if self.guard else None
        if refusal is not None:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if not accepts(address, self.service_addresses):
            first = self.service_addresses[0]
            local, _, domain = first.partition("@")
            return ERR_550_NOT_SERVED.format(address=address, service=first, plus=f"{local}+tag@{domain}")
        if len(envelope.rcpt_tos) >= self.max_recipients:
            return ERR_452_TOO_MANY.format(limit=self.max_recipients)
        envelope.rcpt_tos.append(address)
        return OK_250_RECIPIENT

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        peer = client_of(session.peer)
        if self.check is not None:
            # DNS lookups block: in a worker thread, so other connections go on meanwhile.
            verdict = await asyncio.get_running_loop().run_in_executor(None, self.check, raw)
            if verdict.result == FAIL:
                return ERR_550_NOT_AUTHENTIC.format(note=" ".join(verdict.note.split())[:300])
        message_id = envelope_id(raw)
        received = arrival(raw, envelope.mail_from or "", envelope.rcpt_tos, peer, message_id)
        try:
            stored_id = await self.store(received)
        except Exception:
            # Nothing was committed; the client keeps the message and retries later.
            log.exception("could not store a message from %s; answered 451", peer)
            status = ERR_451_TRY_LATER
        else:
            ref = reference(message_id, raw)
            # One line per message, once it is durable: what an operator greps for.
            log.info("received id=%s size=%s client=%s message-id=%s ref=%s",
                     "duplicate" if stored_id is None else stored_id, len(raw), peer or "-",
                     f"<{printable(message_id)}>" if message_id else "none", ref)
            status = OK_250_STORED.format(ref=ref)
        if isinstance(server, LMTP):
            # LMTP (RFC 2033 4.2) answers DATA once per accepted recipient. The message is
            # stored once for all of them, so they all share its fate.
            return "\r\n".join([status] * len(envelope.rcpt_tos))
        return status


def printable(text: str) -> str:
    """``text`` fit for one log line: a Message-ID holds no white space, but may hold other
    control characters (a terminal's escape sequences), which would reach the log as they are."""
    return text if text.isprintable() else "".join(c if c.isprintable() else "?" for c in text)


def reference(message_id: str | None, raw: bytes) -> str:
    """What the 250 calls a message by: its Message-ID's hash (or the whole message's,
    without one), the same for every copy."""
    return hashlib.sha256(message_id.encode("utf-8", "replace") if message_id else raw).hexdigest()[:16].upper()
