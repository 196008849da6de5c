"""Client-side rate limits hold the request and token rates (FAKE endpoint)."""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from reviewer import Reviewer
from reviewer.generation.ratelimit import RateLimiter
from tests.conftest import papers
from tests.fake_openai import FakeOpenAI


def test_requests_per_minute_bound_a_batch(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    start = time.perf_counter()
    make_reviewer(rpm=600).batch(papers(25), tmp_path / "run", concurrency=16)
    elapsed = time.perf_counter() - start
    # 10 requests/s with a burst of 10: 25 requests need at least 1.5 s
    assert elapsed >= 1.5
    assert fake.count == 25


def test_token_budget_waits_out_large_requests() -> None:
    async def go() -> float:
        limiter = RateLimiter(tpm=60_000)  # 1,000 tokens/s, bucket of 1,000
        start = time.perf_counter()
        for _ in range(4):
            await limiter.acquire(1_000)
        return time.perf_counter() - start

    assert 2.8 <= asyncio.run(go()) < 4.0


def test_no_limits_means_no_waiting() -> None:
    async def go() -> float:
        limiter = RateLimiter()
        start = time.perf_counter()
        for _ in range(1000):
            await limiter.acquire(10_000)
        return time.perf_counter() - start

    assert asyncio.run(go()) < 0.5
