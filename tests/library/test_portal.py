"""Sync calls from anywhere (``reviewer.library.portal``): a loop of their own where none runs, a
private loop in a worker thread where one does; results, errors, context variables and early
exits cross over, and interrupting the wait cancels the work."""

from __future__ import annotations

import asyncio
import contextvars
import signal
import threading
import time
from collections.abc import AsyncGenerator, Callable
from typing import Any

import pytest

from reviewer.library.portal import Portal, loop_running, run_sync

REQUEST = contextvars.ContextVar("request", default="none")


async def where() -> tuple[str, str]:
    """The thread the work ran on and the context variable it saw."""
    await asyncio.sleep(0)
    return threading.current_thread().name, REQUEST.get()


def inside_a_loop(call: Callable[[], Any]) -> Any:
    """``call()`` made from a coroutine, as a notebook cell or a request handler makes it."""

    async def handler() -> Any:
        assert loop_running()
        return call()

    return asyncio.run(handler())


def test_without_a_loop_the_work_runs_in_the_calling_thread() -> None:
    token = REQUEST.set("r1")
    try:
        assert run_sync(where()) == (threading.current_thread().name, "r1")
    finally:
        REQUEST.reset(token)


def test_inside_a_loop_the_work_runs_on_a_private_loop_in_a_worker() -> None:
    token = REQUEST.set("r2")  # a request id for logging, say: it reaches the work
    try:
        assert inside_a_loop(lambda: run_sync(where())) == ("reviewer-loop", "r2")
    finally:
        REQUEST.reset(token)


def test_errors_cross_over_unchanged() -> None:
    class Odd(Exception):
        pass

    async def fails() -> None:
        raise Odd("from the worker")

    with pytest.raises(Odd, match="from the worker"):
        inside_a_loop(lambda: run_sync(fails()))


@pytest.mark.parametrize("in_loop", [False, True])
def test_leaving_an_iteration_early_closes_the_stream(in_loop: bool) -> None:
    closed: list[int] = []

    async def numbers() -> AsyncGenerator[int, None]:
        try:
            for n in range(10):
                yield n
        finally:
            closed.append(n)

    def first_three() -> list[int]:
        with Portal() as portal:
            taken = []
            for n in portal.iterate(numbers()):
                taken.append(n)
                if n == 2:
                    break
            return taken

    taken = inside_a_loop(first_three) if in_loop else first_three()
    assert taken == [0, 1, 2] and closed == [2]


def test_interrupting_the_wait_cancels_the_work() -> None:
    """Ctrl-C in a notebook cell waiting on a sync call: the call's work stops too."""
    cancelled = threading.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    def interrupt(*_args: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            inside_a_loop(lambda: run_sync(slow()))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 5
    assert cancelled.is_set()
