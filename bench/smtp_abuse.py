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
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import hostile_mime  # noqa: E402
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


def mass_mail(port: int, folder: str, addresses: int) -> collections.Counter[str]:
    """One unsigned message to ``addresses`` people, "let me introduce you to each other":
    taken, and, once processed, no follow-up scheduled for anyone."""
    to = ",\r\n ".join(f"Person {i} <p{i}@victims{i % 7}.example>" for i in range(addresses))
    raw = (f"From: Click https://evil.example/x <b@attacker.example>\r\nTo: {to}\r\nCc: {SERVICE}\r\n"
           f"Subject: Intro: you should all meet\r\nMessage-ID: <mass@attacker.example>\r\n\r\n"
           f"Let me introduce you to each other: you should all meet.\r\n").encode()
    found: collections.Counter[str] = collections.Counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.sendmail("b@attacker.example", [SERVICE], raw)
        found["250"] += 1
    settled(folder, 1)
    mailed = count(folder, "SELECT count(*) FROM followups f JOIN introduction_parties p ON f.party_id = p.id "
                           "JOIN people w ON p.person_id = w.id WHERE w.email LIKE '%victims%'")
    found[f"follow-ups to them: {mailed}"] += 1
    return found


def count(folder: str, query: str) -> int:
    with sqlite3.connect(f"file:{folder}/intro.db?mode=ro", uri=True) as db:
        return int(db.execute(query).fetchone()[0])


def settled(folder: str, _messages: int, timeout: float = 600) -> None:
    """Wait until no message is waiting to be processed (``_messages`` were sent)."""
    deadline = time.monotonic() + timeout
    while count(folder, "SELECT count(*) FROM inbound_messages WHERE status = 'new'") and time.monotonic() < deadline:
        time.sleep(0.2)


def hostile(port: int, folder: str, at_once: int, server: int) -> list[str]:
    """The hostile messages of bench/hostile_mime.py, one at a time (each processed before
    the next goes), then ``at_once`` of them over as many connections together: per
    message, how long processing took; the peaks of the processor and of `intro serve`."""
    lines = []
    for name, raw in hostile_mime.messages():
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
            client.sendmail("m@attacker.example", [SERVICE], raw)
        started = time.monotonic()
        settled(folder, 1)
        tag = name.split("_")[-1]
        status = count(folder, "SELECT count(*) FROM inbound_messages WHERE status = 'processed' AND "
                               f"message_id LIKE 'hostile-{tag}%'")
        lines.append(f"  {name:<16}{len(raw) / 2**20:>6.1f} MiB   processed in {time.monotonic() - started:>5.1f} s"
                     f"   {'processed' if status else 'NOT processed'}")
    one_at_a_time = peaks(server)
    raws = [raw.replace(b"Message-ID: <hostile-", f"Message-ID: <again{n}-".encode())
            for n, (_, raw) in enumerate(list(hostile_mime.messages()) * (at_once // 6 + 1))][:at_once]
    threads = [threading.Thread(target=_send, args=(port, raw)) for raw in raws]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    settled(folder, at_once)
    together = peaks(server)
    lines.append(f"  peaks, one at a time: intro serve {one_at_a_time[0]:.0f} MiB, its processor "
                 f"{one_at_a_time[1]:.0f} MiB")
    lines.append(f"  peaks, {at_once} at once:   intro serve {together[0]:.0f} MiB, its processor "
                 f"{together[1]:.0f} MiB")
    return lines


def _send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=300) as client:
        client.sendmail("m@attacker.example", [SERVICE], raw)


def peaks(pid: int) -> tuple[float, float]:
    """(`intro serve` itself: SMTP, web and scheduler; its processor child), peak MiB so far."""
    alone = max((rss_kib_one(c) for c in children(pid)), default=0)
    return rss_kib_one(pid) / 1024, alone / 1024


def rss_kib_one(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields.get("VmHWM", "0 kB").split()[0])


def serve(folder: str, **settings: str) -> tuple[subprocess.Popen[bytes], int, int]:
    """`intro serve` in ``folder``, unsigned mail accepted (as an attacker finds a permissive
    deployment); its process, SMTP port and resident KiB once idle."""
    smtp, web = free_port(), free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("INTRO_")},
           "INTRO_SMTP_PORT": str(smtp), "INTRO_WEB_PORT": str(web), "INTRO_LOG_LEVEL": "WARNING",
           "INTRO_TRUST_ON_NONE": "accept", **settings}
    server = subprocess.Popen([str(Path(sys.executable).with_name("intro")), "serve"], cwd=folder, env=env)
    wait_for(smtp)
    wait_for(web)
    time.sleep(2)  # the processor child starts
    return server, smtp, rss_kib(server.pid)[0]


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--oversize-mib", type=int, default=40)
    parser.add_argument("--loris", type=int, default=100)
    parser.add_argument("--storm", type=int, default=5000)
    parser.add_argument("--mass", type=int, default=1000, help="addresses in the mass-mail phase")
    parser.add_argument("--at-once", type=int, default=12, help="hostile messages sent together")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server, smtp, idle = serve(folder, INTRO_SMTP_IDLE_TIMEOUT="10s")
        try:
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
        finally:
            stop(server)
    # Mail phases on a fresh server with the default idle timeout (a 25 MiB DATA may take
    # longer than 10 s), so that their memory figures are theirs alone.
    with tempfile.TemporaryDirectory() as folder:
        server, smtp, idle = serve(folder)
        try:
            codes = mass_mail(smtp, folder, args.mass)
            shown = ", ".join(f"{code}: {n}" if code == "250" else code for code, n in sorted(codes.items()))
            after = honest(smtp, 99)
            alive &= after == "250" and server.poll() is None
            print(f"\n{f'one message to {args.mass:,} addresses':<44}{shown:<44}{after:<14}"
                  f"{rss_kib(server.pid)[0] / 1024:>8.0f}")
            print(f"\nhostile MIME, about 25 MiB each (bench/hostile_mime.py; idle {idle / 1024:.0f} MiB):")
            print("\n".join(hostile(smtp, folder, args.at_once, server.pid)))
            alive &= honest(smtp, 100) == "250" and server.poll() is None
        finally:
            stop(server)
    print(f"server up and serving after every phase: {'yes' if alive else 'NO'}")
    if not alive:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
