"""One embedded server per process, shared by every ``Reviewer`` in it.

A notebook or an application makes several reviewers (sync and async, one per cell or per
request); each starting its own server would load the model again and fight over the same
cores. So servers this process starts are kept here by (model file, tokens a slot): a reviewer
asking for the same model with a slot no larger than a running one's uses that one, and a
server stops when its last user closes (and at interpreter exit, by ``server``'s atexit hook,
for users that never close). Another process shares a server through ``reviewer serve``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reviewer.local.server import LocalServer


@dataclass
class _Entry:
    server: LocalServer
    users: int = 0


_servers: dict[tuple[Path, int], _Entry] = {}
_lock = threading.Lock()  # held while a server starts: a second user waits for it, not a twin


def _alive(server: LocalServer) -> bool:
    return server.process is not None and server.process.poll() is None


def _find(path: Path, n_ctx: int) -> _Entry | None:
    """A running server of ``path`` whose slots hold ``n_ctx`` tokens (the smallest such)."""
    for key, entry in sorted(_servers.items(), key=lambda item: item[0][1]):
        if not _alive(entry.server):  # died, or stopped at exit: forget it
            entry.server.stop()
            del _servers[key]
        elif key[0] == path and key[1] >= n_ctx:
            return entry
    return None


def acquire(path: Path, *, alias: str, n_ctx: int, n_threads: int | None = None) -> LocalServer:
    """A running server of the model file ``path`` with at least ``n_ctx`` tokens a slot,
    started when this process has none; pair every call with ``release``."""
    with _lock:
        entry = _find(path, n_ctx)
        if entry is None:
            server = LocalServer(path, alias=alias, n_ctx=n_ctx, n_threads=n_threads).start()
            entry = _servers[(path, n_ctx)] = _Entry(server)
        entry.users += 1
        return entry.server


def release(server: LocalServer) -> None:
    """One user fewer; the last one out stops the server."""
    with _lock:
        for key, entry in list(_servers.items()):
            if entry.server is server:
                entry.users -= 1
                if entry.users > 0:
                    return
                del _servers[key]
                break
    server.stop()


@contextlib.contextmanager
def shared_server(
    path: Path, *, alias: str, n_ctx: int, n_threads: int | None = None
) -> Iterator[LocalServer]:
    """``acquire`` for the duration of a block."""
    server = acquire(path, alias=alias, n_ctx=n_ctx, n_threads=n_threads)
    try:
        yield server
    finally:
        release(server)


def users(server: LocalServer) -> int:
    """How many open users share ``server`` (0: not one of this process's shared servers)."""
    with _lock:
        return next((e.users for e in _servers.values() if e.server is server), 0)
