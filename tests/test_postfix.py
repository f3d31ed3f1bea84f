"""The front door behind a real MTA: Postfix, configured from the files in docs/postfix/,
hands mail for intro@example.org to `intro smtp` over LMTP, refuses every other address
at RCPT, relays the follow-ups intro sends (their DKIM signature verifies where they
arrive), and brings their bounces back to it.

Each test runs its own Postfix instance from a folder of its own (``postfix -c``): its
own queue and data directories, its SMTP server on a free loopback port, no DNS (every
destination is an IP literal in the transport table). The system's Postfix, if any, is
not touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.conftest import REPO, free_port
from tests.dns_helpers import LocalDNS
from tests.helpers import environ, intro_command, run_intro, wait_for_port
from tests.smtp_helpers import load
from tests.test_dkim import ZONE_LINE, verify

DOCUMENTED = REPO / "docs" / "postfix"
SBIN = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
POSTFIX = shutil.which("postfix", path=SBIN)

pytestmark = [
    pytest.mark.skipif(POSTFIX is None, reason="Postfix is not installed (Debian: apt-get install postfix; "
                                               ".ci/run installs it)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="Postfix's master process runs as root"),
]

# What only a test needs, after the documented lines (in main.cf a later line wins): its
# own directories and log, a loopback port, no local delivery and no DNS.
TEST_SETTINGS = """
# ---- the test's own instance (tests/test_postfix.py) ----
compatibility_level = 3.6
queue_directory = {folder}/spool
data_directory = {folder}/data
maillog_file_prefixes = {folder}
maillog_file = {folder}/postfix.log
myhostname = mx.example.org
mydestination =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_peername_lookup = no
smtp_host_lookup = native
lmtp_host_lookup = native
"""

# Debian's master.cf, cut to the services used here, none chrooted, and the SMTP server
# on the test's port.
MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n  -  n  60    1  pickup
cleanup   unix  n  -  n  -     0  cleanup
qmgr      unix  n  -  n  300   1  qmgr
rewrite   unix  -  -  n  -     -  trivial-rewrite
bounce    unix  -  -  n  -     0  bounce
defer     unix  -  -  n  -     0  bounce
trace     unix  -  -  n  -     0  bounce
flush     unix  n  -  n  1000? 0  flush
proxymap  unix  -  -  n  -     -  proxymap
showq     unix  n  -  n  -     -  showq
smtp      unix  -  -  n  -     -  smtp
relay     unix  -  -  n  -     -  smtp
lmtp      unix  -  -  n  -     -  lmtp
error     unix  -  -  n  -     -  error
retry     unix  -  -  n  -     -  error
discard   unix  -  -  n  -     -  discard
anvil     unix  -  -  n  -     1  anvil
scache    unix  -  -  n  -     1  scache
postlog   unix-dgram n - n -   1  postlogd
"""

SERVICE = "intro@example.org"  # as in docs/postfix/
PEOPLE_DOMAIN = "example.net"  # the people introduced (tests/data/postfix_introduction.eml)
REFUSED = "lee@example.net"  # their server refuses Lee: the follow-up to Lee bounces
DEADLINE = 120.0

T = TypeVar("T")


