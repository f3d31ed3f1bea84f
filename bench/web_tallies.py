"""Response times of the public page and /api/tallies for a big campaign, over real HTTP.

Seeds (once) a SQLite database with `intro demo seed` (default: 1,000,000 introductions
by 10,000 participants), runs `intro web` (waitress) on it in its own process, and times
sequential requests with a fresh connection each. The baseline, in the same run, is
/healthz: one trivial database round trip through the same server, the floor any page
pays. Target (issue 5): median under 50 ms, and no request over 200 ms.

    .venv/bin/python bench/web_tallies.py [--database /tmp/intro-1m.db] [--requests 200]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from smtp_ingest import free_port  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from intro import counts  # noqa: E402
from intro.campaigns import campaign_id_for  # noqa: E402
from intro.db import make_engine, transaction  # noqa: E402
from intro.models import Campaign  # noqa: E402

INTRO = str(Path(sys.executable).with_name("intro"))


def seed(database: Path, intros: int, participants: int) -> None:
    if database.exists():
        print(f"using the campaign already in {database}")
        return
    print(f"seeding {intros:,} introductions by {participants:,} participants into {database} ...", flush=True)
    started = time.perf_counter()
    subprocess.run([INTRO, "demo", "seed", "--intros", str(intros), "--participants", str(participants)],
                   env=_env(database), check=True)
    print(f"seeded in {time.perf_counter() - started:.0f} s")


def _env(database: Path, port: int | None = None) -> dict[str, str]:
    # Seeding serves nothing: no port (0 is not a valid setting).
    web = {"INTRO_WEB_PORT": str(port)} if port else {}
    return {**os.environ, "INTRO_DATABASE_URL": f"sqlite:///{database}", "INTRO_LOG_LEVEL": "warning", **web}


def get(port: int, path: str) -> float:
    """Seconds for one request on a new connection, until the whole body has arrived."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    elapsed = time.perf_counter() - started
    if response.status != 200 or not body:
        raise RuntimeError(f"GET {path}: {response.status}")
    return elapsed


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("intro web exited")
        try:
            get(port, "/healthz")
            return
        except (OSError, RuntimeError):
            time.sleep(0.1)
    raise RuntimeError("intro web did not answer within a minute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, default=Path("/tmp/intro-bench-1m.db"))
    parser.add_argument("--intros", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="per path")
    args = parser.parse_args()
    seed(args.database, args.intros, args.participants)
    port = free_port()
    server = subprocess.Popen([INTRO, "web"], env=_env(args.database, port))
    try:
        wait_until_up(port, server)
        paths = ("/healthz", "/", "/?page=50", "/api/tallies")
        for path in paths:  # warm up: first connections, templates compiled, pages in the OS cache
            for _ in range(5):
                get(port, path)
        steady: dict[str, list[float]] = {path: [] for path in paths}
        for _ in range(args.requests):  # interleaved, so a noisy moment hits every path alike
            for path in paths:
                steady[path].append(get(port, path))
        # The worst case: the campaign changes before every request (another process
        # records an introduction, someone joins), so every request counts the figures anew.
        engine = make_engine(f"sqlite:///{args.database}")
        changing: dict[str, list[float]] = {path: [] for path in paths[1:]}
        for _ in range(max(args.requests // 4, 10)):
            for path in changing:
                with transaction(engine, write=True) as session:
                    counts.changed(session, campaign_id_for(session, year_of(session)))
                changing[path].append(get(port, path))
    finally:
        server.terminate()
        server.wait(timeout=30)
    floor = statistics.median(steady["/healthz"])
    met = report(f"{args.requests} requests per path, one at a time, each on a new connection", steady, floor)
    met &= report("the same, with a change to the campaign before every request (figures counted anew each time)",
                  changing, floor)
    print(f"\ntarget (median < 50 ms, none over 200 ms): {'met' if met else 'NOT met'}")


def year_of(session: Session) -> int:
    return int(session.scalar(select(func.max(Campaign.year))) or 0)


def report(title: str, times: dict[str, list[float]], floor: float) -> bool:
    print(f"\n{title}")
    print(f"{'path':<16}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}{'x healthz':>11}")
    met = True
    for path, seconds in times.items():
        seconds.sort()
        median, p95, worst = statistics.median(seconds), seconds[int(len(seconds) * 0.95) - 1], seconds[-1]
        print(f"{path:<16}{median * 1000:>11.1f}{p95 * 1000:>9.1f}{worst * 1000:>9.1f}{median / floor:>11.1f}")
        if path != "/healthz":
            met &= median < 0.050 and worst < 0.200
    return met


if __name__ == "__main__":
    main()
