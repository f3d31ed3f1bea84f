"""Limits that keep one client from taking the SMTP server from everyone else.

Every refusal here is temporary (4xx), so an honest sender's MTA queues the message and
tries again later; nothing is lost. Loopback clients, Unix-socket clients and the
configured trusted networks (the upstream MTA, which passes on everyone's mail) are
exempt from the per-client limits; the total connection limit applies to all.

All of it runs on the SMTP server's one event-loop thread: no locks.
"""

from __future__ import annotations

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
    clock: Clock = time.monotonic
    open_total: int = 0
    _open: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Token buckets: (tokens, last refill) per client.
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

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
