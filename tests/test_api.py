"""``Reviewer``, the sync face: every method works where an event loop already runs (a notebook
cell, an async application's handler), on a private loop in a worker thread there and on a
loop in the calling thread elsewhere (against the FAKE server)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reviewer import Reviewer, RunSummary
from reviewer.library.portal import loop_running
from tests.fake_openai import FakeOpenAI
from tests.runs.test_batchfile import read, results_for


def papers(n: int, prefix: str = "p") -> list[dict[str, Any]]:
    """Papers whose prompts differ between prefixes (so no call is answered from the cache)."""
    return [
        {"id": f"{prefix}{i}", "title": f"Paper {prefix}{i}", "abstract": f"We study {prefix}."}
        for i in range(n)
    ]


def test_every_sync_method_works_inside_a_running_loop(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    threads: set[str] = set()

    def seen(_paper_id: str, _summary: RunSummary) -> None:
        threads.add(threading.current_thread().name)

    async def handler() -> None:
        assert loop_running()  # where asyncio.run() would raise RuntimeError
        with make_reviewer() as reviewer:
            assert "Paper p0" in reviewer.review(papers(1)[0]).summary
            assert "Paper p1" in reviewer.review_outcome(papers(2)[1]).review.summary
            assert reviewer.batch(papers(3, "b"), tmp_path / "run", progress=seen).reviewed == 3
            streamed = sorted(str(r.paper_id) for r in reviewer.reviews(papers(2, "s")) if r.ok)
            assert streamed == ["s0", "s1"]
            counts = reviewer.export_requests(papers(2, "e"), tmp_path / "req.jsonl")
            assert counts["requests"] == 2
            (tmp_path / "res.jsonl").write_text(results_for(read(tmp_path / "req.jsonl")))
            imported = reviewer.import_results(
                papers(2, "e"), tmp_path / "res.jsonl", tmp_path / "i"
            )
            assert imported.reviewed == 2
            via = reviewer.batch_via_openai(papers(2, "v"), tmp_path / "via", poll_seconds=0)
            assert via.reviewed == 2

    asyncio.run(handler())
    assert threads == {"reviewer-loop"}  # the batch ran on the private loop's thread
    ids = [json.loads(x)["paper_id"] for x in (tmp_path / "run" / "reviews.jsonl").open()]
    assert sorted(ids) == ["b0", "b1", "b2"]


def test_without_a_running_loop_the_work_runs_in_the_calling_thread(
    tmp_path: Path, make_reviewer: Callable[..., Reviewer]
) -> None:
    """As ``asyncio.run`` would: no worker thread where none is needed (the command line)."""
    threads: set[str] = set()
    with make_reviewer() as reviewer:
        reviewer.batch(
            papers(2),
            tmp_path / "run",
            progress=lambda _id, _s: threads.add(threading.current_thread().name),
        )
    assert threads == {threading.current_thread().name}
