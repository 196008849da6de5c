"""Progress for library users: a callback per finished paper, or a bar.

``progress="bar"`` draws papers done out of the total with rich (already a dependency). In a
notebook the bar is one output updated in place through IPython's display handles, so it
needs no widget library; elsewhere it is rich's live bar on stderr. The command line keeps its
own bar, with rates and an ETA (``reviewer.cli.batch``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from importlib import import_module
from typing import Any, Literal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reviewer.errors import ConfigError
from reviewer.library.stream import ReviewResult
from reviewer.runs.batch import Progress as BatchProgress
from reviewer.runs.batch import RunSummary

ResultProgress = Callable[[ReviewResult, int, int | None], None]
"""Told of each result as it arrives: the result, results so far, and the total when known."""
BAR = "bar"
NOTEBOOK_REFRESH = 0.25  # seconds between redraws of a notebook's bar (each one sends HTML)


def total_of(papers: Iterable[Any]) -> int | None:
    """How many papers there are when that is known without reading them (a list: yes)."""
    return len(papers) if isinstance(papers, Sized) else None


class ProgressBar:
    """Papers done (and failed) of ``total``, drawn while the work runs; ``close`` at the end."""

    def __init__(self, total: int | None, *, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]}"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
        )
        self._task = self._progress.add_task("reviewing", total=total, failed="")
        self._drawn = 0.0
        self._handle = _notebook_output(self._progress)
        if self._handle is None:
            self._progress.start()

    def update(self, done: int, failed: int = 0) -> None:
        """Safe from any thread: a notebook's output is updated by its display id."""
        self._progress.update(
            self._task, completed=done, failed=f"{failed} failed" if failed else ""
        )
        if self._handle is not None and time.monotonic() - self._drawn >= NOTEBOOK_REFRESH:
            self._draw()

    def _draw(self) -> None:
        self._handle.update(self._progress)
        self._drawn = time.monotonic()

    def close(self) -> None:
        if self._handle is not None:
            self._draw()  # the final count, whatever the throttle skipped
        else:
            self._progress.stop()


def _notebook_output(progress: Progress) -> Any:
    """An updatable output of the running notebook cell showing ``progress``, or None when
    not in a notebook (rich's own check: a Jupyter kernel, Colab, Databricks)."""
    if not Console().is_jupyter:
        return None
    display: Callable[..., Any] = import_module("IPython.display").display  # in every notebook
    return display(progress, display_id=True)


class Tally:
    """Counts a stream's results for its ``progress`` argument: a callback, ``"bar"``, or
    None. Called in the thread that consumes the stream (a notebook's cell, for the bar)."""

    def __init__(self, progress: ResultProgress | Literal["bar"] | None, total: int | None):
        if isinstance(progress, str) and progress != BAR:
            raise ConfigError(f'progress must be a callable, "bar" or None, not {progress!r}')
        self.total = total
        self.done = self.failed = 0
        self._callback = None if isinstance(progress, str) else progress
        self._bar = ProgressBar(total) if progress == BAR else None

    def tell(self, result: ReviewResult) -> None:
        self.done += 1
        self.failed += not result.ok
        if self._callback is not None:
            self._callback(result, self.done, self.total)
        if self._bar is not None:
            self._bar.update(self.done, self.failed)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@contextmanager
def batch_progress(
    progress: BatchProgress | Literal["bar"] | None, total: int | None
) -> Iterator[BatchProgress | None]:
    """A batch's ``progress`` argument as the batch runner takes it: a callback as it is,
    ``"bar"`` as a bar drawn for the duration of the block."""
    if not isinstance(progress, str):
        yield progress
        return
    if progress != BAR:
        raise ConfigError(f'progress must be a callable, "bar" or None, not {progress!r}')
    bar = ProgressBar(total)

    def tick(_paper_id: str, s: RunSummary) -> None:
        bar.update(s.reviewed + s.failed + s.skipped + s.rejected, s.failed)

    try:
        yield tick
    finally:
        bar.close()
