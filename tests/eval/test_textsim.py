"""ROUGE-L must equal rouge-score's own scorer; embedding similarity picks the closest review."""

from __future__ import annotations

import numpy as np
import pytest
from rouge_score import rouge_scorer

from reviewer.eval.textsim import best_embedding_similarity, best_rouge_l, rouge_l, tokens

TEXTS = [
    "The paper proposes a new method for graph learning; experiments are limited.",
    "Experiments are limited to small graphs, and the method lacks a proof.",
    "Well written. The ablation in Table 3 is missing a baseline!",
    "",
    "ablation ablation table table baseline",
]


@pytest.mark.parametrize("a", range(len(TEXTS)))
@pytest.mark.parametrize("b", range(len(TEXTS)))
def test_rouge_l_matches_rouge_score(a: int, b: int) -> None:
    expected = rouge_scorer.RougeScorer(["rougeL"]).score(TEXTS[b], TEXTS[a])["rougeL"].fmeasure
    assert rouge_l(tokens(TEXTS[a]), tokens(TEXTS[b])) == pytest.approx(expected, abs=1e-12)


def test_best_rouge_l_takes_the_closest_human_review() -> None:
    humans = [tokens(t) for t in TEXTS[1:3]]
    assert best_rouge_l(TEXTS[1], humans) == pytest.approx(1.0)
    assert np.isnan(best_rouge_l(TEXTS[0], []))


def test_best_embedding_similarity_uses_comment_centroids() -> None:
    e = np.eye(3, dtype=np.float32)
    pred = e[[0, 1]]  # centroid (1, 1, 0)/sqrt 2
    humans = [e[[2]], e[[0]]]
    assert best_embedding_similarity(pred, humans) == pytest.approx(1 / np.sqrt(2))
    assert np.isnan(best_embedding_similarity(np.zeros((0, 3)), humans))
