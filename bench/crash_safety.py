"""Crash safety: `intro serve` killed with SIGKILL again and again while mail arrives.

Several client threads, each its own SMTP connection, send unique introductions and
retry every message that got no 250 (a dropped connection, a 4xx) with the same bytes
and Message-ID, as an MTA would. Meanwhile a killer SIGKILLs the server's whole process
group (the server, its processor child, multiprocessing's resource tracker) at random
moments, most of them while mail arrives and some while the processor works through
the backlog, and starts it again. At the end the server runs until everything stored
is processed, and the database is checked: every acknowledged message stored exactly
once, under the id its 250 named, processed, with exactly one introduction.

    .venv/bin/python bench/crash_safety.py [--messages 20000] [--kills 6] [--senders 8]
        [--seed 1] [--database-url postgresql+psycopg://user@host/db]

On a fresh SQLite file by default; a PostgreSQL URL gets a fresh schema of its own,
dropped afterwards. Exits 1 when any must-be-0 figure is not 0.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import IO

from sqlalchemy import ColumnElement, Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from smtp_ingest import free_port  # noqa: E402

from inbound.handler import reference  # noqa: E402
from intro.db import make_engine, transaction  # noqa: E402
from intro.models import InboundMessage, Introduction, MessageStatus  # noqa: E402

SERVICE = "intro@tally.example"
SAMPLE = (ROOT / "tests" / "data" / "plain_introduction.eml").read_bytes().replace(b"\r\n", b"\n")
STORED = re.compile(rb"ref ([0-9A-F]{16})")  # the 250 names the Message-ID's hash, nothing more
POLL = 0.02  # how often the killer looks at its trigger
MUST_BE_ZERO = ("refused (5xx)", "lost", "duplicated", "unprocessed", "misfiled", "orphans", "unexpected exits")


def message(run: str, n: int) -> bytes:
    """Introduction number ``n`` of this run: its own Message-ID, people and subject, dated now."""
    # Each from an introducer of its own: many from one sender in a day are held (intro.trust).
    body = (SAMPLE.replace(b"<intro-1@mail.example.com>", f"<{n}@{run}.crash.example>".encode())
            .replace(b"sam@", f"sam{n}@".encode())
            .replace(b"dana@", f"dana{n}@".encode()).replace(b"lee@", f"lee{n}@".encode())
            .replace(b"Subject: Dana, meet Lee", f"Subject: Dana, meet Lee ({run} #{n})".encode()))
    # Dated now: the campaign is this year's, and the follow-ups are due in 14 days, not at once.
    body = re.sub(rb"(?m)^Date: .*$", f"Date: {formatdate(usegmt=True)}".encode(), body)
    return body.replace(b"\n", b"\r\n")


# --- the server, in a process group of its own ------------------------------------------


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes in process group ``pgid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat.rpartition(")")[2].split()[:3]  # the name may hold spaces
        if int(pgrp) == pgid and state != "Z":
            found.append(int(entry.name))
    return found


class Server:
    """`intro serve` as its own process group, so that one killpg takes its children too."""

    def __init__(self, workdir: Path, url: str, port: int, log: IO[bytes]) -> None:
        self.workdir, self.url, self.port, self.log = workdir, url, port, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.hung = False  # Ctrl-C did not stop it

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("INTRO_")}
        env.update(INTRO_DATABASE_URL=self.url, INTRO_SMTP_PORT=str(self.port), INTRO_WEB_PORT=str(free_port()),
                   INTRO_SERVICE_ADDRESS=SERVICE, INTRO_LOG_LEVEL="WARNING",
                   # Unsigned test mail from one sender a message: counted, as measured before
                   # [trust] on_none = confirm held the first from an unknown address.
                   INTRO_TRUST_ON_NONE="accept", INTRO_TRUST_FOLLOWUPS_PER_HOUR="0")
        return env

    def upgrade(self) -> None:
        done = subprocess.run([intro_command(), "db", "upgrade"], cwd=self.workdir, env=self.env(),
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"intro db upgrade failed: {done.stderr}")

    def start(self, timeout: float = 60) -> None:
        for _ in range(3):  # a port still held a moment after a kill is worth another try
            self.starts += 1
            self.log.write(f"--- start {self.starts} at {time.strftime('%H:%M:%S')}\n".encode())
            self.log.flush()
            self.proc = subprocess.Popen([intro_command(), "serve"], cwd=self.workdir, env=self.env(),
                                         stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    time.sleep(0.05)
            self.kill()
        raise RuntimeError(f"intro serve did not start; see {self.log.name}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> int:
        """SIGKILL the whole group; return how many of its processes outlived it (orphans)."""
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        return self._survivors(timeout=5)

    def stop(self) -> int:
        """Ctrl-C, as a person would; return how many processes of the group were left behind."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.hung = True
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        return self._survivors(timeout=10)

    def _survivors(self, timeout: float) -> int:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while (left := group_members(self.proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        if left:
            self.log.write(f"--- orphans of group {self.proc.pid}: {left}\n".encode())
            os.killpg(self.proc.pid, signal.SIGKILL)  # do not leave them running
        return len(left)


def intro_command() -> str:
    return shutil.which("intro", path=str(Path(sys.executable).parent)) or "intro"


# --- the clients ------------------------------------------------------------------------


@dataclass
class Delivery:
    attempts: int = 0
    acked: bool = False
    stored_as: str | None = None  # the reference the 250 named


@dataclass
class Ledger:
    """What the clients did and saw, message by message."""

    total: int
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    events: Counter[str] = field(default_factory=Counter)
    refusals: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 0

    def take(self) -> int | None:
        with self.lock:
            if self._next >= self.total:
                return None
            self._next += 1
            self.deliveries[self._next - 1] = Delivery()
            return self._next - 1

    def note(self, n: int, event: str, reply: bytes = b"") -> None:
        with self.lock:
            self.events[event] += 1
            delivery = self.deliveries[n]
            delivery.attempts += 1
            if event == "5xx":
                self.refusals.append(f"#{n}: {reply.decode(errors='replace')}")
            if event.startswith("250"):
                delivery.acked = True
                found = STORED.search(reply)
                delivery.stored_as = found.group(1).decode() if found else None

    def acked(self) -> int:
        with self.lock:
            return self.events["250"]


def deliver(client: smtplib.SMTP, sender: str, body: bytes) -> tuple[int, bytes]:
    """One transaction; the reply to the first command that was not accepted, else to DATA."""
    client.ehlo_or_helo_if_needed()
    code, reply = client.mail(sender)
    if code == 250:
        code, reply = client.rcpt(SERVICE)
        if code in (250, 251):
            code, reply = client.data(body)
    return code, reply


def sender(port: int, run: str, ledger: Ledger, worker: int, seed: int, deadline: float,
           abort: threading.Event) -> None:
    """Send messages until none are left, retrying each until it gets a 250 (or a 5xx)."""
    rng = random.Random(f"{seed}-sender-{worker}")
    client: smtplib.SMTP | None = None
    left = 0  # messages still to send on this connection; MTAs reuse connections, some
    while time.monotonic() < deadline and not abort.is_set() and (n := ledger.take()) is not None:
        body, pause = message(run, n), 0.05
        while time.monotonic() < deadline and not abort.is_set():
            try:
                if client is None:
                    client, left = smtplib.SMTP("127.0.0.1", port, timeout=30), rng.randint(1, 20)
                code, reply = deliver(client, f"sam{n}@example.com", body)
            except ConnectionRefusedError:
                client, code, reply, event = None, 0, b"", "connection refused"
            except (OSError, smtplib.SMTPException):
                _close(client)
                client, code, reply, event = None, 0, b"", "connection dropped"
            else:
                event = "250" if code == 250 else f"{code // 100}xx"
            ledger.note(n, event, reply if code else b"")
            if code == 250 or code >= 500:
                break
            if code:  # a 4xx: this session is in an unknown state, start a new one
                _close(client)
                client = None
            time.sleep(pause * rng.uniform(0.5, 1.5))
            pause = min(pause * 2, 1.0)
        left -= 1
        if left <= 0:
            _close(client, quit=True)
            client = None
    _close(client, quit=True)


def _close(client: smtplib.SMTP | None, quit: bool = False) -> None:
    if client is None:
        return
    try:
        if quit:
            client.quit()
    except (OSError, smtplib.SMTPException):
        pass
    client.close()


# --- the killer -------------------------------------------------------------------------


@dataclass
class Kills:
    done: int = 0
    while_processing: int = 0  # killed with some, not all, of the stored messages processed
    orphans: int = 0
    unexpected_exits: int = 0


# When to kill: once the trigger returns True, plus a random moment of up to this many seconds.
Trigger = tuple[Callable[[], bool], float]


def killer(server: Server, triggers: list[Trigger], kills: Kills, backlog: Callable[[], tuple[int, int]],
           seed: int, abort: threading.Event, errors: list[BaseException]) -> None:
    """Wait for each trigger, then SIGKILL the server group at a random moment just after, and restart it."""
    rng = random.Random(f"{seed}-killer")
    try:
        for trigger, jitter in triggers:
            while not trigger() and not abort.is_set():
                watch(server, kills)
                time.sleep(POLL)
            if abort.is_set():
                return
            time.sleep(rng.uniform(0, jitter))
            processed, stored = backlog()
            kills.while_processing += 0 < processed < stored
            kills.orphans += server.kill()
            kills.done += 1
            time.sleep(rng.uniform(0, 0.3))
            server.start()
    except BaseException as e:
        errors.append(e)
        abort.set()


def watch(server: Server, kills: Kills) -> None:
    """A server that died without being killed is a finding; it is restarted."""
    if not server.alive():
        kills.unexpected_exits += 1
        kills.orphans += server.kill()
        server.start()


# --- the run ----------------------------------------------------------------------------


@dataclass
class Report:
    figures: dict[str, int]
    notes: list[str]

    def failures(self) -> list[str]:
        return [name for name in MUST_BE_ZERO if self.figures[name]]

    def table(self) -> str:
        lines = [f"{name:<34}{value:>8}{'   (must be 0)' if name in MUST_BE_ZERO else ''}"
                 for name, value in self.figures.items()]
        return "\n".join(lines + [f"  ! {note}" for note in self.notes])


def run(url: str, workdir: Path, messages: int = 20000, kills: int = 6, processing_kills: int = 1,
        senders: int = 8, seed: int = 1, deadline: float = 900) -> Report:
    """The whole experiment against an empty database at ``url``; ``workdir`` holds the server's
    working directory and its log. ``deadline``: seconds for sending, and again for processing."""
    rng = random.Random(f"{seed}-plan")
    run_tag = f"r{uuid.uuid4().hex[:10]}"
    ledger, tally, abort = Ledger(messages), Kills(), threading.Event()
    errors: list[BaseException] = []
    engine = make_engine(url)
    ours = InboundMessage.message_id.like(f"%@{run_tag}.crash.example")

    def backlog() -> tuple[int, int]:
        with transaction(engine) as s:
            processed = s.scalar(select(func.count()).where(ours, InboundMessage.status != MessageStatus.NEW))
            stored = s.scalar(select(func.count()).where(ours))
        return processed or 0, stored or 0

    sending_done = threading.Event()
    # Most kills while mail arrives, when so many messages are acknowledged (and a moment more);
    # the others once the last is acknowledged, with so much of the backlog processed.
    triggers: list[Trigger] = [(_acked_at(ledger, sending_done, t), 0.25)
                               for t in sorted(rng.randint(max(1, messages // 20), max(1, messages * 19 // 20))
                                               for _ in range(max(0, kills - processing_kills)))]
    triggers += [(_processed_at(backlog, sending_done, f, ledger), 0.0)
                 for f in sorted(rng.uniform(0.05, 0.7) for _ in range(min(kills, processing_kills)))]

    with open(workdir / "serve.log", "ab") as log:
        server = Server(workdir, url, free_port(), log)
        server.upgrade()
        server.start()
        started = time.monotonic()
        try:
            threads = [threading.Thread(target=sender, args=(server.port, run_tag, ledger, i, seed,
                                                             started + deadline, abort), name=f"sender-{i}")
                       for i in range(senders)]
            kill_thread = threading.Thread(target=killer, args=(server, triggers, tally, backlog, seed, abort,
                                                                errors), name="killer")
            for t in [*threads, kill_thread]:
                t.start()
            for t in threads:
                t.join()
            sending_done.set()
            sent_for = time.monotonic() - started
            kill_thread.join()
            if errors:
                raise errors[0]
            # The last restart is up; wait until the processor has been through everything.
            drain_deadline = time.monotonic() + deadline
            while time.monotonic() < drain_deadline:
                watch(server, tally)
                with transaction(engine) as s:
                    if not s.scalar(select(func.count()).where(ours, InboundMessage.status == MessageStatus.NEW)):
                        break
                time.sleep(0.2)
            processed_for = time.monotonic() - started - sent_for
        finally:
            abort.set()
            if server.alive():
                tally.orphans += server.stop()
        report = check(engine, ours, run_tag, ledger, tally)
    engine.dispose()
    report.notes.append(f"sent for {sent_for:.1f} s, all processed {processed_for:.1f} s later; "
                        f"log: {workdir / 'serve.log'}")
    if server.hung:
        report.notes.append("the server did not stop within 60 s of Ctrl-C at the end; it was killed")
    report.notes.extend(server_errors(workdir / "serve.log"))
    return report


def _acked_at(ledger: Ledger, done: threading.Event, threshold: int) -> Callable[[], bool]:
    return lambda: ledger.acked() >= threshold or done.is_set()


def _processed_at(backlog: Callable[[], tuple[int, int]], done: threading.Event, fraction: float,
                  ledger: Ledger) -> Callable[[], bool]:
    give_up: list[float] = []

    def trigger() -> bool:
        if not done.is_set():
            return False
        give_up[:] = give_up or [time.monotonic() + 120]  # a processor that never starts is killed anyway
        processed, stored = backlog()
        return processed >= min(stored, max(1, int(fraction * ledger.acked()))) or time.monotonic() > give_up[0]
    return trigger


def check(engine: Engine, ours: ColumnElement[bool], run_tag: str, ledger: Ledger, tally: Kills) -> Report:
    """Compare what the clients were told with what the database holds."""
    with transaction(engine) as s:
        rows = s.execute(select(InboundMessage.id, InboundMessage.message_id, InboundMessage.status,
                                InboundMessage.kind).where(ours)).all()
        intros = s.execute(select(Introduction.id, Introduction.inbound_message_id, Introduction.subject)
                           .where(Introduction.subject.like(f"%({run_tag} #%"))).all()
    number = {row.id: int(row.message_id.partition("@")[0]) for row in rows}
    by_reference = {reference(row.message_id, b""): number[row.id] for row in rows}
    copies = Counter(number.values())
    intros_of = Counter(i.inbound_message_id for i in intros)
    intros_by_subject = Counter(i.subject for i in intros)
    acked = {n for n, d in ledger.deliveries.items() if d.acked}
    unacked = set(ledger.deliveries) - acked
    processed = {number[r.id] for r in rows
                 if r.status == MessageStatus.PROCESSED and r.kind == "introduction" and intros_of[r.id] == 1}
    misfiled = [n for n, d in ledger.deliveries.items()
                if d.stored_as is not None and by_reference.get(d.stored_as) != n]
    notes = []
    if lost := sorted(acked - set(copies)):
        notes.append(f"acknowledged, not stored: {lost[:10]}")
    if ledger.refusals:
        notes.append(f"refused: {ledger.refusals[:3]}")
    if misfiled:
        notes.append(f"the 250 named another row: {misfiled[:10]}")
    if unprocessed := sorted(set(copies) - processed):
        by_number = {number[r.id]: r for r in rows}
        notes.append("not processed: " + ", ".join(
            f"#{n} ({by_number[n].status}, {by_number[n].kind}, {intros_of[by_number[n].id]} intros)"
            for n in unprocessed[:10]))
    attempts = sum(d.attempts for d in ledger.deliveries.values())
    figures = {
        "messages sent": len(ledger.deliveries),
        "acknowledged": len(acked),
        "attempts": attempts,
        "retries": attempts - len(ledger.deliveries),
        "  connections refused": ledger.events["connection refused"],
        "  connections dropped": ledger.events["connection dropped"],
        "  4xx replies": ledger.events["4xx"],
        "  250 after a retry": sum(1 for d in ledger.deliveries.values() if d.acked and d.attempts > 1),
        "kills": tally.done,
        "  while processing": tally.while_processing,
        "found": len(acked & set(copies)),
        "never acknowledged": len(unacked),
        "  of which stored": len(unacked & set(copies)),
        "refused (5xx)": ledger.events["5xx"],
        "lost": len(lost),
        "duplicated": sum(c - 1 for c in copies.values()) + sum(c - 1 for c in intros_of.values())
        + sum(c - 1 for c in intros_by_subject.values()),
        "unprocessed": len(unprocessed),
        "misfiled": len(misfiled),
        "orphans": tally.orphans,
        "unexpected exits": tally.unexpected_exits,
    }
    return Report(figures, notes)


def server_errors(log: Path, limit: int = 5) -> Iterator[str]:
    """The first distinct ERROR lines the server logged (expected: none)."""
    seen: set[str] = set()
    for line in log.read_text(errors="replace").splitlines():
        if " ERROR " in line or " CRITICAL " in line:
            text_ = line.split(" ", 2)[-1]
            if text_ not in seen and len(seen) < limit:
                seen.add(text_)
                yield f"server logged: {text_}"


# --- command line -----------------------------------------------------------------------


def fresh_postgres_schema(url: str) -> tuple[str, Callable[[], None]]:
    """A URL on a new, empty schema of ``url``'s database, and how to drop it."""
    name = f"crash_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--processing-kills", type=int, default=1,
                        help="how many of the kills wait until the last message is acknowledged and the "
                             "processor is working through the backlog (default 1)")
    parser.add_argument("--senders", type=int, default=8, help="concurrent SMTP connections")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--deadline", type=float, default=900, help="seconds for sending, and again for processing")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; PostgreSQL gets a fresh schema")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (and schema)")
    opts = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="crash-safety-"))
    url, drop = f"sqlite:///{workdir / 'intro.db'}", None
    if opts.database_url and make_url(opts.database_url).get_backend_name() != "sqlite":
        url, drop = fresh_postgres_schema(opts.database_url)
    elif opts.database_url:
        url = opts.database_url
    try:
        report = run(url, workdir, opts.messages, opts.kills, opts.processing_kills, opts.senders, opts.seed,
                     opts.deadline)
    finally:
        if drop is not None and not opts.keep:
            drop()
    print(f"crash safety on {make_url(url).get_backend_name()}, seed {opts.seed}, {opts.senders} connections")
    print(report.table())
    if failures := report.failures():
        print(f"FAILED: {', '.join(failures)}; working directory kept: {workdir}")
        sys.exit(1)
    if not opts.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
