"""The embedded model's server process: started, answered, always stopped; which program,
how many slots, how its threads wait; and one run of the real model (marked ``local_model``).

Everything except the ``local_model`` test runs without llama.cpp or model weights: a tiny
stdlib HTTP server (``tests/local/conftest.py``) stands in for llama.cpp.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reviewer.errors import LocalModelError
from reviewer.local import server as local_server
from reviewer.local.server import LocalServer
from reviewer.local.weights import MODELS, model_alias, resolve_model
from tests.local.conftest import FAKE_SERVER, gone


@pytest.mark.usefixtures("fake_server")
def test_server_runs_in_its_own_group_and_is_stopped(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    with LocalServer(gguf, alias="m") as server:
        pid = server.pid
        assert pid is not None and os.getpgid(pid) == pid
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        assert local_server.model_ids(server.base_url, timeout=5) == ["m"]
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
    local_server._stop_all()  # what atexit runs
    assert pid is not None and gone(pid)


def test_missing_runtime_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "xllamacpp" else real(name)
    )
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(LocalModelError, match=r'xllamacpp(.|\n)*pip install -e "\.\[local\]"'):
        LocalServer(gguf, program=None).start()


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
    assert server.process is None and not local_server._live
    assert server.log_path is not None and server.log_path.exists()  # kept for the user


# --- which server program, how many slots, how its threads wait -------------------------------


def test_llama_server_program_gets_parallel_slots_each_with_a_full_context(tmp_path: Path) -> None:
    program = tmp_path / "llama-server"
    program.write_text("")
    server = LocalServer(tmp_path / "m.gguf", alias="m", n_ctx=4096, parallel=3, program=program)
    server.port = 5555
    command = server.command()
    assert command[0] == str(program) and server.slots == 3
    assert server.runtime == "llama-server:llama-server"
    assert command[command.index("--parallel") + 1] == "3"
    assert command[command.index("--ctx-size") + 1] == str(3 * 4096)


def test_prebuilt_runtime_is_the_default_and_gets_slots_context_and_threads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REVIEWER_LLAMA_SERVER", raising=False)
    server = LocalServer(tmp_path / "m.gguf", alias="m", n_ctx=8192, parallel=2, n_threads=3)
    server.port = 5555
    command = server.command()
    assert command[:3] == [sys.executable, "-m", "reviewer.local.runtime"]
    assert command[command.index("--ctx-size") + 1] == "8192"  # per slot: the runtime splits
    assert command[command.index("--parallel") + 1] == "2"
    assert command[command.index("--threads") + 1] == "3"
    assert server.runtime.startswith("xllamacpp-")  # with its version: cache keys name it


def test_threads_follow_the_cores_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_server.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(local_server.os, "cpu_count", lambda: 64)
    assert local_server.default_threads() == 1
    assert LocalServer(Path("m.gguf")).n_threads == 1


def test_llama_server_is_found_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "my-llama-server"
    monkeypatch.setenv("REVIEWER_LLAMA_SERVER", str(program))
    with pytest.raises(LocalModelError, match="no such file"):
        local_server.find_llama_server()
    program.write_text("")
    assert local_server.find_llama_server() == program
    monkeypatch.delenv("REVIEWER_LLAMA_SERVER")
    assert local_server.find_llama_server() is None  # the prebuilt runtime


@pytest.mark.parametrize(
    ("ticks", "busy"),
    [([(100, 1000), (700, 2000)], True), ([(100, 1000), (200, 2000)], False)],
)
def test_busy_means_cpu_use_right_now_not_the_load_average(
    monkeypatch: pytest.MonkeyPatch, ticks: list[tuple[int, int]], busy: bool
) -> None:
    monkeypatch.setattr(local_server, "_cpu_ticks", lambda: ticks.pop(0))
    monkeypatch.setattr(
        local_server.os, "getloadavg", lambda: (99.0, 99.0, 99.0)
    )  # must not decide
    assert local_server._machine_busy(window=0) is busy


# --- the real model -----------------------------------------------------------------------------


@pytest.fixture
def small_model(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The packaged 0.5B, assembled in the user's cache (reused across runs), or a skip."""
    pytest.importorskip("xllamacpp")
    if importlib.util.find_spec(MODELS["0.5b"].part_modules()[0]) is None:
        pytest.skip("the 0.5b model's part packages are not installed")
    monkeypatch.delenv("REVIEWER_CACHE_DIR")
    return resolve_model("0.5b")


@pytest.mark.local_model
def test_real_server_answers_a_schema_constrained_request(small_model: Path) -> None:
    openai = pytest.importorskip("openai")
    path = small_model
    schema = {
        "type": "object",
        "properties": {
            "verdict": {"type": "string", "enum": ["accept", "reject"]},
            "reasons": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        },
        "required": ["verdict", "reasons"],
    }
    with LocalServer(path, alias=model_alias("0.5b", path), n_ctx=2048) as server:
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


@pytest.mark.local_model
def test_real_server_applies_the_repetition_penalty_each_request_carries(
    small_model: Path,
) -> None:
    """The penalty travels in the request body, sequence breakers included: with it off the
    greedy reply copies the prompt's sentence, with ours the copy breaks (the same way each
    time), and with a space as a breaker (every run broken at once) it copies again."""
    openai = pytest.importorskip("openai")
    from reviewer.local.dry import DRY

    path = small_model
    sentence = "the quick brown fox jumps over the lazy dog near the quiet river bank"
    ask = {
        "messages": [{"role": "user", "content": f"Copy this sentence exactly: {sentence}"}],
        "max_tokens": 40,
        "temperature": 0,
    }
    with LocalServer(path, alias=model_alias("0.5b", path), n_ctx=1024) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="local")

        def reply(**fields: object) -> str:
            out = client.chat.completions.create(model=server.model, extra_body=fields, **ask)
            return (out.choices[0].message.content or "").lower()

        off = reply(dry_multiplier=0.0)
        ours, again = reply(**DRY.request_fields()), reply(**DRY.request_fields())
        spaces_break = reply(**{**DRY.request_fields(), "dry_sequence_breakers": [" "]})
    assert sentence in off, off
    assert sentence not in ours and ours == again, ours
    assert sentence in spaces_break, spaces_break


OWNER = """
import sys, time
from pathlib import Path
from reviewer.local.server import LocalServer
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
