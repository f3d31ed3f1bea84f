"""A processor whose `intro serve` was killed outright does not live on: it notices that
it is orphaned and leaves, so a restarted service never has two processors."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import free_port
from tests.helpers import environ, intro_command, wait_for_port


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # exited; waiting for whoever adopted it to reap it


def test_the_processor_leaves_when_serve_is_killed(tmp_path: Path) -> None:
    web, smtp = free_port(), free_port()
    env = environ(INTRO_SMTP_PORT=str(smtp), INTRO_WEB_PORT=str(web))
    serve = subprocess.Popen([*intro_command(), "serve"], cwd=tmp_path, env=env, text=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(smtp, proc=serve)
        wait_for_port(web, proc=serve)
        deadline = time.monotonic() + 30
        while not (processors := children(serve.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processors, "intro serve started no processor"
        serve.send_signal(signal.SIGKILL)  # the parent only, as the OOM killer would
        serve.wait(timeout=10)
        deadline = time.monotonic() + 30  # a generous deadline, not a measured time
        while not all(gone(pid) for pid in processors) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(gone(pid) for pid in processors), "the orphaned processor is still running"
    finally:
        if serve.poll() is None:
            serve.kill()
        for pid in children(serve.pid) if Path(f"/proc/{serve.pid}").exists() else []:
            os.kill(pid, signal.SIGKILL)
