"""Hostile clients against `intro serve`, phase by phase: the replies each gets, that the
server still takes an honest message after each phase, and its peak memory.

Phases: many connections at once (the connection limit), a pipelined flood of
recipients, garbage and overlong command lines, oversize messages, slow-loris clients
(the idle timeout), and a storm of short connections. The baseline for memory is the
server's resident size when idle, in the same run.

    .venv/bin/python bench/smtp_abuse.py [--connections 1000] [--oversize-mib 40]
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from smtp_ingest import SAMPLE, free_port, wait_for  # noqa: E402

SERVICE = "intro@localhost"


def rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident KiB of a process and its children."""
    now = peak = 0
    for p in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except FileNotFoundError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        now += int(fields.get("VmRSS", "0 kB").split()[0])
        peak += int(fields.get("VmHWM", "0 kB").split()[0])
    return now, peak


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def first_reply(sock: socket.socket) -> str:
    try:
        return sock.recv(512).decode(errors="replace")[:3] or "closed"
    except OSError:
        return "closed"


def honest(port: int, n: int) -> str:
    """One ordinary message: its reply code (the server must still serve after each phase)."""
    raw = SAMPLE.replace(b"<intro-1@", f"<abuse-honest-{n}@".encode())
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            client.sendmail("sam@example.com", [SERVICE], raw)
        return "250"
    except (smtplib.SMTPException, OSError) as e:
        return f"failed: {e}"


def many_connections(port: int, count: int) -> collections.Counter[str]:
    socks, codes = [], collections.Counter[str]()
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        except OSError:
            codes["connect refused"] += 1
            continue
        socks.append(sock)
        codes[first_reply(sock)] += 1
    for sock in socks:
        sock.close()
    return codes


def rcpt_flood(port: int, recipients: int) -> collections.Counter[str]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.recv(512)
    sock.sendall(b"EHLO flood\r\nMAIL FROM:<a@example.com>\r\n" + b"RCPT TO:<intro@localhost>\r\n" * recipients
                 + b"QUIT\r\n")
    data = b""
    while chunk := sock.recv(1 << 16):
        data += chunk
    sock.close()
    return collections.Counter(line[:3].decode() for line in data.splitlines())


def garbage(port: int, rounds: int) -> collections.Counter[str]:
    codes = collections.Counter[str]()
    lines = [b"X" * 10_000, b"\x00\xff\xfe\x80 nonsense", b"MAIL FROM:<" + b"a" * 5000 + b"@x>", b"HELO",
             b"DATA", b"RCPT TO:<>", b"EHLO " + b"z" * 2000, b"\r\n\r\n"]
    for _ in range(rounds):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.recv(512)
        for line in lines:
            try:
                sock.sendall(line + b"\r\n")
                codes[first_reply(sock)] += 1
            except OSError:
                codes["closed"] += 1
                break
        sock.close()
    return codes


def oversize(port: int, mib: int) -> collections.Counter[str]:
    codes = collections.Counter[str]()
    body = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * (mib * 1024)
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
            client.ehlo()
            client.mail("a@example.com")  # no SIZE declared: the limit is found during DATA
            client.rcpt(SERVICE)
            code, _ = client.data(body)
            codes[str(code)] += 1
    except smtplib.SMTPDataError as e:
        codes[str(e.smtp_code)] += 1
    except (smtplib.SMTPException, OSError) as e:
        codes[f"closed ({type(e).__name__})"] += 1
    return codes


def slow_loris(port: int, clients: int, seconds: float) -> collections.Counter[str]:
    """Clients that send a byte now and then, never a whole command: cut off by the idle timeout."""
    codes = collections.Counter[str]()
    socks = []
    for _ in range(clients):
        sock = socket.create_connection(("127.0.0.1", port), timeout=seconds + 30)
        sock.recv(512)
        socks.append(sock)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and socks:
        for sock in list(socks):
            try:
                sock.send(b"N")  # "NOOP", a letter at a time, never finished
            except OSError:
                codes["cut off"] += 1
                socks.remove(sock)
        time.sleep(1.0)
    for sock in socks:
        codes["still open at the end"] += 1
        sock.close()
    return codes


def storm(port: int, count: int, threads: int = 8) -> collections.Counter[str]:
    codes = collections.Counter[str]()
    lock = threading.Lock()

    def hammer(n: int) -> None:
        for _ in range(n):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                    reply = first_reply(sock)
                    sock.sendall(b"QUIT\r\n")
            except OSError:
                reply = "connect failed"
            with lock:
                codes[reply] += 1

    workers = [threading.Thread(target=hammer, args=(count // threads,)) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--oversize-mib", type=int, default=40)
    parser.add_argument("--loris", type=int, default=100)
    parser.add_argument("--storm", type=int, default=5000)
    args = parser.parse_args()
    smtp, web = free_port(), free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("INTRO_")},
               "INTRO_SMTP_PORT": str(smtp), "INTRO_WEB_PORT": str(web), "INTRO_LOG_LEVEL": "WARNING",
               "INTRO_SMTP_IDLE_TIMEOUT": "10s", "INTRO_TRUST_ON_NONE": "accept"}
        server = subprocess.Popen([str(Path(sys.executable).with_name("intro")), "serve"], cwd=folder, env=env)
        try:
            wait_for(smtp)
            wait_for(web)
            time.sleep(2)  # the processor child starts
            idle, _ = rss_kib(server.pid)
            print(f"intro serve: {idle / 1024:.0f} MiB resident when idle (serve and its processor)\n")
            print(f"{'phase':<44}{'replies':<44}{'honest after':<14}{'RSS MiB':>8}")
            phases = [
                (f"{args.connections} connections at once (limit 200)",
                 lambda: many_connections(smtp, args.connections)),
                (f"{args.recipients:,} pipelined RCPT (limit 50)", lambda: rcpt_flood(smtp, args.recipients)),
                ("garbage and overlong lines, 50 clients", lambda: garbage(smtp, 50)),
                (f"a {args.oversize_mib} MiB message (limit 25 MiB)", lambda: oversize(smtp, args.oversize_mib)),
                (f"{args.loris} slow-loris clients, 30 s (idle 10 s)", lambda: slow_loris(smtp, args.loris, 30)),
                (f"{args.storm} short connections, 8 threads", lambda: storm(smtp, args.storm)),
            ]
            alive = True
            for n, (name, attack) in enumerate(phases):
                codes = attack()
                after = honest(smtp, n)
                alive &= after == "250" and server.poll() is None
                now, _ = rss_kib(server.pid)
                shown = ", ".join(f"{code}: {count}" for code, count in sorted(codes.items()))
                print(f"{name:<44}{shown[:43]:<44}{after:<14}{now / 1024:>8.0f}")
            _, peak = rss_kib(server.pid)
            print(f"\npeak RSS (VmHWM, serve + processor): {peak / 1024:.0f} MiB; idle {idle / 1024:.0f} MiB; "
                  f"ratio {peak / idle:.1f}")
            print(f"server up and serving after every phase: {'yes' if alive else 'NO'}")
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    if not alive:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
