"""The embedded model's server process: started on loopback, always stopped again.

``LocalServer`` runs llama.cpp's own server (parallel slots, continuous batching) from the
prebuilt runtime (``reviewer.local.runtime``), or a user's own ``llama-server`` program when
``REVIEWER_LLAMA_SERVER`` names one, as a child process in its own process group. It waits
until the server answers, keeps the log for a server that died, and stops the child on exit, on
exceptions, on Ctrl-C, at interpreter exit and (on Linux) when its owner is killed. How the
server's threads wait is chosen from the machine's load right now.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from reviewer.config import cache_root
from reviewer.errors import LocalModelError
from reviewer.local import INSTALL_HINT, runtime

# Slots of llama.cpp's server: reviews generated at once. One: on 2 cores a second slot made
# each review take too long for what it added (benchmarks/RESULTS.md, "Embedded batches").
# `reviewer serve --parallel 2` opts in.
DEFAULT_PARALLEL = 1
PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)

# Servers this process started: stopped at interpreter exit if their owner did not.
_live: set[LocalServer] = set()
_live_lock = threading.Lock()


def _stop_all() -> None:
    with _live_lock:
        servers = list(_live)
    for server in servers:
        server.stop()


atexit.register(_stop_all)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def model_ids(base_url: str, timeout: float) -> list[str] | None:
    """The ids ``GET /v1/models`` lists, or None if nothing usable answers.

    Raises ``TimeoutError`` when the port accepts but does not reply in time ("busy": a server
    whose HTTP threads are all taken still counts as running).
    """
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=timeout) as resp:
            data = json.load(resp)
        return [str(m.get("id")) for m in data.get("data", [])]
    except TimeoutError:
        raise
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise TimeoutError(str(exc)) from exc
        return None
    except (OSError, ValueError, AttributeError):
        return None


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat; None elsewhere."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _machine_busy(window: float = 1.0) -> bool:
    """Whether other work holds at least half the cores right now (measured over ``window``).

    Decides how llama.cpp's OpenMP threads wait at barriers: spin briefly (the runtime's
    default) on an idle machine, sleep at once (OMP_WAIT_POLICY=PASSIVE) on a busy one: each
    is the faster one there (benchmarks/RESULTS.md, "Embedded model"). The CPU use of the last
    second decides, not the 1-minute load average, which stays high for minutes after an
    install. A user's own OMP_WAIT_POLICY always wins."""
    before = _cpu_ticks()
    if before is None:
        return os.getloadavg()[0] >= 0.5 * (os.cpu_count() or 1)
    time.sleep(window)
    after = _cpu_ticks()
    assert after is not None
    busy, total = after[0] - before[0], after[1] - before[1]
    return total > 0 and busy / total >= 0.5


def find_llama_server() -> Path | None:
    """A user's own llama.cpp server program, when ``REVIEWER_LLAMA_SERVER`` names one (a
    native build, say); None means the prebuilt runtime serves the model."""
    env = os.environ.get("REVIEWER_LLAMA_SERVER")
    if not env:
        return None
    path = Path(env).expanduser()
    if not path.is_file():
        raise LocalModelError(f"REVIEWER_LLAMA_SERVER={env}: no such file")
    return path


def default_threads() -> int:
    """The cores this process may run on (its affinity mask, so a cpuset or ``taskset`` is
    respected), not every core of the machine."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _log_tail(path: Path, lines: int = 20) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - 8192))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, have the kernel kill the server if its owner dies without cleaning up
    (``kill -9``). The signal fires when the *thread* that started the child exits, so it is
    only armed from the main thread, whose exit is the process's."""
    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    parent = os.getpid()

    def arm() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the owner died before the signal was armed
            os._exit(1)

    return arm


