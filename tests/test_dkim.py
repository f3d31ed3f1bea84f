"""DKIM signing of the mail intro sends: keys made by `intro dkim keygen`, signatures that
dkimpy verifies against the record the command printed, served by a DNS server here."""

from __future__ import annotations

import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import dkim
import pytest
from sqlalchemy import Engine

from intro import config as intro_config
from intro.config import Config
from intro.errors import ConfigError
from mailer.send import outgoing
from tests.conftest import free_port
from tests.dns_helpers import LocalDNS
from tests.helpers import environ, run_intro
from tests.loop_helpers import SERVICE, Sink, deliver, run
from tests.smtp_helpers import load

DUE = datetime(2026, 3, 17, 10, tzinfo=UTC)
ZONE_LINE = re.compile(r'^(?P<name>\S+)\. IN TXT (?P<strings>(?:"[^"]*" ?)+)$')


def keygen(folder: Path, selector: str, *extra: str) -> tuple[Path, str, str]:
    """Run the real command; return the key's path, the record's name and its text."""
    done = run_intro("dkim", "keygen", "--selector", selector, *extra, cwd=folder,
                     env=environ(INTRO_SERVICE_ADDRESS=SERVICE))
    assert done.returncode == 0, done.stderr
    match = ZONE_LINE.match(done.stdout.strip())
    assert match, done.stdout
    text = "".join(re.findall(r'"([^"]*)"', match["strings"]))
    path = Path(re.search(r"dkim_(?:ed25519_)?key = \"([^\"]+)\"", done.stderr)[1])  # type: ignore[index]
    return path, match["name"], text


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str, str]]:
    folder = tmp_path_factory.mktemp("keys")
    return {"rsa": keygen(folder, "s2026"), "ed25519": keygen(folder, "ed2026", "--type", "ed25519")}


def settings(sink_port: int, **more: str) -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(sink_port), "INTRO_RELAY_SECURITY": "none",
        "INTRO_BASE_URL": "https://intro.example.org", "INTRO_FOLLOWUP_MAX_AGE": "3650d", **more,
    })


def verify(raw: bytes, records: dict[str, str]) -> list[bool]:
    """Whether each signature (the first is the top one) verifies, looking keys up in DNS here."""
    dns_server = LocalDNS(records)
    host, port = dns_server.address.split(":")
    try:
        import dns.resolver

        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers, resolver.port = [host], int(port)

        def dnsfunc(name: bytes, timeout: float = 5) -> bytes | None:
            try:
                answer = resolver.resolve(name.decode(), "TXT")
            except dns.resolver.NXDOMAIN:
                return None
            return b"".join(b"".join(r.strings) for r in answer)

        checker = dkim.DKIM(raw)
        count = len(re.findall(rb"^DKIM-Signature:", raw, re.MULTILINE | re.IGNORECASE))
        return [checker.verify(idx=i, dnsfunc=dnsfunc) for i in range(count)]
    finally:
        dns_server.close()


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(tmp_path: Path) -> None:
    path, name, text = keygen(tmp_path, "intro2026")
    assert path == tmp_path / "dkim-intro2026.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert name == "intro2026._domainkey.tally.example"
    assert text.startswith("v=DKIM1; k=rsa; p=MII")
    again = run_intro("dkim", "keygen", "--selector", "intro2026", cwd=tmp_path, env=environ())
    assert again.returncode != 0 and "exists" in again.stderr
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    elsewhere = run_intro("dkim", "keygen", "--selector", "x", "--out", str(tmp_path / "k.pem"), cwd=tmp_path,
                          env=environ())
    assert elsewhere.returncode == 0 and (tmp_path / "k.pem").exists()
    bad = run_intro("dkim", "keygen", "--selector", "not a label", cwd=tmp_path, env=environ())
    assert bad.returncode != 0 and "--selector" in bad.stderr


