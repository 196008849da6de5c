"""The library entry point: ``Reviewer(...).review(paper)``, ``.reviews(papers)`` and
``.batch(papers, out=...)``.

``Reviewer`` is the sync face of the one implementation in ``reviewer.library.engine``
(``AsyncReviewer`` in ``reviewer.aio`` is the async one). Each call runs on an event loop of
its own, or, when one already runs in the calling thread (a notebook cell, an async
application), on a private loop in a worker thread (``reviewer.library.portal``). The command
line goes through this class too, so the library and the command line cannot drift. The
endpoint (and the embedded model's server, shared by every reviewer in the process) is held
until ``close()`` or the end of a ``with`` block.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from contextlib import closing
from pathlib import Path
from typing import Literal, Self

from reviewer.generation.generate import Outcome
from reviewer.library.engine import Engine
from reviewer.library.portal import Portal, run_sync
from reviewer.library.progress import ResultProgress, Tally, batch_progress, total_of
from reviewer.library.session import Item, PaperLike
from reviewer.library.stream import ReviewResult
from reviewer.review import Review
from reviewer.runs.batch import Progress, RunSummary


class Reviewer(Engine):
    """Generates validated reviews of one form against one endpoint."""

    def _open_here(self) -> None:
        """Open the endpoint in the calling thread: a server started from the main thread is
        killed with its owner even on ``kill -9`` (``reviewer.local.server``)."""
        _ = self.endpoint

    def review_outcome(self, paper: PaperLike, *, sample: int = 0) -> Outcome:
        """A review with its usage, latency, attempts and cache status.

        ``sample`` > 0 asks for that single independent sample; otherwise the configured
        review (one pass, or the ensemble with meta-review and reflections). The review's
        ``calibrated`` is set when a score calibration applies.
        """
        self._open_here()
        return run_sync(self._review_outcome(paper, sample))

    def review(self, paper: PaperLike, *, sample: int = 0) -> Review:
        """A schema-valid review of ``paper``; raises ``ReviewFailed`` when none could be had.

        The review's fields are the model's raw scores; ``review.calibrated`` holds the
        calibrated overall, decision and interval when a calibration applies (else None).
        """
        return self.review_outcome(paper, sample=sample).review

    def reviews(
        self,
        papers: Iterable[Item],
        *,
        concurrency: int = 8,
        progress: ResultProgress | Literal["bar"] | None = None,
    ) -> Generator[ReviewResult, None, None]:
        """A ``ReviewResult`` per paper as each finishes (completion order), nothing written.

        A paper that fails is a result with its ``error``, not an exception; only a fatal
        endpoint error (a wrong key, say) ends the stream. The papers in flight go on while the
        loop's body runs (on a private loop in a worker thread); leaving the loop early cancels
        them. ``concurrency`` is capped as ``batch``'s; ``progress`` is told of each result
        (``progress(result, done, total)``) or, as ``"bar"``, draws a bar.
        """
        self._open_here()
        tally = Tally(progress, total_of(papers))
        stream = self._reviews(papers, concurrency)
        with Portal(background=True) as portal, closing(portal.iterate(stream)) as results:
            try:
                for result in results:
                    tally.tell(result)
                    yield result
            finally:
                tally.close()

    def batch(
        self,
        papers: Iterable[Item],
        out: str | Path,
        *,
        concurrency: int = 8,
        limit: int | None = None,
        progress: Progress | Literal["bar"] | None = None,
    ) -> RunSummary:
        """Review ``papers`` into the run directory ``out`` (resuming what is already there).
        ``concurrency`` is capped at the server's slots (``concurrency_for``); ``progress`` is
        told of each finished paper (``progress(paper_id, summary)``) or, as ``"bar"``,
        draws a bar."""
        self._open_here()
        with batch_progress(progress, total_of(papers)) as tick:
            return run_sync(self._batch(papers, out, concurrency, limit, tick))

    def export_requests(self, papers: Iterable[Item], path: str | Path) -> dict[str, int]:
        """Write the requests a live run would send next, in the OpenAI Batch format."""
        return run_sync(self._export_requests(papers, path))

    def import_results(
        self,
        papers: Iterable[Item],
        results: str | Path,
        out: str | Path,
        *,
        followups: str | Path | None = None,
        concurrency: int = 8,
        progress: Progress | None = None,
    ) -> RunSummary:
        """Validate, cache and write a Batch results file exactly as a live run would.

        Re-asks and requests without a result go to ``followups`` (default
        ``out/followup-requests.jsonl``), ready for the next batch.
        """
        return run_sync(
            self._import_results(papers, results, out, followups, concurrency, progress)
        )

    def batch_via_openai(
        self,
        papers: Iterable[Item],
        out: str | Path,
        *,
        poll_seconds: float = 10.0,
        status: Callable[[str], None] | None = None,
    ) -> RunSummary:
        """The whole round trip through the Batch API: export, run, import, until settled."""
        return run_sync(self._batch_via_openai(papers, out, poll_seconds, status))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
