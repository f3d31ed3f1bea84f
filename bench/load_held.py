"""Load held: sustained SMTP ingest while the public page is read and follow-ups go out.

`intro serve` runs on a fresh database with `[followup] delay = 0` and its relay pointed
at an SMTP sink (an aiosmtpd server in a subprocess of its own, tests/loop_helpers.Sink),
so every introduction it records is followed up, to the sink, at the scheduler's next
pass (one a minute, inside serve). Then, in one run:

1. baseline: N sender threads send unique introductions as fast as they are answered,
   for ``--baseline`` seconds, with nobody reading the web site;
2. loaded: the same senders for ``--minutes`` while a reader GETs `/` and `/api/tallies`
   in turn (a new connection each, no pause) and the scheduler mails the follow-ups;
3. the processor's backlog is waited for, then the follow-ups of every introduction.

Each sender reuses its connection for 1 to 20 messages, as MTAs do. The 250 latency is
measured by the client from sending the DATA command to the final 250 (after MAIL and
RCPT were accepted); "transaction" adds MAIL, RCPT and, on a new connection, connect +
EHLO. Any reply that is not 250 and any dropped connection is an error; so is any web
response that is not 200. Peak RSS is serve plus its processor child (multiprocessing's
resource tracker left out), sampled every 0.25 s, and the sum of their VmHWM at the end.

    .venv/bin/python bench/load_held.py [--minutes 3] [--senders 4] [--baseline 20]
        [--database-url postgresql+psycopg://user@host/db]

On a fresh SQLite file by default; a PostgreSQL URL gets a fresh schema of its own,
dropped afterwards. Exits 1 when any must-be-0 figure is not 0.
"""

from __future__ import annotations

import argparse
import bisect
import http.client
import os
import random
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))  # tests.loop_helpers, for the sink
import crash_safety  # noqa: E402
from crash_safety import SERVICE, Kills, Ledger, check, fresh_postgres_schema, group_members, message  # noqa: E402
from smtp_ingest import free_port, wait_for  # noqa: E402

from intro.db import make_engine, transaction  # noqa: E402
from intro.models import FollowUp, InboundMessage, Introduction, MailStatus, MessageStatus  # noqa: E402

MUST_BE_ZERO = ("SMTP errors", "web errors", "lost (acknowledged, not stored)", "duplicated", "unprocessed",
                "follow-ups not mailed", "server exited")
WEB_PATHS = ("/", "/api/tallies")
RSS_EVERY = 0.25  # seconds between RSS samples
SENT, PENDING, FAILED = (s.value for s in (MailStatus.SENT, MailStatus.PENDING, MailStatus.FAILED))


# --- the relay: an SMTP sink in a process of its own -------------------------------------


def sink_main(port: int, path: str) -> None:
    """Run tests.loop_helpers.Sink on ``port``; one line per mail received to ``path``
    (time, envelope sender, recipients), nothing kept in memory."""
    from aiosmtpd.controller import Controller

    from tests.loop_helpers import Sink

    out = open(path, "a", buffering=1)

    class LineSink(Sink):
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            out.write(f"{time.time():.3f}\t{envelope.mail_from}\t{','.join(envelope.rcpt_tos)}\n")
            return "250 OK"

    controller = Controller(LineSink(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    out.close()


class SinkProcess:
    def __init__(self, workdir: Path) -> None:
        self.port, self.path = free_port(), workdir / "sink.tsv"
        self.path.touch()
        self.proc = subprocess.Popen([sys.executable, __file__, "--sink", str(self.port), str(self.path)])
        wait_for(self.port)

    def times(self) -> list[float]:
        """When each mail arrived (epoch seconds)."""
        lines = self.path.read_text().splitlines()
        return [float(line.split("\t", 1)[0]) for line in lines if line.count("\t") == 2]

    def count(self) -> int:
        with open(self.path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 16), b""))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


# --- the server ---------------------------------------------------------------------------


