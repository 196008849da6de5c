"""What an eval embeds: only its papers' needs, the same figures however they were embedded.

A synthetic reference set (topics, generic and specific comments, three reviewers a paper) and
a deterministic hand-made model behind the real ``Embedder`` and its cache.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import reviewer.eval.prepare as prepare_module
import reviewer.eval.run as run_module
from reviewer.embed import Embedder
from reviewer.errors import ConfigError
from reviewer.eval.prepare import ABSTRACTS, UNITS, prepare
from reviewer.eval.run import EvalConfig, run_eval
from reviewer.references import load_references, select
from tests.eval.conftest import HashEncoder, paper_record, review_text

TOPICS = [
    ("graph", "message passing", "molecule benchmarks"),
    ("image", "segmentation masks", "medical scans"),
    ("speech", "acoustic encoders", "spoken language"),
    ("policy", "reward shaping", "robot control"),
    ("language", "instruction tuning", "reasoning benchmarks"),
]
GENERIC = [
    "The paper is well written and easy to follow.",
    "More ablation studies would strengthen the claims.",
    "The experiments are limited to small datasets.",
    "The related work section misses recent papers.",
    "The limitations deserve a longer discussion.",
    "Hyperparameters of the baselines are not reported.",
]
WEIGHTS = [8, 4, 2, 1, 1, 1]
"""Common and rare generic comments, so the generic rule sits near its share for some."""
VOCAB = [f"{a}{b}" for a in ("sparse", "dense", "local", "global", "fast") for b in ("net",
         "flow", "kernel", "graph", "prior", "loss", "mask", "code")]  # fmt: skip
"""Words scattered over abstracts and comments: near ties for the neighbours and the matcher."""
SHUFFLED = {"shuffled_hit_rate", "shuffled_precision"}
"""Per-paper figures against another paper of the selection (the control), so they follow the
selection by design; every other per-paper figure is the paper's own."""


def _paper(pid: str, split: str, rng: random.Random) -> dict[str, Any]:
    topic, method, data = TOPICS[rng.randrange(len(TOPICS))]
    texts = []
    ratings = [rng.choice([3, 4, 5, 6, 7, 8]) for _ in range(3)]
    for _ in range(3):
        words = " ".join(rng.sample(VOCAB, 3))
        strengths = [f"The {method} idea for {topic} data uses {words}.",
                     rng.choices(GENERIC, WEIGHTS)[0]]  # fmt: skip
        weaknesses = [f"The {data} results lack {' and '.join(rng.sample(VOCAB, 2))}.",
                      f"It doubts the {topic} baselines on {rng.choice(VOCAB)}."]  # fmt: skip
        texts.append(review_text(strengths, weaknesses))
    record = paper_record(pid, ratings, sum(ratings) >= 18, split=split, texts=texts)
    record["title"] = f"{method.title()} for {topic} {pid}"
    record["abstract"] = (
        f"We apply {method} to {topic} problems with {' '.join(rng.sample(VOCAB, 6))}."
    )
    return record


@pytest.fixture
def refs(tmp_path: Path, write_jsonl: Callable[..., Path]) -> Path:
    rng = random.Random(7)
    records = [_paper(f"tr{i}", "train", rng) for i in range(40)]
    records += [_paper(f"te{i}", "test", rng) for i in range(24)]
    return write_jsonl(tmp_path / "refs" / "papers.jsonl", records).parent


@pytest.fixture
def run(tmp_path: Path, refs: Path) -> Path:
    """Our reviews of every test paper."""
    folder = tmp_path / "run"
    folder.mkdir()
    with (folder / "reviews.jsonl").open("w") as fh:
        for ref in select(load_references(refs), split="test"):
            review = {
                "summary": "s",
                "strengths": [f"The idea behind {ref.title} is clear.", GENERIC[3]],
                "weaknesses": [GENERIC[1], f"No variance is reported for {ref.abstract}."],
                "overall": 6,
                "decision": "accept",
            }
            fh.write(json.dumps({"paper_id": ref.paper_id, "model": "ours", "review": review}))
            fh.write("\n")
    return folder


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HashEncoder:
    """Every Embedder the eval and ``prepare`` build: the real one, caching in a temporary
    folder, with the hand-made model behind it."""
    counting = HashEncoder()

    def embedder(*args: Any, **kwargs: Any) -> Embedder:
        told = kwargs.get("progress")  # a bar's callback stays; no lines printed
        return Embedder(*args, **{**kwargs, "model": counting,
                                  "progress": told if callable(told) else False})  # fmt: skip

    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(run_module, "Embedder", embedder)
    monkeypatch.setattr(prepare_module, "Embedder", embedder)
    return counting


