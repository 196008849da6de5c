"""The validation stage: messages -> completion (cached, retried) -> validated ``Review``.

A reply that does not parse, breaks the schema or was cut off is sent back with the error
and asked again, a bounded number of times (the instructor pattern). Every reply, valid or
not, is cached: it was paid for, and a rerun replays the same conversation from the cache
without sending a request.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from reviewer.cache import CompletionCache, completion_key
from reviewer.checks import (
    Grounding,
    Guard,
    RelatedCitations,
    WordRepair,
    grounding,
    notes,
    review_checks,
)
from reviewer.checks.grounding import GenericRule
from reviewer.errors import ReviewFailed
from reviewer.generation.client import ChatClient, Completion
from reviewer.generation.exemplars import ExemplarSource
from reviewer.generation.focus import FocusSource
from reviewer.generation.forms import Form, Messages
from reviewer.generation.options import DEFAULT_MAX_REASKS
from reviewer.inputs.paper import CHARS_PER_TOKEN, Paper
from reviewer.review import Review

if TYPE_CHECKING:
    from reviewer.related.find import RelatedSource

EXCERPT_CHARS = 500
TRUNCATED_ECHO = 300
REASK_HEAT = 0.3  # temperature added per re-ask
FULL_TEXT_MARGIN = 64  # tokens kept free beside the full text (its header, estimate error)
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def extract_json(text: str) -> Any:
    """Parse a JSON object from a reply, tolerating code fences and prose around it."""
    text = text.strip()
    if not text:
        raise ValueError("the reply was empty")
    if text.startswith("{"):
        try:  # the common case: the whole reply is the object
            value = json.loads(text)
        except json.JSONDecodeError:
            pass
        else:
            if isinstance(value, dict):
                return value
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        for start in [i for i, ch in enumerate(candidate) if ch == "{"][:20]:
            try:
                value, _ = decoder.raw_decode(candidate, start)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the reply is not valid JSON: {exc.msg} at char {exc.pos}") from None
    raise ValueError("the reply is JSON but not an object")


def _schema_errors(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors()[:10]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        lines.append(f"- {loc}: {err['msg']}")
    return "\n".join(lines)


def check_reply(form: Form, completion: Completion) -> Review:
    """Validate one reply into the form's schema; ``ValueError`` says what is wrong."""
    if completion.finish_reason == "length":
        raise ValueError(
            "the reply was cut off at the output limit before the JSON object was complete; "
            "write shorter paragraphs"
        )
    data = extract_json(completion.text)
    try:
        return form.schema.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"the JSON does not match the schema:\n{_schema_errors(exc)}") from None


@dataclass
class Outcome:
    """A validated review plus what it cost to get it."""

    review: Review
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0  # wall time of the whole review, queueing included
    service_ms: int = 0  # time the endpoint spent serving its requests (fresh replies only)
    queue_ms: int = 0  # time its requests waited for a free server slot or the rate limiter
    attempts: int = 0
    cached: bool = True
    flags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    related: list[dict[str, Any]] | None = None  # the earlier papers found, when asked for


@dataclass
class Prompt:
    """What is sent for one paper, and the paper text alone (what quotes are checked against;
    with related work in the prompt, the related papers too: the model was shown them)."""

    messages: Messages
    flags: list[str]
    warnings: list[str]
    source: str
    related: list[dict[str, Any]] | None = None