class Server(crash_safety.Server):
    """`intro serve` (own process group) with the relay at the sink and follow-ups due at once.

    ``scheduler_interval``: seconds between the scheduler's passes instead of its 60, for short
    runs (tests); serve is then started through a one-line wrapper that sets
    mailer.scheduler.INTERVAL_SECONDS first. None runs the `intro` command itself."""

    def __init__(self, workdir: Path, url: str, log: Any, relay_port: int,
                 scheduler_interval: float | None = None) -> None:
        super().__init__(workdir, url, free_port(), log)
        self.web_port, self.relay_port, self.scheduler_interval = free_port(), relay_port, scheduler_interval

    def env(self) -> dict[str, str]:
        env = super().env()
        env.update(INTRO_WEB_PORT=str(self.web_port), INTRO_RELAY_HOST="127.0.0.1",
                   INTRO_RELAY_PORT=str(self.relay_port), INTRO_RELAY_SECURITY="none",
                   INTRO_FOLLOWUP_DELAY="0", INTRO_TRUST_INTRODUCTIONS_PER_DAY="0", INTRO_TRUST_ON_NONE="accept",
                   INTRO_TRUST_FOLLOWUPS_PER_HOUR="0")  # the load is the point: no limit holds it
        return env

    def command(self) -> list[str]:
        if self.scheduler_interval is None:
            return [crash_safety.intro_command(), "serve"]
        return [sys.executable, "-c",
                "import sys, mailer.scheduler as s; s.INTERVAL_SECONDS = float(sys.argv.pop(1)); "
                "from intro.cli import main; sys.argv[0] = 'intro'; main()",
                str(self.scheduler_interval), "serve"]

    def start(self, timeout: float = 60) -> None:
        self.log.write(f"--- start at {time.strftime('%H:%M:%S')}\n".encode())
        self.log.flush()
        self.proc = subprocess.Popen(self.command(), cwd=self.workdir, env=self.env(), stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if get(self.web_port, "/healthz")[0] == 200:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"intro serve did not start; see {self.log.name}")

    def members(self) -> list[int]:
        """serve and its processor child (not multiprocessing's resource tracker)."""
        assert self.proc is not None
        found = []
        for pid in group_members(self.proc.pid):
            try:
                if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                pass
        return found


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    """VmRSS of serve and of its processor, every RSS_EVERY seconds."""

    def __init__(self, server: Server) -> None:
        super().__init__(name="rss", daemon=True)
        self.server, self.done = server, threading.Event()
        self.samples: list[tuple[float, int, int]] = []  # (time, serve kB, processor kB)

    def run(self) -> None:
        while not self.done.wait(RSS_EVERY):
            serve = self.server.proc.pid if self.server.proc else 0
            kbs = {p: status_kb(p, "VmRSS") for p in self.server.members()}
            self.samples.append((time.monotonic(), kbs.pop(serve, 0), sum(kbs.values())))

    def peak(self, since: float = 0.0, until: float = float("inf")) -> int:
        """The highest sum of the two."""
        return max((a + b for t, a, b in self.samples if since <= t <= until), default=0)

    def at(self, moment: float) -> tuple[int, int]:
        """serve's and the processor's at the sample nearest ``moment``."""
        return min(self.samples, key=lambda s: abs(s[0] - moment), default=(0.0, 0, 0))[1:]


# --- the clients ------------------------------------------------------------------------


