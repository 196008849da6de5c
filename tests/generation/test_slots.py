"""Client-side slots: requests wait for a free server slot on our side, never in the server's
queue, so a short request timeout measures service time only (FAKE server, one slot)."""

import asyncio
import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from reviewer import Reviewer
from reviewer.config import Settings
from reviewer.generation.slots import SlotGate
from tests.conftest import papers
from tests.fake_openai import FakeOpenAI

SERVICE = 0.3  # seconds the fake server takes per request
TIMEOUT = 1.5  # five services: a queue of eight in the server breaks it, a loaded machine not


def one_slot_reviewer(fake: FakeOpenAI, slots: int | None) -> Reviewer:
    settings = Settings(base_url=fake.base_url, api_key="sk-test", model="fake-model",
                        structured="json_schema", timeout=TIMEOUT, max_retries=2,
                        backoff_base=0.01, slots=slots)  # fmt: skip
    return Reviewer(settings=settings)


def test_thirty_papers_through_a_one_slot_server_without_a_timeout(tmp_path: Path) -> None:
    with FakeOpenAI(latency=SERVICE, slots=1) as fake:
        with one_slot_reviewer(fake, slots=1) as reviewer:
            summary = reviewer.batch(papers(30), tmp_path / "run", concurrency=8)
        titles = [m["content"] for r in fake.requests for m in r["messages"][-1:]]
    assert summary.ok and summary.reviewed == 30 and summary.failed == 0
    assert fake.count == 30 == summary.requests  # no request sent twice: nothing timed out
    assert len(set(titles)) == 30
    assert fake.max_in_service == 1
    records = [json.loads(x) for x in (tmp_path / "run" / "reviews.jsonl").read_text().splitlines()]
    # service time is the server's (plus the client's own first-call set-up), never a queue
    service = sorted(r["service_ms"] for r in records)
    assert service[0] >= SERVICE * 1000 * 0.9 and service[len(service) // 2] < TIMEOUT * 1000
    # papers in flight are capped at the slots, so none waits for one
    assert all(r["queue_ms"] < SERVICE * 1000 for r in records)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["config"]["concurrency"] == 1  # capped at the server's slots
    assert manifest["config"]["server_slots"] == 1


def test_without_slots_the_same_batch_times_out_and_resends(tmp_path: Path) -> None:
    """The control: the failure the gate prevents (requests queued in the server time out)."""
    with FakeOpenAI(latency=SERVICE, slots=1) as fake, one_slot_reviewer(fake, None) as reviewer:
        summary = reviewer.batch(papers(30), tmp_path / "run", concurrency=8)
    assert fake.count > 30 or summary.failed > 0


def test_two_gates_on_one_server_share_its_slots(tmp_path: Path) -> None:
    """Two clients of one server (say two commands reusing `reviewer serve`) never hold more
    than its slots between them."""
    holding = 0
    most = 0

    async def use(gate: SlotGate) -> None:
        nonlocal holding, most
        async with gate.slot():
            holding += 1
            most = max(most, holding)
            await asyncio.sleep(0.02)
            holding -= 1

    async def main() -> None:
        a = SlotGate(2, "http://127.0.0.1:1/v1", tmp_path)
        b = SlotGate(2, "http://127.0.0.1:1/v1", tmp_path)
        await asyncio.gather(*(use(g) for _ in range(6) for g in (a, b)))

    asyncio.run(main())
    assert most == 2


def test_a_slot_held_by_another_process_is_waited_for(tmp_path: Path) -> None:
    holder = textwrap.dedent(
        f"""
        import asyncio, sys, time
        from pathlib import Path
        from reviewer.generation.slots import SlotGate
        async def main():
            async with SlotGate(1, "k", Path({str(tmp_path)!r})).slot():
                print("holding", flush=True)
                await asyncio.sleep(0.5)
        asyncio.run(main())
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"

        async def wait() -> float:
            async with SlotGate(1, "k", tmp_path).slot() as waited:
                return waited

        started = time.monotonic()
        waited = asyncio.run(wait())
        assert waited >= 0.2 and time.monotonic() - started >= 0.2
    finally:
        proc.wait(timeout=10)


def test_a_gate_needs_a_slot() -> None:
    with pytest.raises(ValueError):
        SlotGate(0, "k")


def test_the_gate_alone_keeps_concurrent_requests_out_of_the_server_queue() -> None:
    from reviewer.generation.client import ChatClient

    async def main(fake: FakeOpenAI) -> list[float]:
        client = ChatClient(base_url=fake.base_url, api_key="k", model="fake-model",
                            structured="json_object", timeout=TIMEOUT, max_attempts=1,
                            gate=SlotGate(1, fake.base_url))  # fmt: skip
        messages = [{"role": "user", "content": "Title: x"}]
        try:
            done = await asyncio.gather(
                *(client.complete(messages, schema={}, schema_name="s", params={})
                  for _ in range(8))
            )  # fmt: skip
        finally:
            await client.close()
        return [c.queue_s for c in done]

    with FakeOpenAI(latency=SERVICE, slots=1) as fake:
        queued = asyncio.run(main(fake))
    assert fake.count == 8 and fake.max_in_service == 1
    assert max(queued) >= 6 * SERVICE  # the last one waited for seven others, on our side


def test_slot_lock_files_are_as_open_as_the_umask_allows(tmp_path: Path) -> None:
    """Another user's command sharing the server must be able to open the lock files."""

    async def hold() -> None:
        async with SlotGate(1, "k", tmp_path).slot():
            pass

    old = os.umask(0o002)
    try:
        asyncio.run(hold())
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "slot-0.lock").stat().st_mode) == 0o664


def test_a_slot_lock_that_cannot_be_opened_leaves_the_gate_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Lock files another user made unopenable: the run goes on with this process's own
    gate (at most ``slots`` of its requests at once) and says so once."""
    import reviewer.generation.slots as slots

    real_open = os.open

    def refuse(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(".lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(slots.os, "open", refuse)
    holding = most = 0

    async def use(gate: SlotGate) -> None:
        nonlocal holding, most
        async with gate.slot():
            holding += 1
            most = max(most, holding)
            await asyncio.sleep(0.01)
            holding -= 1

    async def main() -> None:
        gate = SlotGate(2, "k", tmp_path)
        await asyncio.gather(*(use(gate) for _ in range(6)))

    with caplog.at_level(logging.WARNING, logger="reviewer.generation.slots"):
        asyncio.run(main())
    assert most == 2
    warnings = [r.getMessage() for r in caplog.records if r.name == "reviewer.generation.slots"]
    assert len(warnings) == 1 and str(tmp_path) in warnings[0]
