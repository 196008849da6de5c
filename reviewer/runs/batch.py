"""Batch execution: stream papers through the generator with bounded concurrency into a run.

Input is consumed lazily and at most ``concurrency`` papers are in flight, so memory stays
flat in the number of papers. Every paper ends as exactly one line: a review in
``reviews.jsonl`` or a reason in ``errors.jsonl``. A rerun into the same directory skips the
papers already reviewed there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from reviewer.config import Price
from reviewer.errors import EndpointError, InputError, ReviewerError, ReviewFailed
from reviewer.generation.ensemble import review_paper
from reviewer.generation.generate import Generator, Outcome
from reviewer.generation.options import maker_defaults
from reviewer.inputs.paper import Paper
from reviewer.redact import redact
from reviewer.review import Review
from reviewer.runs.store import RunStore


@dataclass
class RunSummary:
    """What one run did; also the ``counts`` and ``tokens`` parts of the manifest."""

    reviewed: int = 0
    failed: int = 0
    rejected: int = 0
    skipped: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    cost_usd: float | None = None
    flagged: dict[str, list[str]] = field(default_factory=dict)
    followup_requests: int = 0
    notes: list[str] = field(default_factory=list)
    started_at: str = ""
    finished_at: str = ""

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.rejected == 0


Progress = Callable[[str, RunSummary], None]


_END: Any = object()  # the end of the inputs (``next``'s default)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class BatchRunner:
    """Ties a generator to a run directory. ``progress`` is told about each finished paper."""

    generator: Generator
    store: RunStore
    concurrency: int = 8
    limit: int | None = None
    price: Price | None = None
    progress: Progress | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    summary: RunSummary = field(default_factory=RunSummary)
    # Calibrated scores to store beside the raw review (``Reviewer.calibrated``), if any.
    calibrate: Callable[[Paper, Review], dict[str, Any] | None] | None = None

    def _record(self, paper: Paper, outcome: Outcome) -> dict[str, Any]:
        return {
            "paper_id": paper.id,
            "title": paper.title,
            "form": self.generator.form.name,
            "model": self.generator.client.model,
            "review": outcome.review.model_dump(mode="json"),
            "usage": {
                "prompt_tokens": outcome.prompt_tokens,
                "completion_tokens": outcome.completion_tokens,
            },
            "latency_ms": outcome.latency_ms,
            "service_ms": outcome.service_ms,
            "queue_ms": outcome.queue_ms,
            "cached": outcome.cached,
            "attempts": outcome.attempts,
            "flags": outcome.flags,
            "warnings": outcome.warnings,
            **({"stages": outcome.stages} if outcome.stages else {}),
            **({"related": outcome.related} if outcome.related is not None else {}),
            **({"calibrated": c} if (c := self._calibrated(paper, outcome.review)) else {}),
        }

    def _calibrated(self, paper: Paper, review: Review) -> dict[str, Any] | None:
        return self.calibrate(paper, review) if self.calibrate is not None else None

    def _error(self, paper_id: str | None, kind: str, reason: str, **extra: Any) -> None:
        record = {"paper_id": paper_id, "form": self.generator.form.name, "kind": kind}
        self.store.write_error({**record, "reason": reason, **extra})

    async def _one(self, paper: Paper) -> None:
        try:
            outcome = await review_paper(self.generator, paper)
        except ReviewFailed as exc:
            self.summary.failed += 1
            self._error(
                paper.id,
                "invalid_review",
                exc.reason,
                attempts=exc.attempts,
                raw_excerpt=exc.raw_excerpt,
            )
            self._tell(paper.id)
            return
        except EndpointError as exc:
            if exc.fatal:
                raise
            self.summary.failed += 1
            self._error(paper.id, exc.kind, str(exc))
            self._tell(paper.id)
            return
        record = self._record(paper, outcome)
        self.store.write_review(
            record, self.generator.form.to_markdown(paper, outcome.review, record)
        )
        self.summary.reviewed += 1
        self.summary.cached += outcome.cached
        for flag in outcome.flags:
            self.summary.flagged.setdefault(flag, []).append(paper.id)
        self.summary.prompt_tokens += outcome.prompt_tokens
        self.summary.completion_tokens += outcome.completion_tokens
        self._tell(paper.id)

    def _tell(self, paper_id: str) -> None:
        self.summary.requests = self.generator.client.requests_sent
        if self.progress is not None:
            self.progress(paper_id, self.summary)

    async def run(self, items: Iterable[Paper | InputError]) -> RunSummary:
        """Review every pending paper of ``items``; input errors are recorded and counted.
        Raises ``ConfigError`` before touching the folder when another run holds it."""
        self.store.claim()
        try:
            self.summary = RunSummary(started_at=_now())
            done = self.store.done_ids(self.generator.form.name)
            previous = self.store.read_manifest()
            if done and previous:
                note = mixed_note(previous, self._manifest("running"), len(done))
                self.summary.notes.extend([note] if note else [])
            self.store.start_errors()
            self._write_manifest("running")
            try:
                await self._review_all(items, done)
            except BaseException:  # ours, a bug, Ctrl-C: the manifest never stays "running"
                self._write_manifest("aborted")
                raise
            self.summary.requests = self.generator.client.requests_sent
            self.summary.finished_at = _now()
            self._write_manifest("finished")
        finally:
            self.store.close()
        return self.summary

    async def _review_all(self, items: Iterable[Paper | InputError], done: set[str]) -> None:
        """Every pending paper, ``concurrency`` at a time; the first of the tool's own errors
        (a fatal endpoint error, unreadable input) is raised alone, not in an exception group."""
        slots = asyncio.Semaphore(self.concurrency)
        considered = 0

        async def guarded(paper: Paper) -> None:
            try:
                await self._one(paper)
            finally:
                slots.release()

        # Inputs may be read over the network as they are iterated (arXiv or OpenReview ids,
        # with polite pauses and retries): each next item is read in a thread, so the event
        # loop keeps serving the reviews in flight meanwhile.
        pending = iter(items)
        try:
            async with asyncio.TaskGroup() as group:
                while (item := await asyncio.to_thread(next, pending, _END)) is not _END:
                    if isinstance(item, InputError):
                        self.summary.rejected += 1
                        self._error(None, "input", item.reason, source=item.source, line=item.line)
                        continue
                    considered += 1
                    if self.limit is not None and considered > self.limit:
                        break
                    if item.id in done:
                        self.summary.skipped += 1
                        continue
                    done.add(item.id)
                    await slots.acquire()
                    group.create_task(guarded(item))
        except* ReviewerError as group_error:  # a fatal endpoint error or unreadable input
            raise group_error.exceptions[0] from None

    def _cost(self) -> float | None:
        if self.price is None:
            return None
        s = self.summary
        return round(
            (s.prompt_tokens * self.price.input + s.completion_tokens * self.price.output) / 1e6, 6
        )

    def _write_manifest(self, status: str) -> None:
        self.store.write_manifest(self._manifest(status))

    def _manifest(self, status: str) -> dict[str, Any]:
        self.summary.cost_usd = self._cost()
        s = self.summary
        form = self.generator.form
        counts = asdict(self.summary)
        return {
            "status": status,
            "package_version": version("reviewer"),
            # redacted here too: run notes compare it with the previous manifest's, and show it
            "config": redact(
                {**self.settings, "concurrency": self.concurrency, "limit": self.limit}
            ),
            "form": {
                "name": form.name,
                "profile": form.profile,
                "schema_hash": form.schema_hash,
                "template_hash": form.template_hash,
                "max_tokens": form.max_tokens,
                "max_input_tokens": form.max_input_tokens,
                "max_full_text_tokens": form.max_full_text_tokens,
            },
            "model": self.generator.client.model,
            "structured_output": self.generator.client.mode,
            "counts": {
                k: counts[k]
                for k in ("reviewed", "failed", "rejected", "skipped", "cached", "requests")
            },
            "reviews_in_dir": len(self.store.done_ids()),
            "flags": {k: {"count": len(v), "papers": v} for k, v in s.flagged.items()},
            "tokens": {
                "prompt": self.summary.prompt_tokens,
                "completion": self.summary.completion_tokens,
            },
            "cost_usd": self.summary.cost_usd,
            "started_at": self.summary.started_at,
            "finished_at": self.summary.finished_at or None,
            "wall_seconds": _elapsed(self.summary.started_at),
            "notes": s.notes,
        }


MAKER_DEFAULTS = maker_defaults()
"""Run settings that change what a review says (with the model, endpoint and form), each with
what a manifest written before it existed meant by its absence (``reviewer.generation.options``)."""


def _maker(manifest: dict[str, Any]) -> dict[str, Any]:
    """What made a run's reviews, as its manifest records it: the model, where it ran (the
    embedded model's cache id, else the endpoint URL), the form's prompts and schema, and the
    settings that change a review."""
    config = manifest.get("config") or {}
    form = manifest.get("form") or {}
    return {
        "model": manifest.get("model"),
        # an embedded server's URL changes with every start: only its cache id says what ran
        "endpoint": config.get("cache_id")
        or (None if config.get("embedded") else config.get("base_url")),
        "form": form.get("name"),
        "profile": form.get("profile"),
        "prompts": form.get("template_hash"),
        "schema": form.get("schema_hash"),
        **{k: config.get(k, default) for k, default in MAKER_DEFAULTS.items()},
    }


def mixed_note(previous: dict[str, Any], current: dict[str, Any], done: int) -> str | None:
    """A note when a resumed run directory holds reviews made another way than this run makes
    them: they are kept and their papers skipped, which a user who changed the model or the
    prompts and reused ``--out`` would not expect."""
    before, now = _maker(previous), _maker(current)
    changed = [k for k in now if before.get(k) is not None and before[k] != now[k]]
    if not changed:
        return None
    what = ", ".join(
        f"{k} {before[k]} -> {now[k]}" if k not in ("prompts", "schema") else f"{k} changed"
        for k in changed
    )
    return (
        f"{done} reviews already in this directory were made another way ({what}); they are "
        "kept and their papers were skipped: use a new --out to review them this way"
    )


def _elapsed(started_at: str) -> float | None:
    if not started_at:
        return None
    start = datetime.fromisoformat(started_at)
    return round(time.time() - start.timestamp(), 1)