def get(port: int, path: str) -> tuple[int, float]:
    """Status and seconds for one GET on a new connection, until the whole body has arrived."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return (response.status if body else -1), time.perf_counter() - started


@dataclass
class Phase:
    """What the clients saw in one phase."""

    name: str
    started: float = 0.0
    ended: float = 0.0
    sent: int = 0
    acked: int = 0
    data: list[tuple[float, float]] = field(default_factory=list)  # (time of the 250, seconds from DATA)
    txn: list[float] = field(default_factory=list)  # seconds from MAIL (or connect) to the 250
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    web: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in WEB_PATHS})
    web_errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str, detail: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(detail)

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    def throughput(self) -> float:
        return self.acked / self.seconds if self.seconds > 0 else 0.0


def sender(port: int, run_tag: str, ledger: Ledger, phase: Phase, seed: str, stop: threading.Event,
           every: float = 0.0) -> None:
    """Unique introductions until ``stop``, the next as soon as the last is answered or, with
    ``every``, one every so many seconds; no retries (a failure is an error)."""
    rng = random.Random(seed)
    client: smtplib.SMTP | None = None
    left = 0
    due = time.perf_counter() + rng.uniform(0, every)
    while not (stop.wait(max(0.0, due - time.perf_counter())) if every else stop.is_set()):
        due += every
        if (n := ledger.take()) is None:
            break
        body = message(run_tag, n)
        started = time.perf_counter()
        with phase.lock:
            phase.sent += 1
        try:
            if client is None:
                client, left = smtplib.SMTP("127.0.0.1", port, timeout=120), rng.randint(1, 20)
            client.ehlo_or_helo_if_needed()
            code, reply = client.mail(f"sam{n}@example.com")
            if code == 250:
                code, reply = client.rcpt(SERVICE)
            if code in (250, 251):
                data_started = time.perf_counter()
                code, reply = client.data(body)
        except (OSError, smtplib.SMTPException) as e:
            ledger.note(n, "connection dropped")
            phase.error("connection dropped", f"#{n}: {type(e).__name__}: {e}")
            crash_safety._close(client)
            client = None
            continue
        done = time.perf_counter()
        if code == 250:
            ledger.note(n, "250", reply)
            with phase.lock:
                phase.acked += 1
                phase.data.append((done, done - data_started))
                phase.txn.append(done - started)
        else:
            ledger.note(n, f"{code // 100}xx", reply)
            phase.error(f"{code // 100}xx", f"#{n}: {code} {reply.decode(errors='replace')}")
            crash_safety._close(client)  # the session is in an unknown state
            client = None
            continue
        left -= 1
        if left <= 0:
            crash_safety._close(client, quit=True)
            client = None
    crash_safety._close(client, quit=True)


def reader(port: int, phase: Phase, stop: threading.Event) -> None:
    """GET / and /api/tallies in turn, without pause, until ``stop``."""
    while not stop.is_set():
        for path in WEB_PATHS:
            try:
                status, seconds = get(port, path)
            except (OSError, http.client.HTTPException) as e:
                phase.web_errors[f"{path}: {type(e).__name__}"] += 1
                continue
            if status == 200:
                phase.web[path].append(seconds)
            else:
                phase.web_errors[f"{path}: {status}"] += 1


def run_phase(phase: Phase, seconds: float, port: int, run_tag: str, ledger: Ledger, senders: int,
              web_port: int | None, rate: float | None = None, tick: Callable[[], None] | None = None,
              step: float = 15.0) -> Phase:
    """``senders`` threads for ``seconds`` (with a reader when ``web_port``); ``rate``: messages
    a second in all, paced, instead of as fast as they are answered; ``tick`` is called every
    ``step`` seconds and at the end."""
    stop = threading.Event()
    every = senders / rate if rate else 0.0
    threads = [threading.Thread(target=sender, args=(port, run_tag, ledger, phase, f"{run_tag}-{phase.name}-{i}",
                                                     stop, every), name=f"sender-{i}") for i in range(senders)]
    if web_port is not None:
        threads.append(threading.Thread(target=reader, args=(web_port, phase, stop), name="reader"))
    phase.started = time.perf_counter()
    for t in threads:
        t.start()
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        stop.wait(min(step, left))
        if tick is not None:
            tick()
    stop.set()
    for t in threads:
        t.join()
    phase.ended = time.perf_counter()
    return phase


# --- the run ----------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``, in ms; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


@dataclass
class Report:
    rows: list[tuple[str, str]]
    figures: dict[str, float]
    notes: list[str]
    timeline: str = ""

    def failures(self) -> list[str]:
        return [name for name in MUST_BE_ZERO if self.figures.get(name)]

    def table(self) -> str:
        lines = [f"{name:<44}{value:>24}{'   (must be 0)' if name in MUST_BE_ZERO else ''}"
                 for name, value in self.rows]
        return "\n".join(lines + [f"  ! {note}" for note in self.notes] + ["", self.timeline])


def run(url: str, workdir: Path, minutes: float = 3.0, senders: int = 4, baseline: float = 20.0,
        scheduler_interval: float | None = None, deadline: float = 1800, rate: float | None = None) -> Report:
    """The whole experiment against an empty database at ``url``; ``workdir`` holds the server's
    working directory, its log and the sink's record. ``deadline``: seconds to wait for the
    processor's backlog, and again for the last follow-ups, at the end. ``rate``: messages a
    second in all instead of as many as the server answers (shorter runs: a smaller backlog)."""
    run_tag = f"l{uuid.uuid4().hex[:10]}"
    ledger = Ledger(10**9)
    engine = make_engine(url)
    ours = InboundMessage.message_id.like(f"%@{run_tag}.crash.example")
    load_before = os.getloadavg()
    sink = SinkProcess(workdir)
    notes: list[str] = []
    try:
        with open(workdir / "serve.log", "ab") as log:
            server = Server(workdir, url, log, sink.port, scheduler_interval)
            server.upgrade()
            server.start()
            sampler = RssSampler(server)
            sampler.start()
            exited = 0
            try:
                warm = run_phase(Phase("warm-up"), 2.0, server.port, run_tag, ledger, senders, None, rate)
                base = run_phase(Phase("baseline"), baseline, server.port, run_tag, ledger, senders, None, rate)
                # /api/tallies answers 404 until the campaign's first introduction is recorded.
                ready = time.monotonic() + 120
                while get(server.web_port, "/api/tallies")[0] != 200 and time.monotonic() < ready:
                    time.sleep(0.2)

                def count(*where: Any) -> int:
                    with transaction(engine) as s:
                        return s.scalar(select(func.count()).select_from(InboundMessage).where(ours, *where)) or 0

                mails_before = sink.count()
                processed_before = count(InboundMessage.status != MessageStatus.NEW)
                loaded, timeline = Phase("loaded"), list[Tick]()

                def tick() -> None:  # the timeline: cumulative counts now
                    timeline.append(Tick(time.perf_counter() - loaded.started, loaded.acked,
                                         count(InboundMessage.status != MessageStatus.NEW), sink.count(),
                                         sum(len(x) for x in loaded.web.values()),
                                         *sampler.at(time.monotonic()), os.getloadavg()[0]))

                load_start, load1_at_start = time.monotonic(), os.getloadavg()[0]
                step = max(5.0, minutes * 60 / 12)
                run_phase(loaded, minutes * 60, server.port, run_tag, ledger, senders, server.web_port, rate,
                          tick, step)
                load_end, ticks_in_load = time.monotonic(), len(timeline)

                def tick_after() -> None:  # on, every ``step``, while waiting after the load
                    if time.perf_counter() - loaded.started >= timeline[-1].t + step:
                        tick()

                load_avg = os.getloadavg()
                mails_during = sink.count() - mails_before
                backlog, stored = count(InboundMessage.status == MessageStatus.NEW), count()
                processed_during = stored - backlog - processed_before
                drained_by = time.monotonic() + deadline
                while (count(InboundMessage.status == MessageStatus.NEW) and time.monotonic() < drained_by
                       and server.alive()):
                    tick_after()
                    time.sleep(0.2)
                drain_s = time.monotonic() - load_end

                def followups() -> Counter[str]:
                    with transaction(engine) as s:
                        return Counter({getattr(k, "value", k): v for k, v in
                                        s.execute(select(FollowUp.status, func.count()).group_by(FollowUp.status))})

                # Then the scheduler's next pass(es) mail the follow-ups of the last introductions.
                mailed_by = time.monotonic() + deadline
                while time.monotonic() < mailed_by and server.alive():
                    by_status = followups()
                    if not by_status[PENDING] and sink.count() >= by_status[SENT]:
                        break
                    tick_after()
                    time.sleep(0.5)
                followups_s = time.monotonic() - load_end
                by_status = followups()
                hwm_each = {p: status_kb(p, "VmHWM") for p in server.members()}
                hwm, serve_pid = sum(hwm_each.values()), server.proc.pid if server.proc else 0
                exited = int(not server.alive())
            finally:
                sampler.done.set()
                sampler.join()
                if server.alive():
                    if server.stop():
                        notes.append("serve left processes behind after Ctrl-C")
                if server.hung:
                    notes.append("serve did not stop within 60 s of Ctrl-C; it was killed")
            with transaction(engine) as s:
                intros = s.scalar(select(func.count()).select_from(Introduction)) or 0
                followups_total = s.scalar(select(func.count()).select_from(FollowUp)) or 0
            audit = check(engine, ours, run_tag, ledger, Kills())
    finally:
        sink.stop()
        engine.dispose()

    mail_times = sorted(sink.times())
    mails = len(mail_times)
    # The 250 latencies of the loaded phase that overlapped a follow-up mail reaching the sink.
    wall = time.time() - time.perf_counter()  # perf_counter -> epoch
    during_sends = [lat for done, lat in loaded.data
                    if bisect.bisect_left(mail_times, wall + done) - bisect.bisect_left(mail_times, wall + done - lat)]
    smtp_errors = sum(p.errors.total() for p in (warm, base, loaded))
    web_errors = loaded.web_errors.total()
    all_web = [x for xs in loaded.web.values() for x in xs]
    not_mailed = followups_total - by_status[SENT] + max(0, by_status[SENT] - mails)
    f = audit.figures
    ratio = loaded.throughput() / base.throughput() if base.throughput() else float("nan")
    lat = [x for _, x in loaded.data]
    figures = {
        "SMTP errors": smtp_errors, "web errors": web_errors, "lost (acknowledged, not stored)": f["lost"],
        "duplicated": f["duplicated"], "unprocessed": f["unprocessed"], "follow-ups not mailed": not_mailed,
        "server exited": exited, "acknowledged": f["acknowledged"], "sent": f["messages sent"], "found": f["found"],
        "introductions": intros, "follow-ups": followups_total, "mails at sink": mails,
        "mails during load": mails_during, "web requests": len(all_web), "throughput": loaded.throughput(),
        "baseline throughput": base.throughput(), "ratio": ratio, "backlog at end": backlog,
        "peak rss kb": sampler.peak(), "hwm kb": hwm,
    }
    mib = 1024.0
    rows = [
        ("backend", make_url(url).get_backend_name()),
        ("senders (threads, 1-20 messages/connection)", f"{senders}{f', {rate:g} msg/s in all' if rate else ''}"),
        ("duration loaded / baseline", f"{loaded.seconds:.1f} s / {base.seconds:.1f} s"),
        ("messages sent / acknowledged (loaded)", f"{loaded.sent} / {loaded.acked}"),
        ("throughput loaded / baseline", f"{loaded.throughput():.1f} / {base.throughput():.1f} msg/s"),
        ("ratio loaded / baseline", f"{ratio:.2f}"),
        ("250 latency from DATA p50/p99/max", f"{pct(lat, .5):.0f}/{pct(lat, .99):.0f}/{pct(lat, 1):.0f} ms"),
        ("  baseline p50/p99/max", "{:.0f}/{:.0f}/{:.0f} ms".format(
            *(pct([x for _, x in base.data], q) for q in (.5, .99, 1)))),
        ("  loaded, while follow-ups went out p50/p99",
         f"{pct(during_sends, .5):.0f}/{pct(during_sends, .99):.0f} ms (n={len(during_sends)})"),
        ("transaction (MAIL/connect to 250) p50/p99", f"{pct(loaded.txn, .5):.0f}/"
                                                      f"{pct(loaded.txn, .99):.0f} ms"),
        ("SMTP errors", str(smtp_errors)),
        ("web requests (/ + /api/tallies)", f"{len(all_web)} ({len(all_web) / loaded.seconds:.1f}/s)"),
        *[(f"  {path} p50/p99/max", f"{pct(xs, .5):.0f}/{pct(xs, .99):.0f}/{pct(xs, 1):.0f} ms")
          for path, xs in loaded.web.items()],
        ("web errors", str(web_errors)),
        ("follow-ups mailed during load / in all", f"{mails_during} / {mails}"),
        ("follow-ups created / sent / pending / failed",
         f"{followups_total} / {by_status[SENT]} / {by_status[PENDING]} / "
         f"{by_status[FAILED]}"),
        ("all follow-ups mailed", f"{followups_s:.1f} s after the load"),
        ("follow-ups not mailed", str(not_mailed)),
        ("stored (all phases) / acknowledged / introductions", f"{stored} / {f['acknowledged']} / {intros}"),
        ("processed during load", f"{processed_during} ({processed_during / loaded.seconds:.1f}/s)"),
        ("processed backlog at end of load", f"{backlog} messages"),
        ("all processed", f"{drain_s:.1f} s after the load"),
        ("lost (acknowledged, not stored)", str(f["lost"])),
        ("duplicated", str(f["duplicated"])),
        ("unprocessed", str(f["unprocessed"])),
        ("server exited", str(exited)),
        ("peak RSS serve+processor (sampled)", f"{sampler.peak() / mib:.0f} MiB"),
        ("  sum of VmHWM at the end (serve + processor)",
         f"{hwm / mib:.0f} MiB ({hwm_each.pop(serve_pid, 0) / mib:.0f} + "
         f"{' + '.join(f'{kb / mib:.0f}' for kb in hwm_each.values())})"),
        ("  peak after the load (backlog, follow-ups)", f"{sampler.peak(load_end) / mib:.0f} MiB"),
        ("  RSS at load start / end / peak in load", f"{sum(sampler.at(load_start)) / mib:.0f} / "
                                                     f"{sum(sampler.at(load_end)) / mib:.0f} / "
                                                     f"{sampler.peak(load_start, load_end) / mib:.0f} MiB"),
        ("load average before / end of load", "{:.2f} {:.2f} {:.2f} / {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_avg)),
    ]
    for phase in (warm, base, loaded):
        if phase.error_samples:
            notes.append(f"{phase.name} SMTP errors {dict(phase.errors)}: {phase.error_samples[:3]}")
    if web_errors:
        notes.append(f"web errors: {dict(loaded.web_errors)}")
    if followups_total != 2 * intros:
        notes.append(f"{followups_total} follow-ups for {intros} introductions (expected two each)")
    notes.extend(audit.notes)
    notes.extend(crash_safety.server_errors(workdir / "serve.log"))
    start = Tick(0.0, 0, processed_before, mails_before, 0, *sampler.at(load_start), load1_at_start)
    return Report(rows, figures, notes, timeline_table(loaded, [start, *timeline], ticks_in_load))


@dataclass
class Tick:
    """Cumulative counts at ``t`` seconds into the loaded phase."""

    t: float
    acked: int
    processed: int
    mails: int
    web: int
    serve_kb: int
    processor_kb: int
    load1: float


def timeline_table(loaded: Phase, ticks: list[Tick], in_load: int) -> str:
    """Per interval of the loaded phase (the first ``in_load`` ticks) and after it: rates,
    the 250 latency, memory and load."""
    lines = [f"{'until s':>8}{'acked/s':>9}{'250 p50':>9}{'p99 ms':>8}{'processed/s':>13}{'mailed/s':>10}"
             f"{'web/s':>7}{'RSS serve+proc MiB':>20}{'load1':>7}"]
    for i, (a, b) in enumerate(zip(ticks, ticks[1:], strict=False)):
        if i == in_load:
            lines.append("   (the load ends: waiting for the backlog, then the follow-ups)")
        span = b.t - a.t
        lat = [x for done, x in loaded.data if a.t < done - loaded.started <= b.t]
        lines.append(f"{b.t:>8.0f}{(b.acked - a.acked) / span:>9.1f}{pct(lat, .5):>9.0f}{pct(lat, .99):>8.0f}"
                     f"{(b.processed - a.processed) / span:>13.1f}{(b.mails - a.mails) / span:>10.1f}"
                     f"{(b.web - a.web) / span:>7.1f}{f'{b.serve_kb / 1024:.0f} + {b.processor_kb / 1024:.0f}':>20}"
                     f"{b.load1:>7.2f}")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--sink":
        sink_main(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="the loaded phase (default 3)")
    parser.add_argument("--senders", type=int, default=4, help="concurrent SMTP connections (default 4)")
    parser.add_argument("--baseline", type=float, default=20.0, help="seconds without web readers (default 20)")
    parser.add_argument("--scheduler-interval", type=float,
                        help="seconds between scheduler passes (default: serve's own, 60)")
    parser.add_argument("--rate", type=float, help="messages a second in all (default: as fast as answered)")
    parser.add_argument("--deadline", type=float, default=1800,
                        help="seconds to wait for the backlog, and again for the follow-ups")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; PostgreSQL gets a fresh schema")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (and schema)")
    opts = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="load-held-"))
    url, drop = f"sqlite:///{workdir / 'intro.db'}", None
    if opts.database_url and make_url(opts.database_url).get_backend_name() != "sqlite":
        url, drop = fresh_postgres_schema(opts.database_url)
    elif opts.database_url:
        url = opts.database_url
    try:
        report = run(url, workdir, opts.minutes, opts.senders, opts.baseline, opts.scheduler_interval,
                     opts.deadline, opts.rate)
    finally:
        if drop is not None and not opts.keep:
            drop()
    print(f"load held: {opts.senders} senders for {opts.minutes:g} min while / and /api/tallies are read "
          f"and follow-ups go out; baseline {opts.baseline:g} s without readers")
    print(report.table())
    if failures := report.failures():
        print(f"FAILED: {', '.join(failures)}; working directory kept: {workdir}")
        sys.exit(1)
    if not opts.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