def test_a_follow_up_carries_signatures_that_verify_and_cover_one_click_unsubscribe(
        keys: dict[str, tuple[Path, str, str]], engine: Engine, sink: tuple[Sink, int]) -> None:
    (rsa_key, rsa_name, rsa_text), (ed_key, ed_name, ed_text) = keys["rsa"], keys["ed25519"]
    config = settings(sink[1], INTRO_MAIL_DKIM_SELECTOR="s2026", INTRO_MAIL_DKIM_KEY=str(rsa_key),
                      INTRO_MAIL_DKIM_ED25519_SELECTOR="ed2026", INTRO_MAIL_DKIM_ED25519_KEY=str(ed_key))
    deliver(config, engine, load("plain_introduction.eml"))
    assert run(config, engine, DUE).sent == 2
    for raw in sink[0].raw:
        assert verify(raw, {rsa_name: rsa_text, ed_name: ed_text}) == [True, True]
        for signature in re.findall(rb"^DKIM-Signature:.*?(?=^\S)", raw, re.MULTILINE | re.DOTALL):
            fields = re.sub(rb"\s+", b"", signature)
            assert b"d=tally.example;" in fields and b"c=relaxed/relaxed;" in fields
            signed = set(re.search(rb"h=([^;]+);", fields)[1].split(b":"))  # type: ignore[index]
            assert {b"from", b"to", b"subject", b"date", b"message-id", b"reply-to",
                    b"list-unsubscribe", b"list-unsubscribe-post"} <= signed
        assert b"a=rsa-sha256" in raw and b"a=ed25519-sha256" in raw
        # A header changed on the way breaks it: the signature is over what was sent.
        assert verify(raw.replace(b"Subject: ", b"Subject: Re: ", 1), {rsa_name: rsa_text})[0] is False
    # Without the record in DNS, nothing verifies: the test's DNS is what was consulted.
    assert verify(sink[0].raw[0], {}) == [False, False]


def test_the_outbox_files_are_signed_too(keys: dict[str, tuple[Path, str, str]], engine: Engine,
                                         tmp_path: Path) -> None:
    path, name, text = keys["rsa"]
    config = intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
        "INTRO_RELAY_OUTBOX": str(tmp_path / "outbox"), "INTRO_FOLLOWUP_MAX_AGE": "3650d",
        "INTRO_MAIL_DKIM_SELECTOR": "s2026", "INTRO_MAIL_DKIM_KEY": str(path)})
    deliver(config, engine, load("plain_introduction.eml"))
    assert run(config, engine, DUE).sent == 2
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    for file in files:
        raw = file.read_bytes().split(b"\r\n", 2)[2]  # past the X-Envelope-* lines
        assert verify(raw, {name: text}) == [True]


def test_without_a_key_mail_goes_out_unsigned(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    deliver(config, engine, load("plain_introduction.eml"))
    assert run(config, engine, DUE).sent == 2
    assert all(b"DKIM-Signature" not in raw for raw in sink[0].raw)


def test_the_relay_is_greeted_with_the_service_domain_or_the_name_configured(
        engine: Engine, sink: tuple[Sink, int]) -> None:
    deliver(settings(sink[1]), engine, load("plain_introduction.eml"))
    assert run(settings(sink[1]), engine, DUE).sent == 2
    assert set(sink[0].greetings) == {"tally.example"}
    run(settings(sink[1], INTRO_RELAY_HELO_NAME="mx1.tally.example"), engine,
        DUE.replace(month=4))  # the reminders
    assert set(sink[0].greetings[2:]) == {"mx1.tally.example"}


def test_a_missing_or_bad_key_stops_the_start_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read .*nowhere.pem"):
        outgoing(settings(25, INTRO_MAIL_DKIM_SELECTOR="s", INTRO_MAIL_DKIM_KEY=str(tmp_path / "nowhere.pem")))
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(ConfigError, match="junk.pem is not an unencrypted PEM private key"):
        outgoing(settings(25, INTRO_MAIL_DKIM_SELECTOR="s", INTRO_MAIL_DKIM_KEY=str(tmp_path / "junk.pem")))
    with pytest.raises(ConfigError, match="dkim_selector is empty"):
        outgoing(settings(25, INTRO_MAIL_DKIM_KEY=str(tmp_path / "junk.pem")))
    with pytest.raises(ConfigError, match="INTRO_MAIL_DKIM_SELECTOR: expected a DNS label"):
        settings(25, INTRO_MAIL_DKIM_SELECTOR="no spaces")
    # The real command says so too, at start, in one line.
    done = run_intro("followups", "run", cwd=tmp_path, env=environ(
        INTRO_MAIL_DKIM_SELECTOR="s", INTRO_MAIL_DKIM_KEY=str(tmp_path / "nowhere.pem"),
        INTRO_DATABASE_URL=f"sqlite:///{tmp_path / 'i.db'}"))
    assert done.returncode != 0 and "nowhere.pem" in done.stderr and "Traceback" not in done.stderr
