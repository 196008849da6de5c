"""Ensembles: one call per sample, each cached by sample index; meta-review; reflection."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from reviewer import Reviewer
from reviewer.generation.ensemble import aggregate_scores
from reviewer.generation.forms import load_form
from tests.fake_openai import FakeOpenAI, Reply, placeholder_review

PAPER = {"id": "e", "title": "Ensemble Paper", "abstract": "We propose a thing and test it."}


def scored(overall: int) -> Reply:
    return Reply(content=json.dumps(placeholder_review("Ensemble Paper", overall=overall)))


def test_samples_are_separate_calls_then_a_meta_review(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(scored(4), scored(7), scored(8), scored(2))  # three samples, then the meta
    outcome = make_reviewer(samples=3).review_outcome(PAPER)
    assert fake.count == 4
    seeds = sorted(r["seed"] for r in fake.requests[:3])
    assert seeds == [0, 1, 2]
    meta_prompt = fake.requests[3]["messages"][-1]["content"]
    assert meta_prompt.count("<review number=") == 3
    assert outcome.review.overall == 6  # the rounded mean of 4, 7 and 8, not the meta's 2
    assert outcome.review.decision == "accept"
    assert sorted(outcome.stages["samples"]["overall"]) == [4, 7, 8]
    assert outcome.stages["samples"]["calls"] == 3 and outcome.stages["meta"]["calls"] == 1
    assert outcome.completion_tokens == 4 * 50
    again = make_reviewer(samples=3).review_outcome(PAPER)
    assert fake.count == 4 and again.cached  # every stage is cached under its own key


def test_reflection_rounds_send_the_review_back(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(scored(5), scored(6), scored(7))
    outcome = make_reviewer(reflect=2).review_outcome(PAPER)
    assert fake.count == 3
    last = fake.requests[2]["messages"]
    assert last[-2]["role"] == "assistant" and '"overall":6' in last[-2]["content"]
    assert "Check the review" in last[-1]["content"]
    assert outcome.review.overall == 7
    assert outcome.stages["reflect"]["calls"] == 2


def test_a_failed_sample_is_noted_not_fatal(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.responder = lambda request: "junk" if request["seed"] == 1 else scored(6).content
    outcome = make_reviewer(samples=2, max_reasks=1).review_outcome(PAPER)
    assert any("a sample failed" in w for w in outcome.warnings)
    assert len(outcome.stages["samples"]["overall"]) == 1


def test_aggregate_scores_rounds_half_up_and_applies_the_rule() -> None:
    schema = load_form("sections").schema
    reviews = [schema.model_validate(placeholder_review("X", overall=o)) for o in (5, 6)]
    merged = aggregate_scores(reviews[0], reviews)
    assert (merged.overall, merged.decision) == (6, "accept")


def test_batch_records_stages(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    make_reviewer(samples=2).batch([PAPER], tmp_path / "run")
    record = json.loads((tmp_path / "run" / "reviews.jsonl").read_text())
    assert set(record["stages"]) == {"samples", "meta"}


def test_ensemble_through_batch_files_takes_two_rounds(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    summary = make_reviewer(samples=2).batch_via_openai([PAPER], tmp_path / "run", poll_seconds=0)
    assert summary.reviewed == 1
    assert len(fake.batches.state) == 2  # the samples, then the meta-review
