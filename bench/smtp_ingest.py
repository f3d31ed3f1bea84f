"""SMTP ingest throughput of `intro serve` against a bare aiosmtpd server, in one run.

Both servers run as separate processes on this machine and get the same messages from
the same client: several sender processes, each either opening one connection per
message or sending many messages per connection. The figure that matters is the ratio
(intro / bare): machines are noisy, the ratio much less so.

    .venv/bin/python bench/smtp_ingest.py [--messages 2000] [--senders 4]

The full service's figure counts a message when its 250 arrives, that is once it is
durably committed; the script also reports how long the processor took to classify
every stored message afterwards (it works in the background, off the SMTP path).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "tests" / "data" / "plain_introduction.eml").read_bytes().replace(b"\n", b"\r\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listening on {port}")


def message(tag: int, n: int) -> bytes:
    """A distinct introduction each time: its own Message-ID, people and subject."""
    return (SAMPLE.replace(b"<intro-1@", f"<bench-{tag}-{n}@".encode())
            .replace(b"dana@", f"dana{n}@".encode()).replace(b"lee@", f"lee{n}@".encode())
            .replace(b"Subject: Dana, meet Lee", f"Subject: Dana, meet Lee ({n})".encode()))


def send(args: tuple[int, int, int, int, bool]) -> list[float]:
    """One sender: messages [first, first+count) to port; returns each message's latency."""
    port, first, count, tag, per_connection = args
    latencies = []
    client = None
    for n in range(first, first + count):
        body = message(tag, n)
        start = time.perf_counter()
        if client is None:
            client = smtplib.SMTP("127.0.0.1", port)
        client.sendmail("sam@example.com", ["intro@localhost"], body)
        if per_connection:
            client.quit()
            client = None
        latencies.append(time.perf_counter() - start)
    if client is not None:
        client.quit()
    return latencies


def run(port: int, messages: int, senders: int, per_connection: bool, tag: int) -> dict[str, float]:
    share = messages // senders
    jobs = [(port, i * share, share, tag, per_connection) for i in range(senders)]
    start = time.perf_counter()
    with multiprocessing.Pool(senders) as pool:
        latencies = sorted(x for part in pool.map(send, jobs) for x in part)
    elapsed = time.perf_counter() - start
    return {
        "messages": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def start_bare(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_smtp.py"), str(port)])
    wait_for(port)
    return proc


def start_intro(port: int, workdir: str) -> subprocess.Popen[bytes]:
    intro = shutil.which("intro", path=str(Path(sys.executable).parent)) or "intro"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("INTRO_")},
           "INTRO_SMTP_PORT": str(port), "INTRO_WEB_PORT": str(free_port()), "INTRO_LOG_LEVEL": "WARNING",
           # As measured before unknown senders and floods were held by default.
           "INTRO_TRUST_ON_NONE": "accept", "INTRO_TRUST_FOLLOWUPS_PER_HOUR": "0"}
    proc = subprocess.Popen([intro, "serve"], cwd=workdir, env=env)
    wait_for(port)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)


def drain(workdir: str, timeout: float = 600) -> float:
    """Seconds until the processor has classified every stored message."""
    import sqlite3

    db = sqlite3.connect(os.path.join(workdir, "intro.db"))
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if db.execute("SELECT count(*) FROM inbound_messages WHERE status = 'new'").fetchone()[0] == 0:
            return time.perf_counter() - start
        time.sleep(0.1)
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=4)
    opts = parser.parse_args()
    results = {}
    for mode, per_connection in (("one message per connection", True), ("many per connection", False)):
        bare_port, intro_port = free_port(), free_port()
        bare = start_bare(bare_port)
        try:
            run(bare_port, opts.senders * 20, opts.senders, per_connection, 0)  # warm up
            base = run(bare_port, opts.messages, opts.senders, per_connection, 1)
        finally:
            stop(bare)
        with tempfile.TemporaryDirectory() as workdir:
            intro = start_intro(intro_port, workdir)
            try:
                run(intro_port, opts.senders * 20, opts.senders, per_connection, 0)
                full = run(intro_port, opts.messages, opts.senders, per_connection, 1)
                full["processed_all_after_s"] = drain(workdir)
            finally:
                stop(intro)
        results[mode] = {"bare": base, "intro": full, "ratio": full["per_second"] / base["per_second"]}
        print(f"{mode}: bare {base['per_second']:.0f}/s, intro {full['per_second']:.0f}/s, "
              f"ratio {results[mode]['ratio']:.2f}; intro p50 {full['p50_ms']:.1f} ms, p99 {full['p99_ms']:.1f} ms; "
              f"all classified {full['processed_all_after_s']:.1f} s after the last 250", flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
