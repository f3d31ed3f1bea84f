"""What the service domain publishes in DNS for mail: MX, SPF (RFC 7208), the DKIM key
record (RFC 6376 3.6.1) and DMARC (RFC 7489), read with dnspython for `intro check`.

SPF is evaluated here for the mechanisms a sender's record uses in practice (ip4, ip6,
a, mx, include, redirect, all), with the limit of ten lookups; ``exists`` and ``ptr``
(deprecated by RFC 7208 5.5) count as not matching.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import dns.exception
import dns.resolver

TIMEOUT = 5.0
LOOKUP_LIMIT = 10  # RFC 7208 4.6.4


class DnsError(Exception):
    """DNS did not answer (as opposed to answering that there is no such record)."""


def resolver(server: str, timeout: float) -> dns.resolver.Resolver:
    """dnspython's resolver: the system's, or ``server`` ("host" or "host:port", as
    [trust] resolver is written)."""
    found = dns.resolver.Resolver(configure=not server)
    if server:
        host, _, port = server.partition(":")
        found.nameservers = [host]
        found.port = int(port) if port else 53
    found.lifetime = timeout
    return found


@dataclass
class Dns:
    resolver: dns.resolver.Resolver

    @classmethod
    def using(cls, server: str = "") -> Dns:
        return cls(resolver(server, TIMEOUT))

    def lookup(self, name: str, kind: str) -> list[str]:
        """The records' texts (TXT strings joined, RFC 7208 3.3); [] when there are none."""
        try:
            answer = self.resolver.resolve(name, kind)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.NoResolverConfiguration) as e:
            raise DnsError(f"DNS did not answer for {name} {kind}: {e}") from None
        if kind == "TXT":
            return [b"".join(r.strings).decode(errors="replace") for r in answer]  # type: ignore[attr-defined]
        if kind == "MX":
            return [f"{r.preference} {r.exchange.to_text().rstrip('.')}" for r in answer]  # type: ignore[attr-defined]
        return [r.to_text() for r in answer]

    def addresses(self, name: str) -> list[str]:
        return self.lookup(name, "A") + self.lookup(name, "AAAA")

    def txt_starting(self, name: str, prefix: str) -> list[str]:
        return [t for t in self.lookup(name, "TXT") if t.lower().startswith(prefix.lower())]


def tags(record: str) -> dict[str, str]:
    """A DKIM or DMARC record's tag=value list (RFC 6376 3.2)."""
    found = {}
    for part in record.split(";"):
        key, eq, value = part.partition("=")
        if eq:
            found[key.strip().lower()] = "".join(value.split())
    return found


def spf_allows(dns_: Dns, domain: str, ip: str) -> bool:
    """Whether ``domain``'s SPF record gives ``ip`` a "pass"."""
    return _evaluate(dns_, domain, ipaddress.ip_address(ip), [0]) == "pass"


def _evaluate(dns_: Dns, domain: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address, lookups: list[int]) -> str:
    records = [r for r in dns_.lookup(domain, "TXT") if r.lower() == "v=spf1" or r.lower().startswith("v=spf1 ")]
    if len(records) != 1:
        return "none" if not records else "permerror"
    redirect = ""
    for term in records[0].split()[1:]:
        qualifier, term = (term[0], term[1:]) if term[0] in "+-~?" else ("+", term)
        name, _, value = term.partition(":") if ":" in term else term.partition("=")
        name = name.lower()
        if name == "redirect":
            redirect = value
            continue
        if name in ("include", "a", "mx", "exists", "ptr"):
            lookups[0] += 1
            if lookups[0] > LOOKUP_LIMIT:
                return "permerror"
        if _matches(dns_, name, value or domain, ip, lookups):
            return {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}[qualifier]
    if redirect:
        lookups[0] += 1
        return _evaluate(dns_, redirect, ip, lookups) if lookups[0] <= LOOKUP_LIMIT else "permerror"
    return "neutral"


def _matches(dns_: Dns, name: str, target: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
             lookups: list[int]) -> bool:
    if name == "all":
        return True
    if name in ("ip4", "ip6"):
        try:
            return ip in ipaddress.ip_network(target, strict=False)
        except ValueError:
            return False
    if name == "include":
        return _evaluate(dns_, target, ip, lookups) == "pass"
    host, _, prefix = target.partition("/")
    if name == "a":
        return _any_in(dns_.addresses(host), ip, prefix)
    if name == "mx":
        hosts = [mx.split()[1] for mx in dns_.lookup(host, "MX")]
        return any(_any_in(dns_.addresses(h), ip, prefix) for h in hosts)
    return False  # exists, ptr, and anything unknown


def _any_in(addresses: list[str], ip: ipaddress.IPv4Address | ipaddress.IPv6Address, prefix: str) -> bool:
    for address in addresses:
        candidate = ipaddress.ip_address(address)
        if candidate.version != ip.version:
            continue
        bits = int(prefix) if prefix.isdigit() and candidate.version == 4 else candidate.max_prefixlen
        if ip in ipaddress.ip_network(f"{address}/{bits}", strict=False):
            return True
    return False