BASELINES = ("constant", "lexical-neighbour", "abstract-prior", "nearest-neighbour")


def _eval(refs: Path, out: Path, run: Path | None, limit: int | None) -> dict[str, Any]:
    config = EvalConfig(out=out, references=refs, predictions=run, limit=limit,
                        baselines=BASELINES, n_resamples=50, report=False)  # fmt: skip
    return run_eval(config)


def _rows(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "per_paper.jsonl").read_text().splitlines()
    return {row["paper_id"]: row for row in map(json.loads, lines)}


def _without(metrics: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in metrics.items() if k not in keys}


def test_a_limited_run_scores_each_paper_as_the_whole_split_does(
    tmp_path: Path, refs: Path, run: Path, model: HashEncoder
) -> None:
    _eval(refs, tmp_path / "some", run, limit=10)
    _eval(refs, tmp_path / "all", run, limit=None)
    some, every = _rows(tmp_path / "some"), _rows(tmp_path / "all")
    assert len(some) == 10 and len(every) == 24 and set(some) < set(every)
    for pid, row in some.items():
        assert set(row["systems"]) == {"ours", *BASELINES}
        for system, figures in row["systems"].items():
            whole = every[pid]["systems"][system]
            assert _without(figures, *SHUFFLED) == _without(whole, *SHUFFLED), (pid, system)
        assert _without(row, "systems") == _without(every[pid], "systems")
    ours = some["te0"]["systems"]["ours"] if "te0" in some else next(iter(some.values()))
    assert {"hit_rate", "generic_rate", "embedding_similarity", "aspects"} <= set(ours)


def test_after_preparing_the_split_an_eval_embeds_only_the_reviews_it_scores(
    tmp_path: Path, refs: Path, run: Path, model: HashEncoder
) -> None:
    cold = _eval(refs, tmp_path / "cold", run, limit=10)
    cold_texts = len(model.texts)
    model.texts.clear()
    shutil.rmtree(tmp_path / "cache")  # an empty cache again: prepare the whole split first
    told: list[tuple[str, int, int]] = []
    done = prepare(refs, split="test", progress=lambda s, d, t: told.append((s, d, t)))
    assert done.papers == 24 and done.embedded_units > 0 and done.embedded_abstracts > 0
    assert {s for s, _, _ in told} == {ABSTRACTS, UNITS}
    prepared = set(model.texts)
    model.texts.clear()
    warm = _eval(refs, tmp_path / "warm", run, limit=10)
    ours = {u for pred in _ours(run) for u in pred}
    assert set(model.texts) <= ours - prepared  # only our reviews' units, never a reference
    assert warm["embedded_new_abstracts"] == 0
    assert 0 < warm["embedded_new_texts"] < cold_texts
    ignore = ("timing_s", "embedded_new_texts", "embedded_new_abstracts")
    assert _without(warm, *ignore) == _without(cold, *ignore)
    assert (tmp_path / "warm" / "per_paper.jsonl").read_bytes() == (
        tmp_path / "cold" / "per_paper.jsonl"
    ).read_bytes()
    again = prepare(refs, split="test")
    assert again.embedded_units == again.embedded_abstracts == 0


def _ours(run: Path) -> list[list[str]]:
    from reviewer.eval.predictions import load_predictions

    loaded = load_predictions(run)
    return [[*p.comments, *p.aspect_units] for p in loaded.predictions.values()]


def test_preparing_a_form_reference_set_says_there_is_nothing_to_do(
    tmp_path: Path, write_jsonl: Callable[..., Path]
) -> None:
    record = {"paper_id": "s1", "split": "test", "abstract": "We study x.",
              "review": {"summary": "A summary of the paper."}}  # fmt: skip
    refs = write_jsonl(tmp_path / "form" / "papers.jsonl", [record]).parent
    with pytest.raises(ConfigError, match="form reference set"):
        prepare(refs, split="test")
