"""Limits that keep one client from taking the SMTP server from everyone else.

Every refusal here is temporary (4xx), so an honest sender's MTA queues the message and
tries again later; nothing is lost. Loopback clients, Unix-socket clients and the
configured trusted networks (the upstream MTA, which passes on everyone's mail) are
exempt from the per-client limits; the total connection limit applies to all.

All of it runs on the SMTP server's one event-loop thread: no locks.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

# RFC 5321 3.8 and 4.2.3: 421 closes the connection; RFC 3463 4.7.0/4.7.1: policy, temporary.
TOO_MANY_CONNECTIONS = "421 4.7.0 Too many connections just now; please try again in a few minutes"
TOO_MANY_FROM_YOU = "421 4.7.0 Too many connections from your address; please try again in a few minutes"
TOO_MANY_MESSAGES = "451 4.7.1 Too many messages from your address just now; please try again in a few minutes"
# RFC 3463 4.3.2: the system is busy: the client's MTA keeps the message and retries.
TOO_MANY_AT_ONCE = "451 4.3.2 Too many messages arriving at once; please try again in a few minutes"
# A message past this size is large: it needs one of the slots for large messages.
LARGE = 1024 * 1024
# How long DATA waits for one of the slots before that answer: long enough to ride out a
# burst, short enough that a client never waits near its own timeout (RFC 5321 4.5.3.2).
DATA_WAIT = 30.0

# Per connection, how often each command may be sent. Enough for thousands of messages on
# one connection; not for a loop of EHLO, NOOP or RSET that only keeps a slot busy.
COMMAND_LIMITS = {"*": 100, "MAIL": 100_000, "RCPT": 1_000_000, "DATA": 100_000, "RSET": 100_000,
                  "NOOP": 1_000, "QUIT": 1}

Clock = Callable[[], float]


@dataclass
class Guard:
    max_connections: int
    max_per_client: int
    messages_per_minute: int  # per client; 0: no limit
    trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    # Large messages (past LARGE) received at once: each is in memory, twice, while it
    # arrives and is stored, so this bounds the server's memory.
    large_messages_at_once: int = 2
    clock: Clock = time.monotonic
    open_total: int = 0
    _open: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Token buckets: (tokens, last refill) per client.
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    _receiving: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def receiving(self) -> asyncio.Semaphore:
        """The slots for messages being received, of the running event loop (a server
        stopped and started again runs a new one)."""
        loop = asyncio.get_running_loop()
        if self._receiving is None or self._receiving[0] is not loop:
            self._receiving = (loop, asyncio.Semaphore(self.large_messages_at_once))
        return self._receiving[1]

    def exempt(self, client: str) -> bool:
        if not client:  # a Unix socket: a local MTA
            return True
        try:
            ip = ipaddress.ip_address(client)
        except ValueError:
            return False
        if ip.is_loopback:
            return True
        mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:a.b.c.d from a dual-stack socket
        return any((mapped or ip) in network for network in self.trusted)

    def connect(self, client: str) -> str | None:
        """None to let the connection in (then call `disconnect` when it ends), else the 421."""
        if self.open_total >= self.max_connections:
            return TOO_MANY_CONNECTIONS
        if not self.exempt(client) and self._open[client] >= self.max_per_client:
            return TOO_MANY_FROM_YOU
        self.open_total += 1
        self._open[client] += 1
        return None

    def disconnect(self, client: str) -> None:
        self.open_total -= 1
        self._open[client] -= 1
        if self._open[client] <= 0:
            del self._open[client]

    def message(self, client: str) -> str | None:
        """At MAIL FROM: None to go on, else the 451 (a burst of a minute's worth is fine)."""
        if not self.messages_per_minute or self.exempt(client):
            return None
        now = self.clock()
        rate = self.messages_per_minute / 60.0
        tokens, last = self._buckets.get(client, (float(self.messages_per_minute), now))
        tokens = min(float(self.messages_per_minute), tokens + (now - last) * rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return TOO_MANY_MESSAGES
        self._buckets[client] = (tokens - 1.0, now)
        if len(self._buckets) > 100_000:  # forget clients whose buckets are full again
            full = [c for c, (t, at) in self._buckets.items() if t + (now - at) * rate >= self.messages_per_minute]
            for c in full:
                del self._buckets[c]
        return None


def client_of(peer: Any) -> str:
    return str(peer[0]) if isinstance(peer, tuple) and peer else ""


class _Guarded:
    """Checks the connection limits before the greeting; a refused client gets a 421 and
    the connection is closed, without a session."""

    guard: Guard
    _client: str | None = None
    _refused = False
    _slot: asyncio.Semaphore | None = None  # held while a large message is received and stored

    def connection_made(self, transport: Any) -> None:
        if getattr(self, "transport", None) is None:  # a new connection, not a STARTTLS upgrade
            client = client_of(transport.get_extra_info("peername"))
            refusal = self.guard.connect(client)
            if refusal is not None:
                self._refused = True
                transport.write(f"{refusal}\r\n".encode())
                transport.close()
                return
            self._client = client
        super().connection_made(transport)  # type: ignore[misc]

    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd's DATA (1.4), reading into one buffer: aiosmtpd keeps a bytearray per
        line, which for a 25 MiB message of short lines is over 500 MiB. The same checks,
        replies and hooks, in the same order (RFC 5321 4.1.1.4, 4.5.2, 4.5.3.1.6). And a
        message past LARGE takes one of the guard's slots for large messages until it is
        stored: ordinary mail never waits, and at most so many large ones are in memory."""
        try:
            await self._receive(arg)
        finally:  # also when the connection is lost in the middle
            if self._slot is not None:
                self._slot.release()
                self._slot = None

    async def _receive(self, arg: str) -> None:
        server: Any = self
        if await server.check_helo_needed() or await server.check_auth_needed("DATA"):
            return
        if not server.envelope.rcpt_tos:
            await server.push("503 Error: need RCPT command")
            return
        if arg:
            await server.push("501 Syntax: DATA")
            return
        await server.push("354 End data with <CR><LF>.<CR><LF>")
        content, size, problem, partial = bytearray(), 0, "", False
        limit = server.data_size_limit
        while server.transport is not None:
            try:
                line: bytes = await server._reader.readuntil(b"\r\n")
            except asyncio.CancelledError:
                server._writer.close()  # the connection was lost during DATA
                raise
            except asyncio.LimitOverrunError as e:  # a line longer than the stream's buffer
                problem = problem or "500 Line too long (see RFC5321 4.5.3.1.6)"
                line = await server._reader.read(e.consumed)
            complete = line.endswith(b"\r\n")
            if not partial and line == b".\r\n":
                break
            size += len(line)
            if size > LARGE and self._slot is None and not problem:
                # The client waits for our reply only at the end: reading pauses here (TCP
                # holds the rest back) until a slot is free, or the message is read to its
                # end and kept nowhere, then answered 451.
                slots = self.guard.receiving()
                try:
                    await asyncio.wait_for(slots.acquire(), DATA_WAIT)
                    self._slot = slots
                except TimeoutError:
                    problem = TOO_MANY_AT_ONCE
            if not problem and limit and size > limit:
                problem = "552 Error: Too much mail data"
            elif not problem and not partial and complete and len(line) > server.line_length_limit:
                problem = "500 Line too long (see RFC5321 4.5.3.1.6)"
            if problem:
                content.clear()  # keep reading to the end, keep nothing
            else:
                content += line[1:] if not partial and line.startswith(b".") else line
            partial = not complete
        if problem:
            await server.push(problem)
            server._set_post_data_state()
            return
        server.envelope.content = server.envelope.original_content = bytes(content)
        del content
        status = await server._call_handler_hook("DATA")
        server._set_post_data_state()
        await server.push(status)

    def connection_lost(self, error: Exception | None) -> None:
        if self._refused:
            return  # no session was ever made
        if self._client is not None:
            self.guard.disconnect(self._client)
            self._client = None
        super().connection_lost(error)  # type: ignore[misc]


class GuardedSMTP(_Guarded, SMTP):
    def __init__(self, handler: Any, guard: Guard, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.guard = guard


class GuardedLMTP(_Guarded, LMTP):
    def __init__(self, handler: Any, guard: Guard, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.guard = guard
