"""Real faults for tests: a TCP proxy that can be cut and restored, a small filesystem that
fills up, and waiting with a generous deadline."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f}s: {what}")
        time.sleep(0.05)


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to ``target``, one thread per direction of each connection.

    ``cut()`` is the server going away: every open connection is dropped and new ones are
    refused (nothing listens on the port). ``restore()`` listens on the same port again.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._lock = threading.Lock()
        self._connections: list[tuple[socket.socket, socket.socket]] = []
        self._pumps: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._stop = threading.Event()
        self.accepted = 0  # connections forwarded so far
        self.restore()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cut()

    @property
    def up(self) -> bool:
        return self._listener is not None

    def restore(self) -> None:
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.1)  # so that the acceptor notices cut() soon
        self.port = listener.getsockname()[1]
        self._stop = threading.Event()
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept, args=(listener, self._stop), name="proxy-accept",
                                          daemon=True)
        self._acceptor.start()

    def cut(self) -> None:
        """Drop every connection and refuse new ones; returns once all of it is done."""
        if self._listener is not None:
            self._stop.set()
            if self._acceptor is not None:
                self._acceptor.join(timeout=10)
            self._listener.close()
            self._listener = None
        with self._lock:
            connections, self._connections = self._connections, []
            pumps, self._pumps = self._pumps, []
        for pair in connections:
            _drop(pair)
        for pump in pumps:
            pump.join(timeout=10)

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            pair = (client, upstream)
            pumps = [threading.Thread(target=_pump, args=(a, b, pair), name="proxy-pump", daemon=True)
                     for a, b in ((client, upstream), (upstream, client))]
            with self._lock:
                if stop.is_set():  # cut() has already taken the list: do not leave this one open
                    _drop(pair)
                    return
                self._connections.append(pair)
                self._pumps.extend(pumps)
                self.accepted += 1
            for pump in pumps:
                pump.start()


def _pump(source: socket.socket, sink: socket.socket, pair: tuple[socket.socket, socket.socket]) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    _drop(pair)


def _drop(pair: tuple[socket.socket, socket.socket]) -> None:
    # shutdown() wakes a thread blocked in recv() on the socket; close() alone would not.
    for s in pair:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


@contextmanager
def small_filesystem(where: Path, size: str = "8m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where``, unmounted afterwards (lazily if still busy).

    Raises OSError when mounting is not allowed here (not root, or no CAP_SYS_ADMIN)."""
    where.mkdir(parents=True, exist_ok=True)
    if _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)) != 0:
        raise OSError(f"could not mount a tmpfs at {where}")
    try:
        yield where
    finally:
        if _run("umount", str(where)) != 0:
            _run("umount", "-l", str(where))


def fill(folder: Path) -> Path:
    """Write a file in ``folder`` until its filesystem has no space left; return the file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        block = b"\0" * 65536
        while True:
            try:
                os.write(fd, block)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                if len(block) == 1:
                    break
                block = block[: len(block) // 2]  # fill the last few bytes too
    finally:
        os.close(fd)
    return filler


def _run(*command: str) -> int:
    try:
        return subprocess.run(command, capture_output=True, timeout=30, check=False).returncode
    except (OSError, subprocess.TimeoutExpired):
        return -1
