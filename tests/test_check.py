"""`intro check` against real parts: a DNS server here publishing the domain's records, a
relay with STARTTLS and AUTH, the web site over https with a certificate the test
trusts, the SMTP listener, the database; once all good, once all broken."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine
from werkzeug.serving import make_server

from inbound.server import SmtpComponent
from intro import config as intro_config
from intro import dkim_keys, readiness, schema
from intro.config import Config
from intro.dns_records import Dns, spf_allows
from tests.conftest import free_port
from tests.dns_helpers import LocalDNS
from tests.helpers import environ, run_intro
from tests.loop_helpers import SERVICE, Sink
from tests.test_relay_tls import _server_context, certificate  # noqa: F401 (a fixture)
from web import create_app

DOMAIN = SERVICE.rpartition("@")[2]


def this_host() -> list[str]:
    """The addresses mail from a relay on this machine leaves from, as the check sees them."""
    return sorted({str(i[4][0]) for i in socket.getaddrinfo(socket.getfqdn(), None, proto=socket.IPPROTO_TCP)})


def spf_terms(ips: list[str]) -> str:
    return " ".join(f"ip6:{ip}" if ":" in ip else f"ip4:{ip}" for ip in ips)


@pytest.fixture
def relay(certificate: tuple[Path, Path]) -> Iterator[int]:  # noqa: F811
    """A relay that wants STARTTLS before anything and a login after it (intro / s3cret)."""
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        good = isinstance(data, LoginPassword) and data.password == b"s3cret"
        return AuthResult(success=good, handled=False)  # handled=False: aiosmtpd answers 535 itself

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=_server_context(*certificate),
                            require_starttls=True, authenticator=authenticator)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, dkim_keys.DkimKey, dkim_keys.DkimKey]:
    pem, key = dkim_keys.generate()
    path = tmp_path / "dkim.pem"
    dkim_keys.write_private(path, pem)
    return path, key, dkim_keys.generate()[1]


def settings(db_url: str, dns_server: LocalDNS, relay_port: int, web_port: int, smtp_port: int,
             key_path: Path, **more: str) -> dict[str, str]:
    return {"INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_DATABASE_URL": db_url,
            "INTRO_SMTP_PORT": str(smtp_port), "INTRO_WEB_PORT": str(web_port),
            "INTRO_BASE_URL": f"https://127.0.0.1:{web_port}", "INTRO_RELAY_HOST": "127.0.0.1",
            "INTRO_RELAY_PORT": str(relay_port), "INTRO_RELAY_USERNAME": "intro", "INTRO_RELAY_PASSWORD": "s3cret",
            "INTRO_TRUST_RESOLVER": dns_server.address, "INTRO_MAIL_DKIM_SELECTOR": "intro1",
            "INTRO_MAIL_DKIM_KEY": str(key_path), **more}


class HttpsSite:
    """The real web app on waitress's sibling, werkzeug's server, over TLS."""

    def __init__(self, config: Config, engine: Engine, certificate: tuple[Path, Path]) -> None:  # noqa: F811
        self.server = make_server("127.0.0.1", config.web.port, create_app(config, engine),
                                  ssl_context=_server_context(*certificate), threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()


def test_a_ready_installation_passes_every_check(
        engine: Engine, db_url: str, relay: int, certificate: tuple[Path, Path],  # noqa: F811
        keys: tuple[Path, dkim_keys.DkimKey, dkim_keys.DkimKey], tmp_path: Path) -> None:
    key_path, key, _ = keys
    dns_server = LocalDNS({
        DOMAIN: ["v=spf1 include:_spf.tally.example -all", "google-site-verification=abc"],
        f"_spf.{DOMAIN}": f"v=spf1 {spf_terms(this_host())} ~all",
        f"intro1._domainkey.{DOMAIN}": key.record,
        f"_dmarc.{DOMAIN}": "v=DMARC1; p=quarantine; rua=mailto:postmaster@tally.example",
    }, {(DOMAIN, "MX"): ["10 mx1.tally.example.", "20 mx2.tally.example."]})
    env = settings(db_url, dns_server, relay, free_port(), free_port(), key_path)
    config = intro_config.load(environ=env)
    site, listener = HttpsSite(config, engine, certificate), SmtpComponent(config, engine)
    listener.start()
    try:
        results = {r.name: r for r in readiness.run_all(config, engine)}
        assert list(results) == list(readiness.NAMES)
        assert all(r.ok for r in results.values()), [r for r in results.values() if not r.ok]
        assert "STARTTLS" in results["relay"].detail and "AUTH as intro" in results["relay"].detail
        assert results["mx"].detail == f"{DOMAIN} MX 10 mx1.tally.example, 20 mx2.tally.example"
        assert results["dmarc"].detail.endswith("p=quarantine")
        # The command, as an operator runs it: exit status 0, one JSON object.
        done = run_intro("check", "--json", cwd=tmp_path, env=environ(**env))
        assert done.returncode == 0, done.stdout + done.stderr
        report = json.loads(done.stdout)
        assert report["ok"] is True and [c["name"] for c in report["checks"]] == list(readiness.NAMES)
        assert all(set(c) == {"name", "ok", "detail", "fix"} for c in report["checks"])
        text = run_intro("check", cwd=tmp_path, env=environ(**env))
        assert text.returncode == 0 and text.stdout.strip().endswith("ready for real mail")
    finally:
        listener.stop()
        site.close()
        dns_server.close()


def test_a_broken_installation_names_every_broken_part(
        bare_engine: Engine, db_url: str, certificate: tuple[Path, Path],  # noqa: F811
        keys: tuple[Path, dkim_keys.DkimKey, dkim_keys.DkimKey], tmp_path: Path) -> None:
    key_path, _, other_key = keys
    schema.upgrade(bare_engine, "0001")  # an old schema
    # DNS: no MX, an SPF record for someone else's servers, another key at the selector, no DMARC.
    dns_server = LocalDNS({DOMAIN: "v=spf1 ip4:192.0.2.0/24 -all", f"intro1._domainkey.{DOMAIN}": other_key.record})
    relay_port = free_port()
    relay_ = Controller(Sink(), hostname="127.0.0.1", port=relay_port, tls_context=_server_context(*certificate),
                        require_starttls=True,
                        authenticator=lambda *a: AuthResult(success=False, handled=False))
    relay_.start()
    try:
        env = settings(db_url, dns_server, relay_port, free_port(), free_port(), key_path,
                       INTRO_BASE_URL=f"http://127.0.0.1:{free_port()}")
        done = run_intro("check", "--json", cwd=tmp_path, env=environ(**env))
        assert done.returncode == 1, done.stdout + done.stderr
        report = json.loads(done.stdout)
        by_name = {c["name"]: c for c in report["checks"]}
        assert report["ok"] is False and list(by_name) == list(readiness.NAMES)
        broken = {name: c for name, c in by_name.items() if not c["ok"]}
        assert set(broken) == set(readiness.NAMES), by_name
        assert all(c["detail"] and c["fix"] for c in broken.values())
        assert "not https" in broken["base_url"]["detail"]
        assert "refused the login" in broken["relay"]["detail"]
        assert "no MX record" in broken["mx"]["detail"]
        assert "allows none of" in broken["spf"]["detail"]
        assert "not the public half" in broken["dkim"]["detail"] and "intro1._domainkey" in broken["dkim"]["fix"]
        assert "no DMARC record" in broken["dmarc"]["detail"]
        assert "revision 0001" in broken["database"]["detail"] and "intro db upgrade" in broken["database"]["fix"]
        assert "nothing answers SMTP" in broken["listener"]["detail"]
        # In words: a FAIL line per check, each with its fix.
        text = run_intro("check", cwd=tmp_path, env=environ(**env))
        assert text.returncode == 1 and text.stdout.count("FAIL ") == 8 and text.stdout.count("fix: ") == 8
        # Unset, rather than wrong: said as such.
        bare = environ(INTRO_DATABASE_URL=f"sqlite:///{tmp_path / 'none.db'}", INTRO_TRUST_RESOLVER=dns_server.address)
        nothing = json.loads(run_intro("check", "--json", cwd=tmp_path, env=bare).stdout)["checks"]
        details = {c["name"]: c["detail"] for c in nothing}
        assert details["base_url"].startswith("not set") and details["relay"].startswith("no relay")
        assert details["dkim"].startswith("no key: mail goes out unsigned")
        assert details["database"].endswith("no such file") and not (tmp_path / "none.db").exists()
    finally:
        relay_.stop()
        dns_server.close()


def test_a_relay_without_starttls_or_unreachable_is_named(tmp_path: Path) -> None:
    port = free_port()
    plain = Controller(Sink(), hostname="127.0.0.1", port=port)
    plain.start()
    try:
        config = intro_config.load(environ={"INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(port)})
        check = readiness.relay(config)
        assert not check.ok and "does not offer STARTTLS" in check.detail
    finally:
        plain.stop()
    config = intro_config.load(environ={"INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(port)})
    check = readiness.relay(config)
    assert not check.ok and "cannot connect" in check.detail


def test_spf_is_evaluated_through_include_redirect_a_and_mx() -> None:
    dns_server = LocalDNS({
        "a.example": "v=spf1 include:b.example -all",
        "b.example": "v=spf1 redirect=c.example",
        "c.example": "v=spf1 mx a:web.c.example/24 ~all",
        "loop.example": "v=spf1 include:loop.example -all",
        "two.example": ["v=spf1 -all", "v=spf1 +all"],
    }, {("c.example", "MX"): ["10 mx.c.example."], ("mx.c.example", "A"): ["198.51.100.7"],
        ("web.c.example", "A"): ["203.0.113.9"], ("c.example", "AAAA"): ["2001:db8::1"]})
    try:
        dns_ = Dns.using(dns_server.address)
        assert spf_allows(dns_, "a.example", "198.51.100.7")  # mx, through include and redirect
        assert spf_allows(dns_, "a.example", "203.0.113.200")  # a:/24
        assert not spf_allows(dns_, "a.example", "192.0.2.1")  # ~all in c is softfail, not a pass
        assert not spf_allows(dns_, "loop.example", "192.0.2.1")  # past ten lookups: an error, never a pass
        assert not spf_allows(dns_, "two.example", "192.0.2.1")  # two records: an error
        assert not spf_allows(dns_, "none.example", "192.0.2.1")
    finally:
        dns_server.close()
