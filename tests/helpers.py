"""Helpers for tests that run the real `intro` command."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def intro_command() -> list[str]:
    """The installed console script, as a user runs it."""
    beside = Path(sys.executable).parent / "intro"
    found = str(beside) if beside.exists() else shutil.which("intro")
    assert found, "the `intro` command is not installed (pip install -e '.[test]')"
    return [found]


def run_intro(*args: str, cwd: Path, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*intro_command(), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listening on port {port} after {timeout}s")


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        # As the servers do: a port whose last connection is in TIME_WAIT is still free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def environ(**settings: str) -> dict[str, str]:
    """This environment without any INTRO_* setting from the developer's shell, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTRO_")}
    env.update(settings)
    return env