@dataclass
class Postfix:
    folder: Path
    port: int

    @property
    def conf(self) -> str:
        return str(self.folder / "etc")

    def log(self) -> str:
        path = self.folder / "postfix.log"
        return path.read_text(errors="replace") if path.exists() else "(no log)"

    def delivered(self, to: str) -> list[str]:
        """The log's lines for deliveries to ``to`` (any outcome), e.g. 'status=sent (250 ...)'."""
        return [line for line in self.log().splitlines() if f"to=<{to}>" in line and "status=" in line]

    def relay(self) -> dict[str, str]:
        """intro's [relay] settings for sending through this Postfix (port 25 in docs/postfix/)."""
        return {"INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(self.port), "INTRO_RELAY_SECURITY": "none"}

    def flush(self) -> None:
        """Try every deferred message again now (postqueue -f), instead of waiting."""
        subprocess.run([_tool("postqueue"), "-c", self.conf, "-f"], capture_output=True, check=False)


@dataclass
class Intro:
    folder: Path
    port: int
    env: dict[str, str]
    dkim_record: tuple[str, str]  # the DKIM key's DNS name and text, as `intro dkim keygen` printed them

    def run(self, *args: str, **settings: str) -> str:
        out = run_intro(*args, cwd=self.folder, env={**self.env, **settings})
        assert out.returncode == 0, out.stderr
        return out.stdout


def _tool(name: str) -> str:
    found = shutil.which(name, path=SBIN)
    assert found, f"{name} is not installed beside postfix"
    return found


def _until(check: Callable[[], T | None], what: str, postfix: Postfix) -> T:
    """``check()`` once it is not None or False, flushing Postfix's queue meanwhile; the
    deadline is generous, and a failure shows Postfix's log."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        postfix.flush()
        time.sleep(0.2)
    raise AssertionError(f"{what} within {DEADLINE:.0f}s; Postfix's log:\n{postfix.log()}")


@pytest.fixture
def intro(tmp_path: Path) -> Iterator[Intro]:
    """`intro smtp` over LMTP on a free port, as docs/DEPLOYMENT.md runs it behind Postfix,
    with a DKIM key made by `intro dkim keygen` and its record in intro's DNS server."""
    folder, port = tmp_path / "intro", free_port()
    folder.mkdir()
    env = environ(INTRO_SERVICE_ADDRESS=SERVICE)
    key = folder / "dkim-postfix.pem"
    printed = run_intro("dkim", "keygen", "--selector", "postfix", "--out", str(key), cwd=folder, env=env)
    record = ZONE_LINE.match(printed.stdout.strip())
    assert record and record["name"] == "postfix._domainkey.example.org", printed
    dkim_record = (record["name"], "".join(re.findall(r'"([^"]*)"', record["strings"])))
    dns = LocalDNS(dict([dkim_record]))  # quick answers: no DMARC records here, NXDOMAIN at once
    env.update(
        INTRO_SMTP_PROTOCOL="lmtp", INTRO_SMTP_PORT=str(port), INTRO_TRUST_RESOLVER=dns.address,
        INTRO_MAIL_DKIM_SELECTOR="postfix", INTRO_MAIL_DKIM_KEY=str(key),
        INTRO_TRUST_ON_NONE="accept",  # unsigned mail counts at once
        INTRO_FOLLOWUP_DELAY="0", INTRO_FOLLOWUP_MAX_AGE="3650d", INTRO_TRUST_FOLLOWUPS_PER_HOUR="0",
    )
    proc = subprocess.Popen([*intro_command(), "smtp"], cwd=folder, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, proc=proc)
        yield Intro(folder, port, env, dkim_record)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        dns.close()
    assert "Traceback" not in err, err


@pytest.fixture
def postfix(intro: Intro, sink: tuple[Any, int]) -> Iterator[Postfix]:
    """Postfix from docs/postfix/, with only paths and ports changed, and mail for the
    people's domain routed to the sink."""
    # Not under tmp_path: Postfix's daemons run as the postfix user, who may not enter
    # pytest's folders (mode 0700); this one is 0755 in /tmp, and removed afterwards.
    pf = Postfix(Path(tempfile.mkdtemp(prefix="intro-postfix-")), free_port())
    pf.folder.chmod(0o755)
    etc = pf.folder / "etc"
    etc.mkdir(parents=True)
    (pf.folder / "spool").mkdir()  # root's; `postfix start` makes the rest, with their owners
    main_cf = (DOCUMENTED / "main.cf").read_text().replace("/etc/postfix/", f"{etc}/")
    assert main_cf != (DOCUMENTED / "main.cf").read_text(), "docs/postfix/main.cf names its tables elsewhere"
    (etc / "main.cf").write_text(main_cf + TEST_SETTINGS.format(folder=pf.folder))
    (etc / "master.cf").write_text(MASTER_CF.format(port=pf.port))
    transport = (DOCUMENTED / "transport").read_text()
    assert "lmtp:[127.0.0.1]:8024" in transport
    (etc / "transport").write_text(transport.replace(":8024", f":{intro.port}")
                                   + f"{PEOPLE_DOMAIN}    smtp:[127.0.0.1]:{sink[1]}\n")
    shutil.copy(DOCUMENTED / "relay_recipients", etc / "relay_recipients")
    subprocess.run([_tool("postmap"), "-c", str(etc), str(etc / "transport"), str(etc / "relay_recipients")],
                   check=True, capture_output=True)
    assert POSTFIX is not None
    started = subprocess.run([POSTFIX, "-c", str(etc), "start"], capture_output=True, text=True, check=False)
    try:
        assert started.returncode == 0, f"postfix start: {started.stderr}\n{pf.log()}"
        wait_for_port(pf.port)
        yield pf
    finally:
        subprocess.run([POSTFIX, "-c", str(etc), "stop"], capture_output=True, check=False)
        _until(lambda: not _listening(pf.port), "Postfix stopped", pf)
        shutil.rmtree(pf.folder, ignore_errors=True)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _send(postfix: Postfix, rcpt: str, raw: bytes, sender: str = "sam@example.com") -> None:
    with smtplib.SMTP("127.0.0.1", postfix.port) as client:
        client.sendmail(sender, [rcpt], raw)


def _introduction(number: int) -> bytes:
    """The sample, as a message of its own (another Message-ID) for each ``number``."""
    return load("postfix_introduction.eml").replace(b"<postfix-1@", f"<postfix-{number}@".encode())


def test_postfix_hands_the_service_address_to_intro_and_refuses_every_other(postfix: Postfix, intro: Intro) -> None:
    with smtplib.SMTP("127.0.0.1", postfix.port) as client:
        client.ehlo("client.example.com")
        client.mail("sam@example.com")
        code, reply = client.rcpt("nobody@example.org")
        assert code == 550 and b"User unknown" in reply, reply  # at RCPT: Postfix never takes it
        client.rset()
    _send(postfix, SERVICE, _introduction(1))
    rows = _until(lambda: intro.run("intros", "--json").splitlines(), "the introduction recorded", postfix)
    assert json.loads(rows[0])["parties"] == ["dana@example.net", "lee@example.net"]

    _send(postfix, "intro+tag@example.org", _introduction(2))
    _send(postfix, "Intro@Example.org", _introduction(3))
    _until(lambda: json.loads(intro.run("stats", "--json"))["messages"] == 3, "all three messages stored", postfix)
    for rcpt in ("intro+tag@example.org", "Intro@Example.org"):  # handed over as they were written
        [line] = postfix.delivered(rcpt)
        assert f"relay=127.0.0.1[127.0.0.1]:{intro.port}" in line and "status=sent" in line, line
    assert postfix.delivered("nobody@example.org") == []  # refused at the door: never relayed nor bounced


def test_follow_ups_go_out_through_postfix_and_their_bounces_come_back(postfix: Postfix, intro: Intro,
                                                                       sink: tuple[Any, int]) -> None:
    handler, _ = sink
    handler.refuse[REFUSED] = "550 5.1.1 <lee@example.net>: no such user here"
    _send(postfix, SERVICE, _introduction(1))
    _until(lambda: intro.run("intros", "--json"), "the introduction recorded", postfix)
    intro.run("followups", "run", **postfix.relay())  # into Postfix's queue

    received = _until(lambda: handler.received, "Dana's follow-up at her mail server", postfix)
    sender, recipients, message = received[0]
    assert recipients == ["dana@example.net"]
    assert sender.startswith("intro+b-") and sender.endswith("@example.org"), sender
    assert message["To"].addresses[0].addr_spec == "dana@example.net"
    # Signed by intro, relayed by Postfix (which adds its Received line), verified at the
    # receiving end against the record `intro dkim keygen` printed.
    raw = handler.raw[0]
    assert raw.startswith(b"Received: from ") and b"by mx.example.org (Postfix)" in raw.split(b"\r\n\r\n")[0], raw[:200]
    assert verify(raw, dict([intro.dkim_record])) == [True]
    fields = re.sub(r"\s+", "", str(message["DKIM-Signature"]))
    assert "d=example.org;" in fields and "s=postfix;" in fields, fields
    signed = set(re.search(r"h=([^;]+)", fields)[1].lower().split(":"))  # type: ignore[index]
    assert {"from", "to", "subject", "list-unsubscribe", "list-unsubscribe-post"} <= signed, signed

    # Lee's server said 550: Postfix mails a DSN to intro+b-TAG@example.org, hands it to
    # intro over LMTP, and intro mails Lee no more.
    def bouncing() -> str | None:
        return json.loads(intro.run("person", "export", REFUSED))["person"]["bouncing_since"]

    _until(bouncing, "Lee's address marked as bouncing", postfix)
    [dsn] = [line for line in postfix.log().splitlines() if "to=<intro+b-" in line and "status=sent" in line]
    assert f"relay=127.0.0.1[127.0.0.1]:{intro.port}" in dsn, dsn
