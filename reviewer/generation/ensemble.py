"""The configured review of a paper: one pass, or N samples, a meta-review and K reflections.

``review_paper`` is what the batch runner and the API call; it builds on ``generate`` (one
validated review) and nothing there imports this module, so data flows one way.

Each sample is its own request (servers that allow one sample per call work) cached under its
own sample index. The meta-review writes the text; the scores are the rounded mean of the
samples' scores, and the decision follows the pre-registered rule (overall >= 6), because an
average of several reviewers' scores is better calibrated than one more generated number.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from reviewer.errors import ReviewerError, ReviewFailed
from reviewer.generation.generate import Generator, Outcome
from reviewer.inputs.paper import Paper
from reviewer.review import Review

ACCEPT_AT = 6  # the pre-registered decision rule on the 1-10 overall score


def _stage(outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "calls": sum(o.attempts for o in outcomes),
        "prompt_tokens": sum(o.prompt_tokens for o in outcomes),
        "completion_tokens": sum(o.completion_tokens for o in outcomes),
        "cached": all(o.cached for o in outcomes),
        "service_ms": sum(o.service_ms for o in outcomes),
        "queue_ms": sum(o.queue_ms for o in outcomes),
    }


def aggregate_scores(meta: Review, samples: list[Review]) -> Review:
    """The meta-review's text with every integer score set to the samples' rounded mean."""
    data = meta.model_dump()
    for name, value in data.items():
        if isinstance(value, int) and not isinstance(value, bool):
            values = [getattr(s, name) for s in samples]
            data[name] = int(sum(values) / len(values) + 0.5)
    if "decision" in data:
        data["decision"] = "accept" if data["overall"] >= ACCEPT_AT else "reject"
    return type(meta).model_validate(data)


async def review_paper(generator: Generator, paper: Paper) -> Outcome:
    """The configured review of ``paper``: one pass, or an ensemble with meta-review and
    reflections (this module builds on ``generate``, never the other way round)."""
    if generator.samples == 1 and generator.reflect == 0:
        return await generator.review(paper)
    return await ensemble_review(generator, paper)


async def ensemble_review(generator: Generator, paper: Paper) -> Outcome:
    """``generator.samples`` reviews merged by a meta-review, then ``generator.reflect`` rounds."""
    started = time.perf_counter()
    prompt = await generator.prompt_for(paper)
    messages, flags, warnings = prompt.messages, prompt.flags, prompt.warnings
    results = await asyncio.gather(
        *(generator.review(paper, sample=i, prompt=prompt) for i in range(generator.samples)),
        return_exceptions=True,
    )
    samples = [r for r in results if isinstance(r, Outcome)]
    errors = [r for r in results if isinstance(r, BaseException)]
    pending = [
        e for e in errors if isinstance(e, ReviewerError) and not isinstance(e, ReviewFailed)
    ]
    if pending:
        raise pending[0]  # an endpoint failure (or a batch request still to be answered)
    if not samples:
        raise errors[0]
    warnings = [*warnings, *(f"ensemble: a sample failed: {e}" for e in errors)]
    stages = {"samples": {**_stage(samples), "overall": [s.review.overall_score for s in samples]}}
    review = samples[0].review
    if len(samples) > 1:
        env = generator.form.shared_template("meta.j2")
        texts = [json.dumps(s.review.model_dump(mode="json"), ensure_ascii=False) for s in samples]
        meta_messages = [messages[0], {"role": "user", "content": messages[1]["content"]
                                       + "\n\n" + env.render(reviews=texts)}]  # fmt: skip
        meta = await generator.validated(
            meta_messages,
            paper_id=paper.id,
            params=generator.params(0) | {"seed": 0},
            source=prompt.source,
        )
        warnings += meta.warnings
        stages["meta"] = _stage([meta])
        review = aggregate_scores(meta.review, [s.review for s in samples])
    reflections = []
    for _ in range(generator.reflect):
        critique = generator.form.shared_template("reflect.j2").render()
        conversation = [
            *messages,
            {"role": "assistant", "content": review.model_dump_json()},
            {"role": "user", "content": critique},
        ]
        reflected = await generator.validated(conversation, paper_id=paper.id, source=prompt.source)
        warnings += reflected.warnings
        reflections.append(reflected)
        review = reflected.review
    if reflections:
        stages["reflect"] = _stage(reflections)
    everything = list(stages.values())
    return Outcome(
        review=review,
        prompt_tokens=sum(s["prompt_tokens"] for s in everything),
        completion_tokens=sum(s["completion_tokens"] for s in everything),
        latency_ms=round((time.perf_counter() - started) * 1000),
        service_ms=sum(s["service_ms"] for s in everything),
        queue_ms=sum(s["queue_ms"] for s in everything),
        attempts=sum(s["calls"] for s in everything),
        cached=all(s["cached"] for s in everything),
        flags=flags,
        warnings=warnings,
        stages=stages,
        related=prompt.related,
    )
