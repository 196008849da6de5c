"""One embedded server per process, shared by every reviewer in it (with the stand-in server of
``tests/local/conftest.py``, so no model runs): reused across reviewers, sync and async, kept
while any of them is open, stopped after the last one and at interpreter exit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reviewer import AsyncReviewer, Reviewer
from reviewer.local import server as local_server
from reviewer.local import shared
from tests.local.conftest import gone

pytestmark = pytest.mark.usefixtures("fake_server")


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    path = tmp_path / "m.gguf"
    path.write_bytes(b"GGUF")
    return path


def test_reviewers_share_one_server_until_the_last_closes(gguf: Path) -> None:
    first = Reviewer(local_model=str(gguf))
    second = AsyncReviewer(local_model=str(gguf))
    url = first.endpoint.base_url
    assert second.endpoint.base_url == url  # the same server, not a second one
    (server,) = [s for s in local_server._live if s.base_url == url]
    pid = server.pid
    assert pid is not None and shared.users(server) == 2
    first.close()
    assert not gone(pid) and shared.users(server) == 1  # the other reviewer still uses it
    third = Reviewer(local_model=str(gguf))  # a later cell: joins the running server
    assert third.endpoint.base_url == url
    asyncio.run(second.aclose())
    assert not gone(pid)
    third.close()
    assert gone(pid) and shared.users(server) == 0


def test_a_larger_slot_gets_its_own_server_and_a_smaller_one_reuses_it(gguf: Path) -> None:
    """``--profile full`` needs 16384 tokens a slot; the compact profile's 4096 fit in it."""
    full = Reviewer(local_model=str(gguf), profile="full")
    compact = Reviewer(local_model=str(gguf))
    assert full.endpoint.context_window == 16384
    assert compact.endpoint.base_url == full.endpoint.base_url  # 4096 fit in 16384
    full.close()
    compact.close()

    compact = Reviewer(local_model=str(gguf))
    small_url = compact.endpoint.base_url
    full = Reviewer(local_model=str(gguf), profile="full")
    assert full.endpoint.base_url != small_url  # a 4096 slot cannot hold the full profile
    assert full.endpoint.context_window == 16384 and compact.endpoint.context_window == 4096
    full.close()
    compact.close()
    assert not shared._servers


def test_a_server_left_open_is_stopped_at_exit_and_replaced_when_dead(gguf: Path) -> None:
    reviewer = Reviewer(local_model=str(gguf))  # never closed, as in a notebook
    url = reviewer.endpoint.base_url
    (server,) = [s for s in local_server._live if s.base_url == url]
    pid = server.pid
    local_server._stop_all()  # what atexit runs
    assert pid is not None and gone(pid)
    other = Reviewer(local_model=str(gguf))  # the dead server is not handed out
    assert other.endpoint.base_url != url
    other.close()
    reviewer.close()
    assert not shared._servers
