"""Sharing one embedded server between commands.

``reviewer serve`` keeps the model loaded and records its server in ``server.json`` in the
cache directory; every other command (``embedded_endpoint``) finds it there and reuses it, so
the model is loaded once and all commands share its slots. Only when none is running does a
process start a server of its own, shared by its users (``shared``) while any is open.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from reviewer.config import cache_root
from reviewer.local import write_json_atomic
from reviewer.local.server import LocalServer, model_ids
from reviewer.local.shared import shared_server
from reviewer.local.weights import cache_name, model_alias, resolve_model


@dataclass(frozen=True)
class ServerInfo:
    """What ``reviewer serve`` records so other commands can reuse its server."""

    pid: int
    port: int
    base_url: str
    model: str
    model_path: str
    log_path: str = ""
    slots: int = 1
    runtime: str = ""
    n_ctx: int = 0  # context per slot; 0 in a record written before it was kept


def state_path() -> Path:
    return cache_root() / "server.json"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_state() -> ServerInfo | None:
    try:
        return ServerInfo(**json.loads(state_path().read_text()))
    except (OSError, ValueError, TypeError):
        return None


def find_running(timeout: float = 2.0) -> ServerInfo | None:
    """The server ``reviewer serve`` started, if it is alive and answering; else None.

    A state file whose process is gone or does not answer is removed, so the next command
    does not trip over it. A live server that is busy with a completion (so ``/v1/models``
    times out) still counts: requests simply queue behind the current one.
    """
    path = state_path()
    if not path.exists():
        return None
    info = _read_state()
    if info is not None and _pid_alive(info.pid):
        try:
            ids = model_ids(info.base_url, timeout=timeout)
        except TimeoutError:
            return info
        if ids is not None and info.model in ids:
            return info
    path.unlink(missing_ok=True)
    return None


def serve(
    spec: str | None = None,
    *,
    n_ctx: int = 4096,
    n_threads: int | None = None,
    port: int | None = None,
    parallel: int | None = None,
    on_ready: Callable[[ServerInfo], None] | None = None,
) -> int:
    """Run the embedded server in the foreground until it exits or is interrupted.

    Records ``server.json`` while it runs (and removes it after) so other commands reuse the
    loaded model instead of starting their own. SIGTERM is turned into a normal exit so the
    child is stopped too. Returns the server's exit code (0 after Ctrl-C or SIGTERM).
    """
    path = resolve_model(spec)
    server = LocalServer(
        path,
        alias=model_alias(spec, path),
        n_ctx=n_ctx,
        n_threads=n_threads,
        port=port,
        keep_log=True,
        parallel=parallel,
    )
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        with server:
            assert server.process is not None and server.port is not None
            info = ServerInfo(
                pid=server.process.pid,
                port=server.port,
                base_url=server.base_url,
                model=server.model,
                model_path=str(path),
                log_path=str(server.log_path),
                slots=server.slots,
                runtime=server.runtime,
                n_ctx=server.n_ctx,
            )
            write_json_atomic(state_path(), asdict(info))
            try:
                if on_ready:
                    on_ready(info)
                return server.process.wait()
            except KeyboardInterrupt:
                return 0
            finally:
                if _read_state() == info:
                    state_path().unlink(missing_ok=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@dataclass(frozen=True)
class Served:
    """The embedded server a command talks to."""

    base_url: str
    model: str
    slots: int
    runtime: str
    n_ctx: int
    note: str = ""  # why a running ``reviewer serve`` was not reused
    cache_name: str = ""  # the model as cache keys name it (``weights.cache_name``)


@contextlib.contextmanager
def embedded_endpoint(
    spec: str | None = None, *, n_ctx: int = 4096, n_threads: int | None = None
) -> Iterator[Served]:
    """The local server for ``spec``: a ``reviewer serve`` server running the same model file
    with at least ``n_ctx`` tokens a slot when there is one (its slots are shared with every
    command using it), else this process's shared server (``shared``: started when none fits,
    stopped when its last user leaves). The repetition penalty travels with each request, so a
    reused server applies the same one.
    """
    path = resolve_model(spec)
    name = cache_name(spec, path)
    running = find_running()
    note = ""
    if running is not None and Path(running.model_path) == path:
        if running.n_ctx >= n_ctx:
            yield Served(running.base_url, running.model, running.slots, running.runtime,
                         running.n_ctx, cache_name=name)  # fmt: skip
            return
        note = (f"not reusing reviewer serve (pid {running.pid}): its slots hold "
                f"{running.n_ctx} tokens, this profile needs {n_ctx}")  # fmt: skip
    alias = model_alias(spec, path)
    with shared_server(path, alias=alias, n_ctx=n_ctx, n_threads=n_threads) as s:
        yield Served(s.base_url, s.model, s.slots, s.runtime, s.n_ctx, note, name)
