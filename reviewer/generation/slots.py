"""Client-side slots for servers that generate a fixed number of requests at a time.

A server such as the embedded llama.cpp one works on ``slots`` requests at once and queues the
rest. A request waiting in that queue spends its timeout there, times out, is retried, and the
server still generates the abandoned answer: the cascade that sank long batches. So requests
wait here instead, for a free slot, and only then go out; the request timeout then measures
service time alone.

Slots are lock files (``flock``) in the cache directory, keyed by the endpoint's URL, so every
process that talks to one server (a ``reviewer serve`` shared by several commands) shares its
slots, and a process that dies frees its slots with it. Where ``fcntl`` is missing the gate is
per process only.

Lock files are created as open as the umask allows (``0o666 & ~umask``), so another user's
command sharing the server can take a slot; a file it may only read is locked through a
read-only descriptor (``flock`` needs no write access). When the folder or a lock file cannot
be opened at all (``PermissionError``), the process runs without the shared gate, at most
``slots`` of its own requests at once, and says so once in a warning: sharing is lost, the run
is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

from reviewer.config import cache_root

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

POLL_SECONDS = 0.05
log = logging.getLogger(__name__)


def slot_dir(key: str) -> Path:
    """Where the lock files of the server at ``key`` (its base URL) live."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_root() / "slots" / digest


def _open_lock(path: Path) -> int:
    """The lock file, made if missing (``0o666``: the umask decides who else may open it);
    read-only when another user's file may only be read."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:
        return os.open(path, os.O_RDONLY)


class SlotGate:
    """At most ``slots`` requests in flight to one server, across processes."""

    def __init__(self, slots: int, key: str, directory: Path | None = None) -> None:
        if slots < 1:
            raise ValueError("a server has at least one slot")
        self.slots = slots
        self.directory = directory or slot_dir(key)
        self._local = asyncio.Semaphore(slots)  # this process never polls for more than it may hold
        self._made = False
        self._shared: bool | None = None  # False once the lock files proved unusable

    def _try_lock(self) -> int | None:
        """A descriptor holding one free slot's lock, None when all are taken elsewhere, or -1
        without the shared gate (no ``fcntl``, or lock files this user cannot open)."""
        if fcntl is None or self._shared is False:
            return -1
        try:
            if not self._made:  # once, not on every poll
                self.directory.mkdir(parents=True, exist_ok=True)
                self._made = True
            for n in range(self.slots):
                fd = _open_lock(self.directory / f"slot-{n}.lock")
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                return fd
        except PermissionError as exc:
            self._shared = False
            log.warning(
                "cannot use the shared slot locks in %s (%s): this process keeps to its own "
                "%d slot(s), and other commands using the same server are not counted",
                self.directory,
                exc.strerror or exc,
                self.slots,
            )
            return -1
        return None

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        """Hold one slot for the block; yields the seconds spent waiting for it."""
        started = time.monotonic()
        async with self._local:
            while (fd := self._try_lock()) is None:
                await asyncio.sleep(POLL_SECONDS)
            try:
                yield time.monotonic() - started
            finally:
                if fd >= 0:
                    os.close(fd)  # closing the descriptor releases its flock
