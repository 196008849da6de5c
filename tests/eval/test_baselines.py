"""The abstract-prior baseline: the venue-year's train level plus what the wording says."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.errors import ConfigError
from reviewer.eval.baselines import abstract_prior_baseline
from reviewer.references import reference_from_record
from tests.eval.conftest import paper_record

FILLER = "we study a learning problem and report experiments on standard benchmarks"


def _ref(pid: str, rating: float, abstract: str, *, split: str, year: int = 2024):
    record = paper_record(pid, [rating, rating], rating >= 6, split=split, year=year)
    record.update(title="A method", abstract=abstract)
    return reference_from_record(record)


def _train() -> list:
    """Papers saying 'rigorous' rate 7, 'incremental' 4, neither 5.5; NeurIPS 2023 a point up."""
    out = []
    for i in range(90):
        word, rating = [("rigorous", 7.0), ("incremental", 4.0), ("", 5.5)][i % 3]
        year = 2023 if i % 2 else 2024
        out.append(
            _ref(f"t{i}", rating + (year == 2023), f"{FILLER} {word}", split="train", year=year)
        )
    return out


def test_abstract_prior_baseline_ranks_by_wording_at_the_venue_level() -> None:
    train = _train()
    papers = [
        _ref("good", 5.0, f"{FILLER} rigorous", split="test"),
        _ref("weak", 5.0, f"{FILLER} incremental", split="test"),
        _ref("plain", 5.0, FILLER, split="test"),
        _ref("later", 5.0, FILLER, split="test", year=2023),
        _ref("unknown", 5.0, FILLER, split="test", year=2019),
    ]
    preds = {pid: p.rating for pid, p in abstract_prior_baseline(train, papers).items()}
    assert preds["good"] > preds["plain"] > preds["weak"]
    assert preds["later"] - preds["plain"] == pytest.approx(1.0, abs=0.05)  # venue-year level
    pooled = np.mean([r.mean_rating for r in train])
    assert preds["unknown"] - preds["plain"] == pytest.approx(pooled - 5.5, abs=0.05)
    assert all(
        p.decision is None and not p.comments
        for p in abstract_prior_baseline(train, papers).values()
    )


def test_abstract_prior_baseline_needs_enough_train_papers() -> None:
    with pytest.raises(ConfigError, match="too few rated train papers"):
        abstract_prior_baseline(_train()[:5], [_ref("x", 5.0, FILLER, split="test")])
