"""Every operation of a reviewer, written once, as a coroutine.

``AsyncReviewer`` awaits these and ``Reviewer`` runs them to completion from sync code
(``reviewer.library.portal``), so the two faces (and the command line, which uses ``Reviewer``)
review, batch, stream and use batch files through one implementation. Work that blocks goes to
a thread (opening the endpoint, which may start the embedded model; building an exemplar
index; waiting on the Batch API), so an application's event loop keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Iterable
from contextlib import aclosing
from pathlib import Path
from typing import Any

from reviewer.errors import ConfigError
from reviewer.generation.backend import OPENAI_URL
from reviewer.generation.client import BatchAPI
from reviewer.generation.ensemble import review_paper
from reviewer.generation.forms import load_form
from reviewer.generation.generate import Generator, Outcome
from reviewer.generation.related import in_prompt, with_novelty
from reviewer.library.session import Item, PaperLike, Session, as_items, as_paper, calibrate
from reviewer.library.stream import ReviewResult, attach_calibration, stream_reviews
from reviewer.redact import redact
from reviewer.runs.batch import BatchRunner, Progress, RunSummary
from reviewer.runs.batchfile import BatchFiles, paper_index
from reviewer.runs.store import RunStore


class Engine(Session):
    """The operations on a ``Session``; the faces call them and add nothing but their style."""

    def _batch_files(self) -> BatchFiles:
        """Batch files need a model and the endpoint URL (part of cache keys), no live server."""
        s = self.settings
        if not s.model:
            raise ConfigError("batch files need a model: pass --model or set REVIEWER_MODEL")
        mode = "json_schema" if s.structured == "auto" else s.structured
        self._calibration_for(s.model)
        # batch files always go to a hosted endpoint, never the embedded model: full depth
        form = self.form if self._profile_chosen else load_form(self.form.name, "full",
                                                                explicit=False)  # fmt: skip
        if self.related and in_prompt(form):  # as a live run with this profile asks
            form = with_novelty(form)
        options = {**self._options(), "context_window": s.context_window}  # as a live run's
        return BatchFiles(form, self.cache, s.base_url or OPENAI_URL, s.model, mode,
                          options)  # fmt: skip

    async def _open_generator(self) -> Generator:
        """A generator on a fresh client (the caller closes it), built off the loop."""
        return await asyncio.to_thread(self._generator)

    async def _review_outcome(self, paper: PaperLike, sample: int) -> Outcome:
        paper = as_paper(paper)
        generator = await self._open_generator()
        try:
            if sample:
                outcome = await generator.review(paper, sample=sample)
            else:
                outcome = await review_paper(generator, paper)
        finally:
            await generator.client.close()
        attach_calibration(outcome.review, self.calibrated(paper, outcome.review))
        return outcome

    async def _reviews(
        self, papers: Iterable[Item], concurrency: int
    ) -> AsyncGenerator[ReviewResult, None]:
        generator = await self._open_generator()
        _ = self.calibration  # resolved once, before the first paper
        try:
            stream = stream_reviews(
                generator,
                as_items(papers),
                concurrency=self.concurrency_for(concurrency),
                calibrate=self.calibrated,
            )
            async with aclosing(stream):  # leaving early cancels the papers in flight
                async for result in stream:
                    yield result
        finally:
            await generator.client.close()

    async def _batch(
        self,
        papers: Iterable[Item],
        out: str | Path,
        concurrency: int,
        limit: int | None,
        progress: Progress | None,
    ) -> RunSummary:
        store = RunStore(out)
        store.claim()  # one run at a time in a folder; released in close(), whatever happens
        try:
            generator = await self._open_generator()
            runner = BatchRunner(
                generator=generator,
                store=store,
                concurrency=self.concurrency_for(concurrency),
                limit=limit,
                price=self.settings.price_for(generator.client.model),
                progress=progress,
                settings=self.public_settings(),
                calibrate=self.calibrated,
            )
            try:
                summary = await runner.run(as_items(papers))
            finally:
                await generator.client.close()
        finally:
            store.close()
        summary.notes.extend(self.notes)
        return summary

    async def _export_requests(self, papers: Iterable[Item], path: str | Path) -> dict[str, int]:
        files = await asyncio.to_thread(self._batch_files)
        return await files.export(paper_index(list(as_items(papers))), Path(path))

    async def _import_results(
        self,
        papers: Iterable[Item],
        results: str | Path,
        out: str | Path,
        followups: str | Path | None,
        concurrency: int,
        progress: Progress | None,
    ) -> RunSummary:
        files = await asyncio.to_thread(self._batch_files)
        items = list(as_items(papers))
        store = RunStore(out)
        path = Path(followups) if followups else store.dir / "followup-requests.jsonl"
        calibration = self._calibration_for(files.model)
        store.claim()  # before the follow-ups file is rewritten; released in close()
        try:
            with path.open("w", encoding="utf-8") as fh:
                client, problems = files.answering(paper_index(items), Path(results), fh)
                runner = BatchRunner(
                    generator=files.generator(client), store=store, concurrency=concurrency,
                    price=self.settings.price_for(files.model), progress=progress,
                    settings=redact({"base_url": files.base_url, "model": files.model,
                              "form": self.form.name, "profile": files.form.profile,
                              "structured": files.mode, **self._options_record(),
                              "results_file": str(results), "followups_file": str(path)}),
                    calibrate=lambda paper, review: calibrate(calibration, paper, review),
                )  # fmt: skip
                summary = await runner.run(items)
        finally:
            store.close()
        if not client.written:
            path.unlink(missing_ok=True)
        summary.notes.extend([*problems, *self.notes])
        summary.followup_requests = client.written
        return summary

    async def _batch_via_openai(
        self,
        papers: Iterable[Item],
        out: str | Path,
        poll_seconds: float,
        status: Callable[[str], None] | None,
    ) -> RunSummary:
        files = await asyncio.to_thread(self._batch_files)
        items = list(as_items(papers))
        holder = RunStore(out)
        holder.claim()  # the folder is held for the whole round trip (each import again)
        try:
            return await self._round_trip(files, items, holder.dir, poll_seconds, status)
        finally:
            holder.close()

    async def _round_trip(
        self,
        files: BatchFiles,
        items: list[Any],
        out: Path,
        poll_seconds: float,
        status: Callable[[str], None] | None,
    ) -> RunSummary:
        index = paper_index(items)
        work = out / "openai-batch"
        work.mkdir(parents=True, exist_ok=True)
        api = BatchAPI(base_url=files.base_url, api_key=self.settings.api_key,
                       timeout=self.settings.request_timeout(),
                       max_attempts=self.settings.max_retries + 1,
                       backoff_base=self.settings.backoff_base)  # fmt: skip
        summary, earlier = RunSummary(), RunSummary()
        for round_no in range(1, self.options.max_reasks + 3):
            requests = work / f"requests-{round_no}.jsonl"
            results = work / f"results-{round_no}.jsonl"
            sent = (await files.export(index, requests))["requests"]
            if sent:
                if status:
                    status(f"round {round_no}: {sent} requests")
                await asyncio.to_thread(
                    api.run, requests, results, poll_seconds=poll_seconds, progress=status
                )  # its polling blocks: off the loop
            else:
                results.write_text("", encoding="utf-8")
            followups = work / f"followups-{round_no}.jsonl"
            if round_no > 1:
                for name in ("reviewed", "prompt_tokens", "completion_tokens"):
                    setattr(earlier, name, getattr(earlier, name) + getattr(summary, name))
            summary = await self._import_results(items, results, out, followups, 8, None)
            if not sent or not summary.followup_requests:
                break
        # Report the whole round trip: papers reviewed in earlier rounds are not "skipped".
        summary.skipped -= earlier.reviewed
        for name in ("reviewed", "prompt_tokens", "completion_tokens"):
            setattr(summary, name, getattr(summary, name) + getattr(earlier, name))
        return summary
