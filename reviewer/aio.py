"""``AsyncReviewer``: the library for async code (an application's handlers, a notebook's
top-level ``await``).

The same constructor and methods as ``Reviewer``, each awaitable, through the same
implementation (``reviewer.library.engine``). It shares the completion cache, the server slots and
the embedded model's server with every other reviewer, sync or async, in the process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Iterable
from contextlib import aclosing
from pathlib import Path
from typing import Literal, Self

from reviewer.generation.generate import Outcome
from reviewer.library.engine import Engine
from reviewer.library.progress import ResultProgress, Tally, batch_progress, total_of
from reviewer.library.session import Item, PaperLike
from reviewer.library.stream import ReviewResult
from reviewer.review import Review
from reviewer.runs.batch import Progress, RunSummary


class AsyncReviewer(Engine):
    """Generates validated reviews of one form against one endpoint, awaitably.

    ``async with AsyncReviewer(...) as reviewer:`` or ``await reviewer.aclose()`` at the end.
    """

    async def review_outcome(self, paper: PaperLike, *, sample: int = 0) -> Outcome:
        """A review with its usage, latency, attempts and cache status (``Reviewer``'s)."""
        return await self._review_outcome(paper, sample)

    async def review(self, paper: PaperLike, *, sample: int = 0) -> Review:
        """A schema-valid review of ``paper``; raises ``ReviewFailed`` when none could be had."""
        return (await self._review_outcome(paper, sample)).review

    async def reviews(
        self,
        papers: Iterable[Item],
        *,
        concurrency: int = 8,
        progress: ResultProgress | Literal["bar"] | None = None,
    ) -> AsyncGenerator[ReviewResult, None]:
        """A ``ReviewResult`` per paper as each finishes, nothing written; a failure is a
        result, not an exception. Leaving the loop early cancels the papers in flight (at
        once under ``contextlib.aclosing``, else when the iterator is collected)."""
        tally = Tally(progress, total_of(papers))
        try:
            async with aclosing(self._reviews(papers, concurrency)) as stream:
                async for result in stream:
                    tally.tell(result)
                    yield result
        finally:
            tally.close()

    async def batch(
        self,
        papers: Iterable[Item],
        out: str | Path,
        *,
        concurrency: int = 8,
        limit: int | None = None,
        progress: Progress | Literal["bar"] | None = None,
    ) -> RunSummary:
        """Review ``papers`` into the run directory ``out``, as ``Reviewer.batch``."""
        with batch_progress(progress, total_of(papers)) as tick:
            return await self._batch(papers, out, concurrency, limit, tick)

    async def export_requests(self, papers: Iterable[Item], path: str | Path) -> dict[str, int]:
        """Write the requests a live run would send next, in the OpenAI Batch format."""
        return await self._export_requests(papers, path)

    async def import_results(
        self,
        papers: Iterable[Item],
        results: str | Path,
        out: str | Path,
        *,
        followups: str | Path | None = None,
        concurrency: int = 8,
        progress: Progress | None = None,
    ) -> RunSummary:
        """Validate, cache and write a Batch results file exactly as a live run would."""
        return await self._import_results(papers, results, out, followups, concurrency, progress)

    async def batch_via_openai(
        self,
        papers: Iterable[Item],
        out: str | Path,
        *,
        poll_seconds: float = 10.0,
        status: Callable[[str], None] | None = None,
    ) -> RunSummary:
        """The whole round trip through the Batch API (its polling runs in a thread)."""
        return await self._batch_via_openai(papers, out, poll_seconds, status)

    async def aclose(self) -> None:
        """``close`` off the loop: stopping the embedded server may take seconds."""
        await asyncio.to_thread(self.close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
