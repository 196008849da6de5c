"""``AsyncReviewer``, the async face: the same methods awaitable, the loop free meanwhile, and
sync and async reviewers side by side in one application (against the FAKE server)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer import AsyncReviewer, Reviewer, ReviewFailed
from tests.conftest import papers
from tests.fake_openai import FakeOpenAI, Reply
from tests.runs.test_batchfile import read, results_for


def test_every_method_is_awaitable(
    tmp_path: Path, fake: FakeOpenAI, make_async_reviewer: Callable[..., AsyncReviewer]
) -> None:
    async def main() -> None:
        async with make_async_reviewer() as reviewer:
            assert "Paper number 0" in (await reviewer.review(papers(1)[0])).summary
            outcome = await reviewer.review_outcome(papers(2)[1], sample=1)
            assert outcome.attempts == 1 and not outcome.cached
            assert fake.requests[-1]["seed"] == 1  # the sample asked for, not the default
            summary = await reviewer.batch(papers(3), tmp_path / "run")
            assert (summary.reviewed, summary.cached) == (3, 1)  # paper 0 came from the cache
            counts = await reviewer.export_requests(papers(4), tmp_path / "req.jsonl")
            assert counts["requests"] == 1  # papers 0-2 have cached reviews
            (tmp_path / "res.jsonl").write_text(results_for(read(tmp_path / "req.jsonl")))
            imported = await reviewer.import_results(
                papers(4), tmp_path / "res.jsonl", tmp_path / "i"
            )
            assert imported.reviewed == 4
            via = await reviewer.batch_via_openai(papers(5), tmp_path / "via", poll_seconds=0)
            assert via.reviewed == 5
        assert reviewer.cache._store is None  # closed at the end of the block

    asyncio.run(main())
    lines = (tmp_path / "run" / "reviews.jsonl").read_text().splitlines()
    assert sorted(json.loads(x)["paper_id"] for x in lines) == ["p0", "p1", "p2"]


def test_a_failed_review_raises_as_the_sync_one_does(
    fake: FakeOpenAI, make_async_reviewer: Callable[..., AsyncReviewer]
) -> None:
    fake.enqueue(Reply(content="not json"))
    reviewer = make_async_reviewer(max_reasks=0)
    with pytest.raises(ReviewFailed, match="not valid JSON"):
        asyncio.run(reviewer.review(papers(1)[0]))
    asyncio.run(reviewer.aclose())


def test_the_loop_keeps_serving_while_a_review_is_awaited(
    fake: FakeOpenAI, make_async_reviewer: Callable[..., AsyncReviewer]
) -> None:
    fake.latency = 0.3
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def main() -> None:
        task = asyncio.create_task(ticker())
        async with make_async_reviewer() as reviewer:
            await reviewer.review(papers(1)[0])
        task.cancel()

    asyncio.run(main())
    assert ticks >= 10  # about 30 in 0.3 s; a blocked loop would tick 0 times


def test_fifty_tasks_through_both_faces_at_once(
    fake: FakeOpenAI,
    make_reviewer: Callable[..., Reviewer],
    make_async_reviewer: Callable[..., AsyncReviewer],
) -> None:
    """An async application: 25 tasks await the async reviewer, 25 call the sync one (in
    threads, as a sync call blocks the loop it runs on), and one calls it straight inside a
    coroutine. All share one cache and come back valid, each about its own paper."""
    fake.latency = 0.05
    todo = papers(51)

    async def main() -> list[str]:
        with make_reviewer() as sync_reviewer:
            async with make_async_reviewer() as async_reviewer:
                first = sync_reviewer.review(todo[50])  # inside the running loop
                reviews = await asyncio.gather(
                    *(async_reviewer.review(p) for p in todo[:25]),
                    *(asyncio.to_thread(sync_reviewer.review, p) for p in todo[25:50]),
                )
        return [r.summary for r in (*reviews, first)]

    summaries = asyncio.run(main())
    assert len(summaries) == 51
    for paper, summary in zip(todo, summaries, strict=True):
        assert f"about {paper['title']}," in summary  # its own paper, not a neighbour's
    assert fake.count == 51  # one request per paper: no retries, no double sends
    assert fake.max_in_service > 1  # the tasks really overlapped


def test_sync_and_async_reviewers_share_the_servers_slots(
    fake: FakeOpenAI,
    make_reviewer: Callable[..., Reviewer],
    make_async_reviewer: Callable[..., AsyncReviewer],
) -> None:
    """Two reviewers of a one-slot server, streaming at once (one in a thread, one on the
    loop): their requests take turns, as every process's do (``reviewer.generation.slots``)."""
    fake.latency = 0.05
    first, second = papers(4, "a"), [{**p, "title": f"{p['title']} too"} for p in papers(4)]

    async def main() -> int:
        with make_reviewer(slots=1) as sync_reviewer:
            async with make_async_reviewer(slots=1) as async_reviewer:

                def sync_side() -> int:
                    return sum(r.ok for r in sync_reviewer.reviews(first, concurrency=4))

                async def async_side() -> int:
                    return sum([r.ok async for r in async_reviewer.reviews(second)])

                done = await asyncio.gather(asyncio.to_thread(sync_side), async_side())
        return sum(done)

    assert asyncio.run(main()) == 8
    assert fake.count == 8 and fake.max_in_service == 1