@dataclass
class Generator:
    """Runs one paper through render, cache, client and validation for one form."""

    client: ChatClient
    cache: CompletionCache
    form: Form
    max_reasks: int = DEFAULT_MAX_REASKS
    temperature: float | None = None
    context_window: int | None = None
    samples: int = 1
    reflect: int = 0
    check_quotes: bool = True
    # False: the checks report what they find and change nothing in the model's text
    edit: bool = True
    generic: GenericRule | None = None  # the eval's generic-comment rule, when enabled
    exemplars: ExemplarSource | None = None  # few-shot human reviews of similar train papers
    focus: FocusSource | None = None  # aspects to aim the weaknesses at (``--focus``)
    # Split words run together (the embedded model's anti-copy penalty makes them): on for it.
    repair_words: bool = False
    # Re-asks spent on grounding findings (invented numbers, names, quotes, non-comments); None:
    # up to max_reasks. An invalid reply is always re-asked up to max_reasks.
    grounding_reasks: int | None = None
    # Earlier papers like each one (``--related K``): listed with the review; in the prompt
    # too, with a novelty paragraph, for profiles that ask for it (``reviewer.generation.related``)
    related: RelatedSource | None = None

    @property
    def _checks(self) -> tuple[WordRepair, Grounding]:
        """The review checks in their declared order (``reviewer.checks``)."""
        return review_checks(self.generic)

    def params(self, sample: int) -> dict[str, Any]:
        temperature = self.form.temperature if self.temperature is None else self.temperature
        if sample > 0 and temperature == 0:
            temperature = 0.7  # independent samples must be able to differ
        return {"temperature": temperature, "max_tokens": self.form.max_tokens, "seed": sample}

    def _key(self, messages: Messages, params: dict[str, Any], sample: int, mode: str) -> str:
        """The cache key of ``messages`` completed in structured-output ``mode`` (the
        conversation as that mode sends it: with plain prompting, the schema in the text)."""
        return completion_key(
            base_url=self.client.cache_id,
            model=self.client.model,
            messages=self._for_mode(messages, mode),
            params={**params, "structured": mode},
            schema_hash=self.form.schema_hash,
            template_hash=self.form.template_hash,
            sample=sample,
        )

    async def _completion(
        self, messages: Messages, params: dict[str, Any], sample: int, paper_id: str
    ) -> tuple[Completion, bool]:
        mode = self.client.mode  # read once: a step-down elsewhere may change it meanwhile
        hit = self.cache.get(self._key(messages, params, sample, mode))
        if hit is not None:
            return Completion.from_dict(hit), True
        completion = await self.client.complete(
            messages,
            schema=self.form.json_schema,
            schema_name=self.form.name,
            params=params,
            render=lambda sent_in: self._for_mode(messages, sent_in),
            paper_id=paper_id,
            sample=sample,
        )
        # filed under the mode the reply was made in, which a step-down may have changed
        made_in = completion.mode or mode
        self.cache.put(self._key(messages, params, sample, made_in), completion.to_dict())
        return completion, False

    def _for_mode(self, messages: Messages, mode: str) -> Messages:
        """``messages`` with the form's system prompt as ``mode`` needs it (the schema in the
        text for plain prompting); other conversations are sent as they are."""
        system = self.form.system_prompt(mode == "prompt")
        first = messages[0] if messages else {}
        if first.get("role") != "system" or first.get("content") == system:
            return messages
        if first.get("content") != self.form.system_prompt(mode != "prompt"):
            return messages
        return [{"role": "system", "content": system}, *messages[1:]]

    def _check_size(self, messages: Messages) -> None:
        """Refuse before sending when prompt plus output cannot fit the model's context."""
        if self.context_window is None:
            return
        estimate = sum(len(m["content"]) for m in messages) // CHARS_PER_TOKEN
        if estimate + self.form.max_tokens > self.context_window:
            raise ReviewFailed(
                f"prompt too large: about {estimate} tokens plus {self.form.max_tokens} for the "
                f"reply exceed the model's context of {self.context_window} tokens"
            )

    def full_text_budget(self, paper: Paper) -> int:
        """Tokens of full text that fit: the model's context (or the profile's assumed one)
        minus the reply and the rest of the prompt, at most the profile's cap."""
        cap = self.form.max_full_text_tokens
        window = self.context_window or self.form.default_context_window
        if window is None or not isinstance(paper.metadata.get("full_text"), str):
            return cap
        bare = paper.model_copy(update={"metadata": {**paper.metadata, "full_text": ""}})
        rest = sum(len(m["content"]) for m in self.form.render(bare)) // CHARS_PER_TOKEN
        return max(0, min(cap, window - self.form.max_tokens - rest - FULL_TEXT_MARGIN))

    async def prompt_for(self, paper: Paper) -> Prompt:
        """The guarded, rendered conversation for ``paper`` with the guard's flags and warnings
        (and, when configured, exemplar reviews of similar train papers before the paper: their
        retrieval encodes the abstract, CPU work that runs in a thread so that the requests in
        flight are not stalled; and the weakness focus after it)."""
        guarded = Guard(self.form.max_input_tokens, self.full_text_budget(paper)).guarded(paper)
        messages = self.form.render(guarded.paper, include_schema=self.client.mode == "prompt")
        source = messages[-1]["content"]
        if self.exemplars is not None:
            shots = await asyncio.to_thread(self.exemplars.for_paper, paper)
            if shots:
                intro = self.form.shared_template("exemplars.j2").render(exemplars=shots)
                messages[-1] = {"role": "user", "content": f"{intro.strip()}\n\n{source}"}
        if self.focus is not None:
            aspects = self.focus.for_paper(paper)
            if aspects:
                ask = self.form.shared_template("focus.j2").render(aspects=aspects).strip()
                content = messages[-1]["content"].rstrip()
                messages[-1] = {"role": "user", "content": f"{content}\n\n{ask}"}
        prompt = Prompt(messages, guarded.flags, guarded.warnings, source)
        if self.related is not None:
            await self._add_related(paper, prompt)
        return prompt

    async def _add_related(self, paper: Paper, prompt: Prompt) -> None:
        """The paper's related work on ``prompt``: always listed; for a form whose schema asks
        for novelty, also a guarded block after the paper (and in the text checked against)."""
        from reviewer.generation.related import related_block

        assert self.related is not None
        hits = await asyncio.to_thread(self.related.for_paper, paper)  # CPU work: off the loop
        prompt.related = [hit.to_record() for hit in hits]
        if "novelty" not in self.form.schema.model_fields:
            return
        block = related_block(self.form, hits)
        content = prompt.messages[-1]["content"].rstrip()
        prompt.messages[-1] = {"role": "user", "content": f"{content}\n\n{block.text}"}
        prompt.source = f"{prompt.source}\n\n{block.text}"
        prompt.flags += [f for f in block.flags if f not in prompt.flags]
        prompt.warnings += block.warnings

    async def review(
        self, paper: Paper, *, sample: int = 0, prompt: Prompt | None = None
    ) -> Outcome:
        """A validated review of ``paper``, or ``ReviewFailed`` with the last reason and reply.
        ``prompt``: the paper's prompt when the caller already built it (ensemble samples)."""
        prompt = prompt or await self.prompt_for(paper)
        outcome = await self.validated(
            prompt.messages, paper_id=paper.id, sample=sample, source=prompt.source
        )
        outcome.flags, outcome.warnings = prompt.flags, [*prompt.warnings, *outcome.warnings]
        outcome.related = prompt.related
        return outcome

    async def validated(
        self,
        messages: Messages,
        *,
        paper_id: str,
        sample: int = 0,
        params: dict[str, Any] | None = None,
        source: str | None = None,
    ) -> Outcome:
        """Complete ``messages`` into a schema-valid review, re-asking with the error if not.

        ``paper_id`` and ``sample`` say whose request it is (batch files label requests by them).

        With ``source`` (the paper text the model was shown), a valid review must also be
        grounded in it (``reviewer.checks.grounding``); what is still not after the last attempt is
        dropped where the form allows, and noted in the outcome's warnings."""
        started = time.perf_counter()
        self._check_size(messages)
        params = params or self.params(sample)
        usage = [0, 0]
        service_s = queue_s = 0.0
        all_cached = True
        reason, last_text = "", ""
        attempts = self.max_reasks + 1
        grounding_left = self.max_reasks if self.grounding_reasks is None else self.grounding_reasks
        # The last valid review and its findings: a re-ask about its grounding whose replies are
        # all invalid must not cost the review itself.
        earlier: tuple[Review, list[str], list[grounding.Finding]] | None = None
        repair, ground = self._checks

        def finished(
            review: Review, warnings: list[str], findings: list[grounding.Finding], attempt: int
        ) -> Outcome:
            if findings and self.edit:
                review, dropped = ground.fix(review, findings, source or "")
                warnings = [*warnings, *dropped]
            elif findings:  # reported only: each listed under "Not verified"
                warnings = [*warnings, *(notes.KEPT + f.describe() for f in findings)]
            cited = RelatedCitations()  # only a prompt with related work gives it anything
            citations = cited.find(review, source or "")
            if citations and self.edit:
                review, lines = cited.fix(review, citations)
                warnings = [*warnings, *lines]
            elif citations:
                warnings = [*warnings, *(notes.KEPT + c.describe() for c in citations)]
            return Outcome(
                review=review,
                prompt_tokens=usage[0],
                completion_tokens=usage[1],
                latency_ms=round((time.perf_counter() - started) * 1000),
                service_ms=round(service_s * 1000),
                queue_ms=round(queue_s * 1000),
                attempts=attempt,
                cached=all_cached,
                warnings=warnings,
            )

        for attempt in range(1, attempts + 1):
            completion, cached = await self._completion(
                messages, _warmer(params, attempt), sample, paper_id
            )
            all_cached = all_cached and cached
            if not cached:
                service_s += completion.service_s
                queue_s += completion.queue_s
            usage[0] += completion.prompt_tokens
            usage[1] += completion.completion_tokens
            try:
                review = check_reply(self.form, completion)
            except ValueError as exc:
                reason, last_text = str(exc), completion.text
                # A cut-off reply is mostly run-on text: echoing it whole invites more of the
                # same, so only its start goes back. Other replies go back whole (to 4000 chars).
                shown = (
                    completion.text[:TRUNCATED_ECHO] + " [...]"
                    if completion.finish_reason == "length"
                    else completion.text[:4000]
                )
                messages = [
                    *messages,
                    {"role": "assistant", "content": shown},
                    {"role": "user", "content": _reask_text(reason)},
                ]
                continue
            warnings: list[str] = []
            if self.repair_words:  # CPU work: off the loop, so requests in flight keep going
                repaired, warnings = await asyncio.to_thread(repair.fix, review, (), source or "")
                if self.edit:
                    review = repaired
                else:  # what would have been mended, reported only
                    warnings = [notes.KEPT + "text: " + w.replace("words: mended", "words that "
                                "look damaged, left as written:") for w in warnings]  # fmt: skip
            findings = await self._findings(review, source)
            # asked again only about what shows the review wrong (a misspelt name is mended)
            wrong = [f for f in findings if grounding.removable(f)]
            if wrong and attempt < attempts and grounding_left > 0:
                grounding_left -= 1
                earlier = (review, warnings, findings)
                messages = [
                    *messages,
                    {"role": "assistant", "content": completion.text[:4000]},
                    {"role": "user", "content": grounding.reask_text(wrong)},
                ]
                continue
            return finished(review, warnings, findings, attempt)
        if earlier is not None:
            review, warnings, findings = earlier
            note = (f"re-ask: no valid reply after the grounding re-ask ({reason}); "
                    "the earlier review is kept")  # fmt: skip
            return finished(review, [*warnings, note], findings, attempts)
        raise ReviewFailed(
            f"no valid review after {attempts} attempts: {reason}",
            raw_excerpt=last_text[:EXCERPT_CHARS],
            attempts=attempts,
        )

    async def _findings(self, review: Review, source: str | None) -> list[grounding.Finding]:
        if source is None or not (self.check_quotes or self.generic):
            return []
        # CPU work (the generic rule encodes every comment): off the loop
        _, ground = self._checks
        found = await asyncio.to_thread(ground.find, review, source)
        return found if self.check_quotes else [f for f in found if f.kind == "generic_comment"]


def _warmer(params: dict[str, Any], attempt: int) -> dict[str, Any]:
    """Each re-ask samples a little hotter: a small model at low temperature answers the same
    conversation with the same mistake, whatever the error message says."""
    if attempt == 1:
        return params
    base = float(params.get("temperature") or 0.0)
    return {**params, "temperature": round(min(1.0, base + REASK_HEAT * (attempt - 1)), 2)}


def _reask_text(reason: str) -> str:
    return (
        f"Your reply could not be used: {reason}\n"
        "Reply again with the complete review as one JSON object that matches the required "
        "keys and limits, and nothing else."
    )
