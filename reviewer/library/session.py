"""What every reviewer holds, sync or async: its settings, form, cache and endpoint.

``Session`` resolves the options once (as the command line does) and opens what they name
lazily and once: the endpoint (and the embedded model's shared server), the calibration, the
exemplar index. ``reviewer.library.engine`` builds the operations on it and the two faces,
``Reviewer`` and ``AsyncReviewer``, expose them. Its lazy parts are guarded by a lock, since a
sync reviewer may be called from several threads at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from reviewer.cache import CompletionCache
from reviewer.calibration import (
    Calibration,
    paper_text,
    resolve_default,
    venue_key,
)
from reviewer.calibration import resolve as resolve_calibration
from reviewer.checks import words
from reviewer.checks.grounding import GenericRule
from reviewer.config import Settings, load_settings
from reviewer.errors import ConfigError, InputError, require_extra
from reviewer.generation.backend import (
    Endpoint,
    choose_profile,
    embedded_context,
    open_endpoint,
)
from reviewer.generation.client import ChatClient
from reviewer.generation.exemplars import ExemplarSource
from reviewer.generation.focus import FocusSource, load_focus
from reviewer.generation.forms import load_form
from reviewer.generation.generate import Generator
from reviewer.generation.options import GenerationOptions
from reviewer.generation.ratelimit import RateLimiter
from reviewer.generation.related import in_prompt, with_novelty
from reviewer.generation.slots import SlotGate
from reviewer.inputs.paper import Paper, paper_from_record
from reviewer.redact import redact
from reviewer.review import Review

if TYPE_CHECKING:
    from reviewer.related.find import RelatedSource

PaperLike = Paper | dict[str, Any]
"""A paper, or a record of one (``id``, ``title``, ``abstract``...) as a JSONL line holds it."""
Item = Paper | InputError | dict[str, Any]
"""What a paper list may hold: papers, records, and the input errors ``read_papers`` yields."""


def as_paper(paper: PaperLike) -> Paper:
    return paper if isinstance(paper, Paper) else paper_from_record(paper)


def as_items(papers: Iterable[Item]) -> Iterable[Paper | InputError]:
    """``papers`` with every record read into a ``Paper``, lazily (memory flat in the count)."""
    return (p if isinstance(p, Paper | InputError) else paper_from_record(p) for p in papers)


class Session:
    """One form against one endpoint: the options, and what they open (until ``close``).

    Where reviews are generated: ``model``, ``base_url`` and ``api_key`` (else the
    environment, the config file, else the embedded model: ``local_model``), ``settings``
    (a whole ``Settings`` in their place), the transport's ``timeout`` and ``max_retries``,
    rate limits ``rpm`` and ``tpm``, the cache's folder ``cache_dir``. How: ``options``
    (``GenerationOptions``), with ``changes`` to single fields given by name
    (``Reviewer(form="referee", samples=3)``)."""

    def __init__(
        self,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        options: GenerationOptions | None = None,
        local_model: str | None = None,
        settings: Settings | None = None,
        cache_dir: str | Path | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        rpm: float | None = None,
        tpm: float | None = None,
        **changes: Any,
    ) -> None:
        self.options = opts = (options or GenerationOptions()).with_changes(**changes)
        self.settings = settings or load_settings(
            model=model,
            base_url=base_url,
            api_key=api_key,
            structured=opts.structured,
            timeout=timeout,
            max_retries=max_retries,
            profile=opts.profile,
        )
        if settings is not None and opts.profile is not None:
            self.settings = settings.model_copy(update={"profile": opts.profile})
        name, self._profile_chosen = choose_profile(self.settings)
        self.form = load_form(opts.form, name, explicit=self._profile_chosen)
        self.cache = CompletionCache(Path(cache_dir) if cache_dir else None, enabled=opts.cache)
        self.local_model = local_model
        self.rpm, self.tpm = rpm, tpm
        if opts.samples < 1 or opts.reflect < 0:
            raise ConfigError("samples must be at least 1 and reflect at least 0")
        self.check_generic = bool(opts.check_generic)
        self._generic = None if isinstance(opts.check_generic, bool) else opts.check_generic
        # an explicit file is read now (errors early); the default waits for the model's name
        self._calibration = resolve_calibration(opts.calibration) if opts.calibration else None
        if self._calibration is not None:  # its scores must be fields of this form's reviews
            self._calibration.require_fields(set(self.form.schema.model_fields), self.form.name)
        self._calibration_resolved = opts.calibration is not None
        exemplars = opts.exemplars
        self.exemplars = exemplars if isinstance(exemplars, int) else getattr(exemplars, "k", 1)
        self._exemplar_source = None if isinstance(exemplars, int) else exemplars
        self.focus = bool(opts.focus)
        self._focus = None if isinstance(opts.focus, bool) else opts.focus
        # related work: K earlier papers per paper from a corpus (reviewer.related), listed with
        # each review; for a profile that asks for it, in the prompt with a novelty paragraph
        related = opts.related
        self.related = related if isinstance(related, int) else related.k
        self._related_source = None if isinstance(related, int) else related
        self.related_corpus = opts.related_corpus
        if self.related < 0:
            raise ConfigError("related must be at least 0")
        if self.related and in_prompt(self.form):
            self.form = with_novelty(self.form)
        self._require_extras()  # before any endpoint, model or progress bar is started
        self._stack = ExitStack()
        self._endpoint: Endpoint | None = None
        self._lock = threading.RLock()  # opens each lazy part once, whichever thread asks
        self.notes: list[str] = []  # what the user should know about the run (e.g. an extra)

    @classmethod
    def from_values(cls, values: Mapping[str, Any], **extra: Any) -> Self:
        """A reviewer from flat values, as a command's parsed flags hold them: ``model``,
        ``base_url``, ``local_model`` and any field of ``GenerationOptions``; others ignored."""
        return cls(
            model=values.get("model"),
            base_url=values.get("base_url"),
            local_model=values.get("local_model"),
            options=GenerationOptions.from_values(values),
            **extra,
        )

    @property
    def endpoint(self) -> Endpoint:
        """The endpoint in use, opened (and the embedded server started) on first use."""
        with self._lock:
            if self._endpoint is None:
                self._endpoint = self._stack.enter_context(
                    open_endpoint(
                        self.settings,
                        self.local_model,
                        n_ctx=embedded_context(self.form.default_context_window),
                    )
                )
            return self._endpoint

    def _generator(self) -> Generator:
        ep = self.endpoint
        client = ChatClient(
            base_url=ep.base_url,
            api_key=ep.api_key,
            model=ep.model,
            structured=ep.structured,
            timeout=self.settings.request_timeout(ep.embedded),
            max_attempts=self.settings.max_retries + 1,
            backoff_base=self.settings.backoff_base,
            limiter=RateLimiter(self.rpm, self.tpm) if (self.rpm or self.tpm) else None,
            gate=SlotGate(ep.slots, ep.base_url) if ep.slots else None,
            cache_id=ep.cache_id,
            extra_body=ep.extra_body,
        )
        return Generator(
            client,
            self.cache,
            self.form,
            context_window=ep.context_window,
            repair_words=ep.embedded and words.available(),
            **{**self._options(), "grounding_reasks": self._grounding_reasks()},
        )

    def _grounding_reasks(self) -> int:
        """Re-asks for grounding findings: as asked, else the endpoint's, else ``max_reasks``."""
        for value in (self.options.grounding_reasks, self.endpoint.grounding_reasks):
            if value is not None:
                return value
        return self.options.max_reasks

    def _options(self) -> dict[str, Any]:
        """Every generation option as the ``Generator`` takes it, for live runs and batch
        files alike (so neither drops one): the plain ones, and the rule and sources built
        from the flags."""
        o = self.options
        return {
            "max_reasks": o.max_reasks,
            "grounding_reasks": o.grounding_reasks,
            "temperature": o.temperature,
            "samples": o.samples,
            "reflect": o.reflect,
            "check_quotes": o.check_quotes,
            "edit": o.edit,
            "generic": self._generic_rule(),
            "exemplars": self._exemplars(),
            "focus": self._focus_source(),
            "related": self._related(),
        }

    def _options_record(self) -> dict[str, Any]:
        """The generation options as the manifest records them."""
        calibration = self.calibration.fitted if self.calibration is not None else None
        return {
            **self.options.record(),
            "related_corpus": self.related_corpus if self.related else None,
            "calibration": calibration,
        }

    @property
    def calibration(self) -> Calibration | None:
        """The score calibration in use: an explicit file, or the repo's file when it was
        fitted on this endpoint's model and this form (opens the endpoint to know the model)."""
        if self._calibration_resolved:
            return self._calibration
        return self._calibration_for(self.endpoint.model)

    def _calibration_for(self, model: str) -> Calibration | None:
        """Resolve the default calibration for ``model`` once (batch files know the model from
        the settings, without opening an endpoint)."""
        with self._lock:
            if not self._calibration_resolved:
                self._calibration, note = resolve_default(model, self.form.name)
                self.notes.extend([note] if note else [])
                self._calibration_resolved = True
            return self._calibration

    def calibrated(self, paper: Paper, review: Review) -> dict[str, Any] | None:
        """The review's overall and decision on the human scale of the paper's venue-year
        (pooled when unknown), with its interval, as a run record stores it; None without a
        calibration. The raw review is unchanged."""
        return calibrate(self.calibration, paper, review)

    def _require_extras(self) -> None:
        """A feature whose extra is missing fails now, in one line naming the extra."""
        if self._exemplar_source is None and self.exemplars > 0:
            require_extra("--exemplars", "embeddings")
        if self.check_generic and self._generic is None:
            require_extra("--generic-check", "eval")
            require_extra("--generic-check", "embeddings")
        if self.related and self._related_source is None:
            require_extra("--related", "related")
            require_extra("--related", "embeddings")
        if self.focus and self._focus is None:
            require_extra("--focus", "eval")
            self._focus = load_focus()  # a missing or broken file fails now, not mid-batch

    def _exemplars(self) -> ExemplarSource | None:
        """Nearest train-split papers' human reviews, ``exemplars`` per paper (built once)."""
        with self._lock:
            if self._exemplar_source is None and self.exemplars > 0:
                from reviewer.generation.exemplars import (
                    ExemplarIndex,  # the [eval] extra (checked at start)
                )

                self._exemplar_source = ExemplarIndex.from_train_split(k=self.exemplars)
            return self._exemplar_source

    def _related(self) -> RelatedSource | None:
        """The related-work source, when asked for: its index built (or read from the cache)
        once; what it has to say (an online source unreachable) goes to ``notes``."""
        with self._lock:
            if self._related_source is None and self.related > 0:
                from reviewer.related.find import open_related  # the [related] extra

                self._related_source = open_related(self.related_corpus, self.related)
            if self._related_source is not None:
                self._related_source.notes = self.notes
            return self._related_source

    def _focus_source(self) -> FocusSource | None:
        """The weakness focus, when asked for (loaded at start by ``_require_extras``)."""
        return self._focus if self.focus else None

    def _generic_rule(self) -> GenericRule | None:
        """The eval's generic-comment rule over train-split human comments (built once)."""
        with self._lock:
            if self.check_generic and self._generic is None:
                from reviewer.checks.generic import (
                    GenericCheck,  # the [eval] extra (checked at start)
                )

                self._generic = GenericCheck.from_train_split()
            return self._generic

    def concurrency_for(self, requested: int) -> int:
        """Papers in flight: ``requested``, capped at the server's slots when it has a known
        number (more would only wait for a slot)."""
        slots = self.endpoint.slots
        return min(requested, slots) if slots else requested

    def public_settings(self) -> dict[str, Any]:
        """Settings safe to write to disk: never the API key, no credentials in URLs."""
        ep = self.endpoint
        return redact(
            {
                **self._options_record(),  # as asked; what they resolved to follows
                "base_url": ep.base_url,
                "model": ep.model,
                "embedded": ep.embedded,
                "cache_id": ep.cache_id,  # the embedded model's server program and penalty
                "form": self.form.name,
                "profile": self.form.profile,
                "structured": ep.structured,
                "grounding_reasks": self._grounding_reasks(),
                "cache": self.cache.enabled,
                "timeout": self.settings.request_timeout(ep.embedded),
                "server_slots": ep.slots,
                "max_retries": self.settings.max_retries,
                "rpm": self.rpm,
                "tpm": self.tpm,
            }
        )

    def close(self) -> None:
        """Leave the endpoint (the embedded server stops when no other reviewer uses it) and
        close the cache; a later call opens them again."""
        with self._lock:
            self._stack.close()
            self._endpoint = None
            self.cache.close()


def calibrate(
    calibration: Calibration | None, paper: Paper, review: Review
) -> dict[str, Any] | None:
    """The review's overall and decision on the human scale of the paper's venue-year, as a
    run record stores them; None without a calibration."""
    if calibration is None:
        return None
    venue = venue_key(paper.venue, paper.year)
    text = paper_text(paper.title, paper.abstract)
    return calibration.apply(review.model_dump(), venue, text)
