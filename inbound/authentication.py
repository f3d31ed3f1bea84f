"""Whether a message's From is authentic: DKIM and DMARC alignment, or a trusted MTA's word.

Anyone can write any From. An introduction claims that its From made it, so before it is
counted and people are mailed because of it, the claim is checked:

- Behind an MTA that checks (config `[trust] authserv_id`), its Authentication-Results
  header (RFC 8601) is believed; headers with any other authserv-id are ignored, since
  anyone can add one. The MTA must remove incoming headers that carry its own id.
- Otherwise intro verifies the DKIM signatures itself (dkimpy) and checks that a valid
  one is aligned with the From domain (DMARC, RFC 7489 3.1.1, relaxed: the same domain or
  one inside the other).

The verdict is "pass", "fail" or "none". "none" is no usable result: no signature at
all, or DNS that did not answer, which is a temporary error and never a failure.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message

import authres
import dkim
import dns.exception
import dns.rdatatype
import dns.resolver

from inbound.understanding.mime import MAX_HEADER_BLOCK, address_pairs, header_block, headers, headers_too_long
from intro import dns_records

log = logging.getLogger(__name__)

PASS, FAIL, NONE = "pass", "fail", "none"
DNS_TIMEOUT = 5.0
MAX_SIGNATURES = 5  # a message with more is checked on its first five (each costs a DNS query)


class TemporaryDNSError(Exception):
    """The DNS did not answer (timeout, SERVFAIL, no server): try again later, not a failure."""


Resolver = Callable[[str], list[bytes] | None]  # TXT strings of a name; None: no such record


@dataclass(frozen=True)
class Verdict:
    result: str  # PASS, FAIL or NONE
    note: str  # why, in a few words


def dns_resolver(server: str = "") -> Resolver:
    """TXT lookups through dnspython: the system's resolver, or ``server`` ("host[:port]")."""
    resolver = dns_records.resolver(server, DNS_TIMEOUT)

    def txt(name: str) -> list[bytes] | None:
        try:
            answer = resolver.resolve(name, dns.rdatatype.TXT)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.NoResolverConfiguration) as e:
            raise TemporaryDNSError(str(e) or type(e).__name__) from None
        return [b"".join(record.strings) for record in answer]

    return txt


def from_domain(block: Message) -> str:
    addresses = [a for _, a in address_pairs(block, "From") if "@" in a]
    return addresses[0].rpartition("@")[2].lower().rstrip(".") if len(addresses) == 1 else ""


def aligned(domain: str, from_domain_: str) -> bool:
    """Relaxed alignment, without the Public Suffix List: one domain is the other or inside it."""
    domain, from_domain_ = domain.lower().rstrip("."), from_domain_.lower().rstrip(".")
    return bool(domain) and (domain == from_domain_ or from_domain_.endswith("." + domain)
                             or domain.endswith("." + from_domain_))


def authenticate(raw: bytes, authserv_id: str, resolve: Resolver) -> Verdict:
    if headers_too_long(raw):
        # No signer's mail has headers this long; checking them would cost the verifier
        # seconds and hundreds of MiB. No result, so [trust] on_none decides.
        return Verdict(NONE, f"headers longer than {MAX_HEADER_BLOCK // 1024} KiB: not checked")
    block = header_block(raw)
    domain = from_domain(block)
    if not domain:
        return Verdict(FAIL, "no single From address to authenticate")
    if authserv_id:
        trusted = _trusted_results(block, authserv_id, domain)
        if trusted is not None:
            return trusted
    return _verify(raw, block, domain, resolve)


def _trusted_results(block: Message, authserv_id: str, domain: str) -> Verdict | None:
    """The verdict of the trusted MTA's Authentication-Results, if it wrote one."""
    found = None
    for value in headers(block, "Authentication-Results"):
        try:
            parsed = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {value}")
        except Exception:  # a malformed header from anywhere: not evidence either way
            continue
        if str(parsed.authserv_id).lower() == authserv_id.lower():
            found = parsed
            break  # the topmost one with our MTA's id is the one it added (RFC 8601 5)
    if found is None:
        return None
    results = {(r.method.lower(), r.result.lower()): r for r in found.results}
    if ("dmarc", "pass") in results:
        return Verdict(PASS, f"{authserv_id}: dmarc=pass")
    if ("dmarc", "fail") in results:
        return Verdict(FAIL, f"{authserv_id}: dmarc=fail")
    for r in found.results:
        if r.method.lower() == "dkim" and r.result.lower() == "pass":
            d = next((p.value for p in r.properties if p.type == "header" and p.name == "d"), "")
            if aligned(str(d), domain):
                return Verdict(PASS, f"{authserv_id}: dkim=pass, aligned with {domain}")
    if any(m == "dkim" and v in ("fail", "permerror") for m, v in results):
        return Verdict(FAIL, f"{authserv_id}: dkim=fail")
    return Verdict(NONE, f"{authserv_id}: no DMARC or aligned DKIM result")


_D_TAG = re.compile(rb"(?:^|;)\s*d\s*=\s*([^;\s]+)", re.IGNORECASE)


def _verify(raw: bytes, block: Message, domain: str, resolve: Resolver) -> Verdict:
    signatures = headers(block, "DKIM-Signature")
    if not signatures:
        return Verdict(NONE, "no DKIM signature")
    temporary: list[str] = []

    def dnsfunc(name: bytes | str, timeout: float = DNS_TIMEOUT) -> bytes | None:
        try:
            found = resolve(name.decode() if isinstance(name, bytes) else name)
        except TemporaryDNSError as e:
            temporary.append(str(e))
            return None
        return found[0] if found else None

    checker = dkim.DKIM(raw, minkey=1024)
    valid_domains, broken = [], 0
    for index, signature in enumerate(signatures[:MAX_SIGNATURES]):
        match = _D_TAG.search(" ".join(signature.split()).encode())
        d = match.group(1).decode(errors="replace") if match else ""
        try:
            ok = checker.verify(idx=index, dnsfunc=dnsfunc)
        except dkim.DKIMException as e:
            log.debug("DKIM signature %s: %s", index, e)
            ok = False
        if ok:
            valid_domains.append(d)
            if aligned(d, domain):
                return Verdict(PASS, f"DKIM signature of {d} verifies and is aligned with {domain}")
        else:
            broken += 1
    if temporary:
        return Verdict(NONE, f"DNS did not answer ({temporary[0]}): try again later")
    try:
        policy = _dmarc_record(domain, resolve)
    except TemporaryDNSError as e:
        return Verdict(NONE, f"DNS did not answer ({e}): try again later")
    if policy:
        what = f"signed by {', '.join(valid_domains)}" if valid_domains else "DKIM did not verify"
        return Verdict(FAIL, f"{domain} publishes DMARC and no aligned DKIM signature verifies ({what})")
    if broken:
        return Verdict(FAIL, "the DKIM signature does not verify")
    return Verdict(NONE, f"signed by {', '.join(valid_domains)}, not {domain}, which publishes no DMARC policy")


def _dmarc_record(domain: str, resolve: Resolver) -> bool:
    """Whether the domain (or a parent, for the organizational domain) publishes DMARC."""
    labels = domain.split(".")
    for start in range(0, max(len(labels) - 1, 1)):
        records = resolve("_dmarc." + ".".join(labels[start:])) or []
        if any(r.lower().startswith(b"v=dmarc1") for r in records):
            return True
    return False