class LocalServer:
    """The embedded model's server on a free loopback port for the duration of a ``with`` block.

    llama.cpp's server with ``parallel`` slots: the prebuilt runtime's, or the program
    ``find_llama_server`` names. The child runs in its own process group and is stopped
    (terminate, wait, kill) on exit, on exceptions and Ctrl-C, and at interpreter exit, so no
    server outlives its owner.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        alias: str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        port: int | None = None,
        startup_timeout: float = 120.0,
        log_path: Path | None = None,
        keep_log: bool = False,
        extra_args: Sequence[str] = (),
        parallel: int | None = None,
        program: Path | None | bool = True,
    ) -> None:
        """``n_ctx``: context per slot; ``parallel``: slots (default ``DEFAULT_PARALLEL``);
        ``program``: True uses ``find_llama_server``'s choice, None the prebuilt runtime, a
        path a ``llama-server`` program."""
        self.program = find_llama_server() if program is True else (program or None)
        self.slots = parallel or DEFAULT_PARALLEL
        self.model_path = Path(model_path)
        self.model = alias or self.model_path.stem
        self.n_ctx = n_ctx
        self.n_threads = n_threads or default_threads()
        self.port = port
        self.startup_timeout = startup_timeout
        self.log_path = log_path
        self.keep_log = keep_log
        self.extra_args = list(extra_args)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise LocalModelError("the local server has not been started")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def runtime(self) -> str:
        """Which server program runs the model, with its version where known: outputs differ
        between builds, so cache keys name it."""
        if self.program is not None:
            return f"llama-server:{self.program.name}"
        return f"{runtime.RUNTIME}-{runtime.version()}"

    def command(self) -> list[str]:
        """The server's command line: the prebuilt runtime's child process, or the program."""
        if self.program is not None:
            return [
                str(self.program),
                "--model", str(self.model_path),
                "--alias", self.model,
                "--threads", str(self.n_threads),
                # each slot gets the context one request needs
                "--ctx-size", str(self.n_ctx * self.slots),
                "--parallel", str(self.slots),
                "--host", "127.0.0.1",
                "--port", str(self.port),
                "--no-webui",
                *self.extra_args,
            ]  # fmt: skip
        if importlib.util.find_spec(runtime.RUNTIME) is None:
            raise LocalModelError(f"the embedded runtime ({runtime.RUNTIME}) is not installed; "
                                  f"{INSTALL_HINT}")  # fmt: skip
        return [
            sys.executable, "-m", "reviewer.local.runtime",
            "--model", str(self.model_path),
            "--alias", self.model,
            "--threads", str(self.n_threads),
            "--ctx-size", str(self.n_ctx),
            "--parallel", str(self.slots),
            "--port", str(self.port),
            *self.extra_args,
        ]  # fmt: skip

    def start(self) -> LocalServer:
        """Start the child and block until ``/v1/models`` answers."""
        if self.process is not None:
            return self
        if not self.model_path.is_file():
            raise LocalModelError(f"model file not found: {self.model_path}")
        self.port = self.port or _free_port()
        if self.log_path is None:  # one per port: concurrent servers must not share a log
            self.log_path = cache_root() / "logs" / f"{self.model}-{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        if "OMP_WAIT_POLICY" not in env and _machine_busy():
            env["OMP_WAIT_POLICY"] = "PASSIVE"
        command = self.command()
        with self.log_path.open("wb") as log:
            policy = env.get("OMP_WAIT_POLICY", "runtime default (idle machine)")
            log.write(f"reviewer: {self.runtime}, {self.slots} slot(s) of {self.n_ctx} tokens, "
                      f"{self.n_threads} threads, OMP_WAIT_POLICY={policy}\n".encode())  # fmt: skip
            log.flush()
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_parent(),
            )
        with _live_lock:
            _live.add(self)
        try:
            self._wait_ready()
        except BaseException:
            self.stop(keep_log=True)
            raise
        return self

    def _wait_ready(self) -> None:
        assert self.process is not None and self.log_path is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LocalModelError(
                    f"local model server exited with code {self.process.returncode} while "
                    f"starting; log {self.log_path}:\n{_log_tail(self.log_path)}"
                )
            with contextlib.suppress(TimeoutError):
                if model_ids(self.base_url, timeout=2.0) is not None:
                    return
            time.sleep(0.2)
        raise LocalModelError(
            f"local model server did not answer within {self.startup_timeout:.0f} s; "
            f"log {self.log_path}:\n{_log_tail(self.log_path)}"
        )

    def stop(self, timeout: float = 10.0, *, keep_log: bool | None = None) -> None:
        """Terminate the process group, wait, then kill it; safe to call twice.

        The log is deleted when a healthy server is stopped (unless ``keep_log``) and kept
        when the server died on its own, since then it holds the reason.
        """
        proc = self.process
        if proc is None:
            return
        with _live_lock:
            _live.discard(self)
        keep = self.keep_log if keep_log is None else keep_log
        keep = keep or proc.poll() is not None
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if proc.poll() is not None:  # reaped: its pid may belong to someone else now
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=timeout)
        self.process = None
        if not keep and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
