"""Sharing one embedded server: ``reviewer serve``'s state file, found and reused, or removed
when stale (with the stand-in server of ``tests/local/conftest.py``)."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from reviewer.local import reuse, server
from reviewer.local.reuse import ServerInfo
from tests.local.conftest import dead_pid


def test_find_running_removes_stale_state(tmp_path: Path) -> None:
    state = reuse.state_path()
    assert reuse.find_running() is None  # no file at all
    state.parent.mkdir(parents=True, exist_ok=True)
    port = server._free_port()
    for pid in (dead_pid(), os.getpid()):  # process gone; alive but nothing listening
        info = ServerInfo(pid, port, f"http://127.0.0.1:{port}/v1", "m", str(tmp_path / "m"))
        state.write_text(json.dumps(info.__dict__))
        assert reuse.find_running() is None
        assert not state.exists()
    state.write_text("{not json")
    assert reuse.find_running() is None and not state.exists()


@pytest.mark.usefixtures("fake_server")
def test_serve_records_state_and_embedded_endpoint_reuses_it(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    seen: list[reuse.Served] = []

    info_slots: list[int] = []

    def on_ready(info: ServerInfo) -> None:
        assert reuse.find_running() == info
        info_slots.append(info.slots)
        assert info.model == "m" and info.model_path == str(gguf.resolve())
        with reuse.embedded_endpoint(str(gguf)) as endpoint:
            seen.append(endpoint)
        os.kill(info.pid, signal.SIGTERM)  # the server going away ends `serve`

    code = reuse.serve(str(gguf), on_ready=on_ready)
    assert code == -signal.SIGTERM
    assert seen and seen[0].model == "m" and seen[0].base_url.startswith("http://127.0.0.1:")
    assert seen[0].slots == info_slots[0]
    assert not reuse.state_path().exists()


@pytest.mark.usefixtures("fake_server")
def test_a_served_model_with_too_small_a_slot_is_not_reused(tmp_path: Path) -> None:
    """``--profile full`` needs 16384 tokens a slot: a ``reviewer serve`` of 4096 is left
    alone, a server of the right size is started, and the label says why."""
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    seen: list[reuse.Served] = []

    def on_ready(info: ServerInfo) -> None:
        assert info.n_ctx == 4096
        with reuse.embedded_endpoint(str(gguf), n_ctx=16384) as endpoint:
            seen.append(endpoint)
        with reuse.embedded_endpoint(str(gguf), n_ctx=2048) as endpoint:
            seen.append(endpoint)
        os.kill(info.pid, signal.SIGTERM)

    reuse.serve(str(gguf), n_ctx=4096, on_ready=on_ready)
    bigger, smaller = seen
    assert bigger.n_ctx == 16384 and "its slots hold 4096 tokens" in bigger.note
    assert smaller.n_ctx == 4096 and not smaller.note  # the running server, reused
    assert bigger.base_url != smaller.base_url
