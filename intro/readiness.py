"""`intro check`: whether this installation is ready for real mail, one check at a time,
each saying what is wrong and how to fix it.

Read-only: the checks connect, greet and look things up, and never send a message nor
change the database.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from intro import dkim_keys, schema
from intro.config import Config
from intro.dns_records import Dns, DnsError, spf_allows, tags
from intro.errors import ConfigError

TIMEOUT = 10.0
NAMES = ("base_url", "relay", "mx", "spf", "dkim", "dmarc", "database", "listener")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # what was found
    fix: str = ""  # what to do, when not ok

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def run_all(config: Config, engine: Engine) -> list[Check]:
    dns_ = Dns.using(config.trust.resolver)
    domain = config.service.address[0].rpartition("@")[2]
    checks: list[tuple[str, Callable[[], Check]]] = [
        ("base_url", lambda: base_url(config)),
        ("relay", lambda: relay(config)),
        ("mx", lambda: mx(dns_, domain)),
        ("spf", lambda: spf(dns_, domain, config)),
        ("dkim", lambda: dkim(dns_, domain, config)),
        ("dmarc", lambda: dmarc(dns_, domain)),
        ("database", lambda: database(engine)),
        ("listener", lambda: listener(config)),
    ]
    results = []
    for name, check in checks:
        try:
            results.append(check())
        except DnsError as e:
            results.append(Check(name, False, str(e), "check [trust] resolver, or this machine's DNS"))
    return results


def base_url(config: Config) -> Check:
    url = config.base_url
    if not url:
        return Check("base_url", False, f"not set: links in mail point at {config.public_url}",
                     "set base_url to the site's public address, e.g. https://intro.example.org")
    if urlsplit(url).scheme != "https":
        return Check("base_url", False, f"{url} is not https: sign-in and answer links would travel in clear",
                     "serve the site over https (a proxy with a certificate) and set base_url to it")
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=TIMEOUT,
                                    context=ssl.create_default_context()) as response:
            body = response.read(100).decode(errors="replace").strip()
    except urllib.error.HTTPError as e:
        return Check("base_url", False, f"{url}/healthz answered {e.code} {e.reason}",
                     "make sure `intro web` (or `intro serve`) runs behind that address and reaches its database")
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        return Check("base_url", False, f"{url}/healthz cannot be reached: {reason}",
                     "check the proxy, its certificate, and that the web site runs")
    return Check("base_url", True, f"{url} answers /healthz over https ({body})")


def relay(config: Config) -> Check:
    r = config.relay
    if not r.host:
        return Check("relay", False, f"no relay: mail is written to {r.outbox}/ and nobody receives it",
                     "set [relay] host (and port, security, username, password) to your outgoing mail server")
    where = f"{r.host}:{r.port}"
    helo = r.helo_name or config.service.address[0].rpartition("@")[2]
    try:
        context = ssl.create_default_context()
        client = (smtplib.SMTP_SSL(r.host, r.port, helo, timeout=TIMEOUT, context=context) if r.security == "tls"
                  else smtplib.SMTP(r.host, r.port, helo, timeout=TIMEOUT))
    except (OSError, smtplib.SMTPException) as e:
        return Check("relay", False, f"cannot connect to {where}: {e}", "check [relay] host, port and security")
    found = [f"{where} greets"]
    try:
        client.ehlo()
        if r.security == "starttls":
            if not client.has_extn("starttls"):
                return Check("relay", False, f"{where} does not offer STARTTLS",
                             "use the relay's submission port (587), or security = \"tls\" for port 465")
            client.starttls(context=context)
            client.ehlo()
            found.append("STARTTLS with a valid certificate")
        elif r.security == "tls":
            found.append("TLS with a valid certificate")
        if r.username:
            client.login(r.username, r.password)
            found.append(f"AUTH as {r.username}")
    except smtplib.SMTPAuthenticationError as e:
        refusal = e.smtp_error.decode(errors="replace") if isinstance(e.smtp_error, bytes) else e.smtp_error
        return Check("relay", False, f"{where} refused the login: {e.smtp_code} {refusal}",
                     "check [relay] username and password (INTRO_RELAY_PASSWORD)")
    except (ssl.SSLError, ssl.CertificateError) as e:
        return Check("relay", False, f"{where}: TLS failed: {e}", "the relay needs a certificate valid for its name")
    except (OSError, smtplib.SMTPException) as e:
        return Check("relay", False, f"{where}: {e}", "check [relay] security, username and password")
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return Check("relay", True, ", ".join(found))


def mx(dns_: Dns, domain: str) -> Check:
    records = dns_.lookup(domain, "MX")
    if not records:
        return Check("mx", False, f"{domain} has no MX record: mail to the service address has nowhere to go",
                     f"publish {domain}. IN MX 10 <your mail server>.")
    return Check("mx", True, f"{domain} MX " + ", ".join(sorted(records, key=lambda r: int(r.split()[0]))))


def spf(dns_: Dns, domain: str, config: Config) -> Check:
    records = [r for r in dns_.lookup(domain, "TXT") if r.lower().startswith("v=spf1")]
    if not records:
        return Check("spf", False, f"{domain} has no SPF record",
                     f'publish {domain}. IN TXT "v=spf1 mx -all" (with your relay\'s include: or ip4:)')
    if len(records) > 1:
        return Check("spf", False, f"{domain} has {len(records)} SPF records; verifiers treat that as an error",
                     "merge them into one")
    candidates = _sending_addresses(config)
    allowed = [ip for ip in candidates if spf_allows(dns_, domain, ip)]
    if not allowed:
        return Check("spf", False, f"\"{records[0]}\" allows none of {', '.join(candidates) or 'no address found'}",
                     "add the relay's addresses (ip4:/ip6:, or the include: your provider documents)")
    return Check("spf", True, f"\"{records[0]}\" allows {', '.join(allowed)}")


def _sending_addresses(config: Config) -> list[str]:
    """Where the mail leaves from: the relay's addresses (unless it is this machine, then
    this host's), which the world sees as the sender."""
    names = [config.relay.host] if config.relay.host else []
    found: list[str] = []
    for name in names:
        try:
            found += [str(info[4][0]) for info in socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)]
        except OSError:
            pass
    if not found or all(ip.startswith("127.") or ip == "::1" for ip in found):
        try:
            found = [str(info[4][0]) for info in socket.getaddrinfo(socket.getfqdn(), None, proto=socket.IPPROTO_TCP)]
        except OSError:
            found = []
    return sorted(set(found))


