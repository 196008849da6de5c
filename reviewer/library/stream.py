"""Reviews as they finish: one result per paper, in completion order, nothing written.

``stream_reviews`` keeps at most ``concurrency`` papers in flight over lazily read input and
yields each paper's ``ReviewResult`` the moment it is done. A paper that fails is a result
holding its error, not an exception, so one bad paper does not end the stream; only a fatal
endpoint error (a wrong key, an unknown model: every paper would fail the same way) or input
that cannot be read at all ends it, as either ends a batch. Closing the stream early cancels
the papers still in flight. A reply cut off that way is never cached (the cache stores only
complete replies), so a second run pays only for what the first did not finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from reviewer.calibration import CalibratedScore
from reviewer.errors import EndpointError, InputError, ReviewerError, ReviewFailed
from reviewer.generation.ensemble import review_paper
from reviewer.generation.generate import Generator, Outcome
from reviewer.inputs.paper import Paper
from reviewer.review import Review

Calibrate = Callable[[Paper, Review], dict[str, Any] | None]
"""A review's calibrated scores as a run record stores them (``Reviewer.calibrated``)."""


@dataclass(frozen=True)
class ReviewResult:
    """One paper's end: its review, or the error that stopped it (``ReviewFailed``, an
    endpoint error, or the ``InputError`` of a record that could not be read)."""

    paper: Paper | None  # None for an input record that could not be read
    review: Review | None = None
    error: ReviewerError | None = None
    # What the review cost: tokens, latency, attempts, cache status, the guard's flags.
    outcome: Outcome | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.review is not None

    @property
    def paper_id(self) -> str | None:
        return self.paper.id if self.paper is not None else None

    @property
    def calibrated(self) -> CalibratedScore | None:
        """The calibrated overall, decision and interval, when a calibration applies."""
        return self.review.calibrated if self.review is not None else None

    @property
    def warnings(self) -> list[str]:
        return self.outcome.warnings if self.outcome is not None else []

    @property
    def usage(self) -> dict[str, int]:
        """Tokens the review took (0 for a failure: its spend is not reported back)."""
        o = self.outcome
        return {
            "prompt_tokens": o.prompt_tokens if o else 0,
            "completion_tokens": o.completion_tokens if o else 0,
        }


def attach_calibration(review: Review, record: dict[str, Any] | None) -> None:
    """Set ``review.calibrated`` from a run record's calibrated scores (None: no calibration)."""
    review._calibrated = CalibratedScore.from_record(record) if record else None


async def review_one(generator: Generator, paper: Paper, calibrate: Calibrate) -> ReviewResult:
    """``paper``'s configured review as a result; only a fatal endpoint error is raised."""
    try:
        outcome = await review_paper(generator, paper)
    except ReviewFailed as exc:
        return ReviewResult(paper, error=exc)
    except EndpointError as exc:
        if exc.fatal:
            raise
        return ReviewResult(paper, error=exc)
    attach_calibration(outcome.review, calibrate(paper, outcome.review))
    return ReviewResult(paper, outcome.review, outcome=outcome)


async def stream_reviews(
    generator: Generator,
    items: Iterable[Paper | InputError],
    *,
    concurrency: int,
    calibrate: Calibrate,
) -> AsyncGenerator[ReviewResult, None]:
    """A result per item as each finishes, at most ``concurrency`` papers in flight; an
    unreadable record is a result at once. The papers go on while the consumer handles a
    result (they are not pulled one by one); closing the iterator cancels them."""
    results: asyncio.Queue[ReviewResult | None] = asyncio.Queue()
    slots = asyncio.Semaphore(concurrency)

    async def one(paper: Paper) -> None:
        try:
            results.put_nowait(await review_one(generator, paper, calibrate))
        finally:
            slots.release()

    async def feed() -> None:
        try:
            async with asyncio.TaskGroup() as group:
                for item in items:
                    if isinstance(item, InputError):
                        results.put_nowait(ReviewResult(None, error=item))
                        continue
                    await slots.acquire()
                    group.create_task(one(item))
        except* ReviewerError as fatal:  # a fatal endpoint error, or input that cannot be read:
            raise fatal.exceptions[0] from None  # the papers left were cancelled with it

    feeder = asyncio.create_task(feed())
    feeder.add_done_callback(lambda _: results.put_nowait(None))  # the end, whatever it was
    try:
        while (result := await results.get()) is not None:
            yield result
        feeder.result()  # a fatal error ends the stream here, after what finished
    finally:
        feeder.cancel()
        await asyncio.gather(feeder, return_exceptions=True)
