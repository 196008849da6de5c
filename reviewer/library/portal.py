"""Sync calls that work anywhere, inside a running event loop too.

A sync method cannot ``asyncio.run`` its coroutine where a loop already runs (a Jupyter cell,
a FastAPI handler): Python refuses to nest loops, and patching the running loop to allow it
(nest_asyncio) changes it under every other task on it. So when a loop runs in the calling
thread, the coroutine runs on a private loop in a worker thread while the caller waits;
otherwise on a loop of its own in the calling thread, as ``asyncio.run`` does.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine, Generator
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")


def loop_running() -> bool:
    """Whether an event loop runs in this thread (then ``asyncio.run`` would refuse)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Portal:
    """Runs coroutines to completion from sync code, all on one loop for the portal's life.

    ``background=True`` puts that loop in a worker thread even where no loop runs, so tasks a
    call started go on between calls (a stream's papers in flight, while its consumer handles
    the last result); otherwise they wait for the next call.
    """

    def __init__(self, *, background: bool = False) -> None:
        self._runner: asyncio.Runner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        if background or loop_running():
            self._start_worker()
        else:
            self._runner = asyncio.Runner()

    def _start_worker(self) -> None:
        ready = threading.Event()

        def serve() -> None:
            with asyncio.Runner() as runner:  # on exit: cancels what is left, as asyncio.run
                self._loop = runner.get_loop()
                ready.set()
                self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="reviewer-loop", daemon=True)
        self._thread.start()
        ready.wait()

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """``coro``'s result (or exception); interrupting the wait cancels it."""
        if self._runner is not None:
            return self._runner.run(coro)
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except BaseException:  # Ctrl-C in the waiting thread: the work stops too
            future.cancel()
            raise

    def iterate(self, stream: AsyncGenerator[T, None]) -> Generator[T, None, None]:
        """``stream``'s items, one call each; leaving early closes it (its ``finally`` runs)."""
        try:
            while True:
                item = self.call(_next(stream))
                if isinstance(item, _End):
                    return
                yield item
        finally:
            self.call(stream.aclose())

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()
        elif self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()

    def __enter__(self) -> Portal:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _End:
    """What ``_next`` returns at the end (a coroutine cannot pass StopAsyncIteration on)."""


async def _next(stream: AsyncIterator[T]) -> T | _End:
    try:
        return await anext(stream)
    except StopAsyncIteration:
        return _End()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from sync code, wherever that code runs."""
    with Portal() as portal:
        return portal.call(coro)