def dkim(dns_: Dns, domain: str, config: Config) -> Check:
    mail = config.mail
    configured = [(s, p) for s, p in ((mail.dkim_selector, mail.dkim_key),
                                      (mail.dkim_ed25519_selector, mail.dkim_ed25519_key)) if p]
    if not configured:
        return Check("dkim", False, "no key: mail goes out unsigned, and large providers file it as spam",
                     "intro dkim keygen --selector intro1, publish the record it prints, set [mail] dkim_selector "
                     "and dkim_key")
    found = []
    for selector, path in configured:
        try:
            key = dkim_keys.load(path)
        except ConfigError as e:
            return Check("dkim", False, str(e), "point [mail] dkim_key at the PEM file intro dkim keygen wrote")
        name = f"{selector}._domainkey.{domain}"
        records = dns_.txt_starting(name, "v=DKIM1") or dns_.lookup(name, "TXT")
        record = dkim_keys.zone_line(selector, domain, key)
        if not records:
            return Check("dkim", False, f"no record at {name}", f"publish: {record}")
        if not any(tags(r).get("p") == key.public for r in records):
            return Check("dkim", False, f"the record at {name} is not the public half of {path}",
                         f"publish: {record}")
        found.append(f"{name} matches {path} ({key.kind})")
    return Check("dkim", True, "; ".join(found))


def dmarc(dns_: Dns, domain: str) -> Check:
    records = dns_.txt_starting(f"_dmarc.{domain}", "v=DMARC1")
    if not records:
        return Check("dmarc", False, f"_dmarc.{domain} has no DMARC record",
                     f'publish _dmarc.{domain}. IN TXT "v=DMARC1; p=none; rua=mailto:postmaster@{domain}", '
                     "then p=quarantine once the reports show only your own mail")
    return Check("dmarc", True, f"_dmarc.{domain}: p={tags(records[0]).get('p', '?')}")


def database(engine: Engine) -> Check:
    where = engine.url.render_as_string(hide_password=True)
    file = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).exists():  # connecting would create it
        return Check("database", False, f"{where}: no such file", "start intro once (it creates and migrates it), "
                     "or fix [database] url")
    try:
        current = schema.current_revision(engine)
    except SQLAlchemyError as e:
        return Check("database", False, f"{where} cannot be reached: {type(e).__name__}: {getattr(e, 'orig', e)}",
                     "check [database] url, and that the server runs")
    head = schema.head_revision()
    if current != head:
        return Check("database", False, f"{where} is at revision {current or 'empty'}; this code needs {head}",
                     "run `intro db upgrade`")
    return Check("database", True, f"{where} at revision {head}")


def listener(config: Config) -> Check:
    smtp = config.smtp
    kind = smtp.protocol.upper()
    try:
        if smtp.socket:
            where = smtp.socket
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(TIMEOUT)
            sock.connect(smtp.socket)
        else:
            host = "127.0.0.1" if smtp.host in ("0.0.0.0", "") else "::1" if smtp.host == "::" else smtp.host
            where = f"{smtp.host}:{smtp.port}"
            sock = socket.create_connection((host, smtp.port), timeout=TIMEOUT)
        with sock:
            greeting = sock.recv(512).decode(errors="replace").strip()
            sock.sendall(b"QUIT\r\n")
    except OSError as e:
        return Check("listener", False, f"nothing answers {kind} at {where}: {e.strerror or e}",
                     "start intro (`intro serve`, or the systemd unit) with these settings")
    if not greeting.startswith("220"):
        return Check("listener", False, f"{where} greeted with {greeting[:80]!r}", "is another server on that port?")
    return Check("listener", True, f"{kind} at {where}: {greeting[:80]}")
