"""Group commit: concurrent arrivals are committed together, each sender answered once
its batch is durable.

One writer thread takes everything that arrived while the previous commit was running
and commits it in one transaction, so throughput is not bound by one fsync per message
while every 250 still follows a durable commit.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from intro.messages import Arrival

log = logging.getLogger(__name__)

# Commits ``arrivals`` in one transaction; returns each one's id, None for a duplicate.
StoreBatch = Callable[[list[Arrival]], list[int | None]]
_Pending = tuple[Arrival, asyncio.AbstractEventLoop, "asyncio.Future[int | None]"]


class GroupCommitter:
    def __init__(self, store_batch: StoreBatch, max_batch: int = 200) -> None:
        self._store_batch = store_batch
        self._max_batch = max_batch
        self._pending: list[_Pending] = []
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    async def store(self, arrival: Arrival) -> int | None:
        """Store one arrival; returns when it is durable (its id) or known as a duplicate (None)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int | None] = loop.create_future()
        with self._ready:
            if self._closed:
                raise RuntimeError("the server is shutting down")
            self._pending.append((arrival, loop, future))
            self._ready.notify()
        return await future

    def close(self) -> None:
        """Commit what is pending, then stop the writer."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._pending and not self._closed:
                    self._ready.wait()
                if not self._pending and self._closed:
                    return
                batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch:]
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            results: list[int | None | BaseException] = list(self._store_batch([a for a, _, _ in batch]))
        except Exception as e:
            if len(batch) == 1:
                results = [e]
            else:
                # One bad message must not make every sender in its batch retry forever:
                # commit them one by one, so only the one that fails gets the error.
                log.warning("a batch of %s failed to commit (%s); retrying one by one", len(batch), e)
                results = [self._one(a) for a, _, _ in batch]
        for (_, loop, future), result in zip(batch, results, strict=True):
            loop.call_soon_threadsafe(_settle, future, result)

    def _one(self, arrival: Arrival) -> int | None | BaseException:
        try:
            return self._store_batch([arrival])[0]
        except Exception as e:
            return e


def _settle(future: asyncio.Future[int | None], result: int | None | BaseException) -> None:
    if future.done():  # the client went away and the session was cancelled
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)
