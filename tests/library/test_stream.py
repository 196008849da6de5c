"""Reviews as they finish (``reviews()``, sync and async): completion order, failures as
results, nothing written, leaving early cancels and keeps the cache whole, the concurrency
cap, and progress (against the FAKE server)."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Iterable
from contextlib import aclosing
from pathlib import Path
from typing import Any

import pytest

from reviewer import AsyncReviewer, InputError, Reviewer, ReviewFailed, ReviewResult
from reviewer.cache import CompletionCache
from reviewer.errors import EndpointError
from reviewer.generation.client import Completion
from reviewer.generation.forms import load_form
from reviewer.generation.generate import check_reply
from tests.conftest import papers
from tests.fake_openai import FakeOpenAI, Reply, default_responder, title_of

Collect = Callable[..., list[ReviewResult]]


@pytest.fixture(params=["sync", "async"])
def collect(
    request: pytest.FixtureRequest,
    make_reviewer: Callable[..., Reviewer],
    make_async_reviewer: Callable[..., AsyncReviewer],
) -> Collect:
    """Every result of ``reviews(items, **options)`` through the sync or the async face."""

    def sync(items: Iterable[Any], reviewer_options: dict[str, Any], **options: Any) -> Any:
        with make_reviewer(**reviewer_options) as reviewer:
            return list(reviewer.reviews(items, **options))

    def async_(items: Iterable[Any], reviewer_options: dict[str, Any], **options: Any) -> Any:
        async def main() -> list[ReviewResult]:
            async with make_async_reviewer(**reviewer_options) as reviewer:
                return [r async for r in reviewer.reviews(items, **options)]

        return asyncio.run(main())

    face = sync if request.param == "sync" else async_
    return lambda items, reviewer_options=None, **options: face(
        items, reviewer_options or {}, **options
    )


def slow_titles(delays: dict[str, float]) -> Callable[[dict[str, Any]], str]:
    """A responder that takes ``delays[title]`` seconds to answer (0 for other titles)."""

    def respond(request: dict[str, Any]) -> str:
        time.sleep(delays.get(title_of(request), 0.0))
        return default_responder(request)

    return respond


def test_results_come_in_completion_order(fake: FakeOpenAI, collect: Collect) -> None:
    fake.responder = slow_titles({"Paper number 0": 0.6, "Paper number 1": 0.3})
    results = collect(papers(3), concurrency=3)
    assert [r.paper_id for r in results] == ["p2", "p1", "p0"]
    for result in results:
        assert result.ok and result.error is None
        assert result.review is not None and result.paper is not None
        assert f"about {result.paper.title}," in result.review.summary  # its own paper's
        assert result.usage == {"prompt_tokens": 100, "completion_tokens": 50}
        assert result.outcome is not None and result.outcome.attempts == 1


def test_a_failure_is_a_result_and_the_stream_goes_on(fake: FakeOpenAI, collect: Collect) -> None:
    fake.enqueue(Reply(content="not json"))  # the first request: paper p0's only attempt
    bad_line = InputError("missing title", source="papers.jsonl", line=3)
    results = collect([*papers(3), bad_line], {"max_reasks": 0}, concurrency=1)
    by_id = {r.paper_id: r for r in results}
    assert set(by_id) == {"p0", "p1", "p2", None}
    failed = by_id["p0"]
    assert not failed.ok and failed.review is None and isinstance(failed.error, ReviewFailed)
    assert "not valid JSON" in failed.error.reason and failed.warnings == []
    assert by_id[None].error is bad_line and by_id[None].paper is None
    assert by_id["p1"].ok and by_id["p2"].ok


def test_a_fatal_endpoint_error_ends_the_stream(fake: FakeOpenAI, collect: Collect) -> None:
    """A wrong key fails every paper the same way: raised once, as a batch does."""
    fake.enqueue(*[Reply(status=401)] * 10)
    with pytest.raises(EndpointError) as info:
        collect(papers(5), concurrency=2)
    assert info.value.fatal


def test_results_carry_the_calibrated_score(tmp_path: Path, collect: Collect) -> None:
    from reviewer.calibration import POOLED, Calibration

    Calibration(["overall"], [0.0], {POOLED: 4.5}, {POOLED: 6.0}).save(tmp_path / "cal.json")
    (result,) = collect(papers(1), {"calibration": str(tmp_path / "cal.json")})
    assert result.calibrated is not None and result.calibrated.overall == 4.5
    assert result.review is not None and result.review.calibrated == result.calibrated


def test_nothing_is_written_but_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: Path, collect: Collect
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)

    def files() -> set[str]:
        found = set()
        for root, _dirs, names in os.walk(tmp_path):
            if not Path(root).is_relative_to(isolated_env):
                found.update(os.path.join(root, n) for n in names)
        return found

    before = files()
    assert len(collect(papers(3))) == 3
    assert files() == before
    assert CompletionCache(isolated_env / "completions").stats()["entries"] == 3


def test_concurrency_is_capped_at_the_servers_slots(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, collect: Collect
) -> None:
    """Papers in flight, not only requests (the slot gate caps those): at most the slots."""
    from reviewer.library import stream

    flying = peak = 0
    real = stream.review_paper

    async def counted(*args: Any) -> Any:
        nonlocal flying, peak
        flying += 1
        peak = max(peak, flying)
        try:
            return await real(*args)
        finally:
            flying -= 1

    monkeypatch.setattr(stream, "review_paper", counted)
    fake.latency = 0.05
    assert len(collect(papers(6), {"slots": 2}, concurrency=8)) == 6
    assert peak == 2
    fresh = [{**p, "title": f"{p['title']} again"} for p in papers(6)]  # none cached
    assert len(collect(fresh, concurrency=3)) == 6  # no slots known: as many as asked
    assert peak == 3


def test_progress_is_told_of_every_result(fake: FakeOpenAI, collect: Collect) -> None:
    told: list[tuple[str | None, int, int | None]] = []
    results = collect(
        papers(3), progress=lambda r, done, total: told.append((r.paper_id, done, total))
    )
    assert told == [(r.paper_id, i, 3) for i, r in enumerate(results, 1)]
    told.clear()
    collect(
        iter(papers(2, "g")), progress=lambda r, done, total: told.append((r.paper_id, done, total))
    )
    assert [t[1:] for t in told] == [(1, None), (2, None)]  # a generator's length is unknown


def test_a_progress_that_is_neither_a_callable_nor_bar_is_refused(collect: Collect) -> None:
    from reviewer import ConfigError

    with pytest.raises(ConfigError, match="progress must be"):
        collect(papers(1), progress="tqdm")


def _cached_reviews(cache_dir: Path) -> list[str]:
    """The titles of the cached completions, each re-validated: a partial reply would fail."""
    cache = CompletionCache(cache_dir)
    form = load_form("sections", "full")
    titles = []
    for key in list(cache.store.iterkeys()):
        reply = cache.get(key)
        assert reply is not None
        review = check_reply(form, Completion.from_dict(reply))
        titles.append(review.summary)
    cache.close()
    return titles


SLOW_BUT_P0 = {f"Paper number {i}": 1.0 for i in range(1, 6)}


def test_leaving_early_cancels_the_rest_and_the_cache_keeps_only_whole_replies(
    fake: FakeOpenAI, isolated_env: Path, make_reviewer: Callable[..., Reviewer]
) -> None:
    """Six papers, two in flight, all but the first slow: leaving after the first result
    cancels the two then in flight mid-request, so neither is cached, and the three not
    started are never sent. The next run sends only what the first did not finish."""
    fake.responder = slow_titles(SLOW_BUT_P0)
    with make_reviewer() as reviewer:
        for result in reviewer.reviews(papers(6), concurrency=2):
            assert result.paper_id == "p0"
            break
    sent = fake.count
    assert 2 <= sent <= 3  # p0, p1 and (if it got out in time) p2, which took p0's place
    time.sleep(1.2)  # the fake answers them after all, to a client that is gone
    cached = _cached_reviews(isolated_env / "completions")
    assert len(cached) == 1 and "about Paper number 0," in cached[0]

    fake.responder = default_responder
    with make_reviewer() as reviewer:
        again = {r.paper_id: r for r in reviewer.reviews(papers(6), concurrency=2)}
    assert all(r.ok for r in again.values()) and len(again) == 6
    assert again["p0"].outcome is not None and again["p0"].outcome.cached
    assert fake.count == sent + 5  # p0 came from the cache
    assert len(_cached_reviews(isolated_env / "completions")) == 6


def test_leaving_an_async_stream_early_cancels_the_rest(
    fake: FakeOpenAI, isolated_env: Path, make_async_reviewer: Callable[..., AsyncReviewer]
) -> None:
    fake.responder = slow_titles(SLOW_BUT_P0)

    async def main() -> float:
        async with make_async_reviewer() as reviewer:
            async with aclosing(reviewer.reviews(papers(6), concurrency=2)) as stream:
                async for result in stream:
                    assert result.paper_id == "p0"
                    break
            return time.monotonic()

    started = time.monotonic()
    left = asyncio.run(main())
    assert left - started < 0.9  # did not wait for the slow replies
    assert 2 <= fake.count <= 3
    time.sleep(1.2 - (left - started))
    assert len(_cached_reviews(isolated_env / "completions")) == 1


def test_the_run_folder_is_batchs_job(
    tmp_path: Path, make_reviewer: Callable[..., Reviewer]
) -> None:
    """``batch`` writes what a stream does not, from the same cache: no request is repeated."""
    with make_reviewer() as reviewer:
        streamed = {r.paper_id for r in reviewer.reviews(papers(2))}
        summary = reviewer.batch(papers(2), tmp_path / "run")
    assert streamed == {"p0", "p1"} and (summary.reviewed, summary.cached) == (2, 2)
    lines = (tmp_path / "run" / "reviews.jsonl").read_text().splitlines()
    assert {json.loads(x)["paper_id"] for x in lines} == streamed


def test_the_papers_in_flight_go_on_while_the_loop_body_runs(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """A sync stream's consumer that takes its time does not stall the reviews behind it."""
    fake.latency = 0.2
    with make_reviewer() as reviewer:
        for n, _result in enumerate(reviewer.reviews(papers(4), concurrency=2)):
            if n == 0:
                time.sleep(0.8)  # handling the first result; p2 and p3 start meanwhile
                assert fake.count == 4
