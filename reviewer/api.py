"""The library entry point: ``Reviewer(...).review(paper)`` and ``.batch(papers, out=...)``.

The CLI goes through this class too, so the library and the command line cannot drift.
Each call runs its own event loop and client; the endpoint (and the embedded model server,
when no endpoint is configured) lives until ``close()`` or the end of a ``with`` block.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from reviewer.backend import Endpoint, open_endpoint
from reviewer.batch import BatchRunner, Progress, RunSummary
from reviewer.cache import CompletionCache
from reviewer.client import ChatClient
from reviewer.config import Settings, load_settings
from reviewer.errors import InputError
from reviewer.forms import load_form
from reviewer.generate import DEFAULT_MAX_REASKS, Generator, Outcome
from reviewer.paper import Paper, paper_from_record
from reviewer.ratelimit import RateLimiter
from reviewer.review import Review
from reviewer.runstore import RunStore


class Reviewer:
    """Generates validated reviews of one form against one endpoint."""

    def __init__(
        self,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        form: str = "sections",
        cache: bool = True,
        cache_dir: str | Path | None = None,
        local_model: str | None = None,
        max_reasks: int = DEFAULT_MAX_REASKS,
        structured: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        temperature: float | None = None,
        settings: Settings | None = None,
        rpm: float | None = None,
        tpm: float | None = None,
    ) -> None:
        self.settings = settings or load_settings(
            model=model,
            base_url=base_url,
            api_key=api_key,
            structured=structured,
            timeout=timeout,
            max_retries=max_retries,
        )
        self.form = load_form(form)
        self.cache = CompletionCache(Path(cache_dir) if cache_dir else None, enabled=cache)
        self.local_model = local_model
        self.max_reasks = max_reasks
        self.temperature = temperature
        self.rpm, self.tpm = rpm, tpm
        self._stack = ExitStack()
        self._endpoint: Endpoint | None = None

    @property
    def endpoint(self) -> Endpoint:
        """The endpoint in use, opened (and the embedded server started) on first use."""
        if self._endpoint is None:
            self._endpoint = self._stack.enter_context(
                open_endpoint(self.settings, self.local_model)
            )
        return self._endpoint

    def _generator(self) -> Generator:
        ep = self.endpoint
        client = ChatClient(
            base_url=ep.base_url,
            api_key=ep.api_key,
            model=ep.model,
            structured=ep.structured,
            timeout=self.settings.timeout,
            max_attempts=self.settings.max_retries + 1,
            backoff_base=self.settings.backoff_base,
            limiter=RateLimiter(self.rpm, self.tpm) if (self.rpm or self.tpm) else None,
        )
        return Generator(
            client, self.cache, self.form, self.max_reasks, self.temperature, ep.context_window
        )

    def review_outcome(self, paper: Paper | dict[str, Any], *, sample: int = 0) -> Outcome:
        """A review with its usage, latency, attempts and cache status."""
        paper = paper if isinstance(paper, Paper) else paper_from_record(paper)

        async def go() -> Outcome:
            generator = self._generator()
            try:
                return await generator.review(paper, sample=sample)
            finally:
                await generator.client.close()

        return asyncio.run(go())

    def review(self, paper: Paper | dict[str, Any], *, sample: int = 0) -> Review:
        """A schema-valid review of ``paper``; raises ``ReviewFailed`` when none could be had."""
        return self.review_outcome(paper, sample=sample).review

    def batch(
        self,
        papers: Iterable[Paper | InputError | dict[str, Any]],
        out: str | Path,
        *,
        concurrency: int = 8,
        limit: int | None = None,
        progress: Progress | None = None,
    ) -> RunSummary:
        """Review ``papers`` into the run directory ``out`` (resuming what is already there)."""
        items = (p if isinstance(p, Paper | InputError) else paper_from_record(p) for p in papers)

        async def go() -> RunSummary:
            generator = self._generator()
            runner = BatchRunner(
                generator=generator,
                store=RunStore(out),
                concurrency=concurrency,
                limit=limit,
                price=self.settings.price_for(generator.client.model),
                progress=progress,
                settings=self.public_settings(),
            )
            try:
                return await runner.run(items)
            finally:
                await generator.client.close()

        return asyncio.run(go())

    def public_settings(self) -> dict[str, Any]:
        """Settings safe to write to disk: never the API key."""
        ep = self.endpoint
        return {
            "base_url": ep.base_url,
            "model": ep.model,
            "embedded": ep.embedded,
            "form": self.form.name,
            "structured": ep.structured,
            "max_reasks": self.max_reasks,
            "temperature": self.temperature,
            "cache": self.cache.enabled,
            "timeout": self.settings.timeout,
            "max_retries": self.settings.max_retries,
            "rpm": self.rpm,
            "tpm": self.tpm,
        }

    def close(self) -> None:
        self._stack.close()
        self._endpoint = None
        self.cache.close()

    def __enter__(self) -> Reviewer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
