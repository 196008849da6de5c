"""The abstract-prior baseline (the venue-year's train level plus what the wording says) and
the lexical neighbour (the train paper whose title and abstract share the most words)."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.errors import ConfigError
from reviewer.eval.baselines import (
    abstract_prior_baseline,
    lexical_neighbour_baseline,
    lexical_train_papers,
)
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


def _topic(pid: str, words: str, *, split: str, rating: float = 6.0):
    record = paper_record(pid, [rating], True, split=split)
    record.update(title=f"On {words.split()[0]}", abstract=f"We study {words} in depth.")
    return reference_from_record(record)


TOPICS = {
    "graphs": "graph neural networks message passing over molecules",
    "vision": "image segmentation with convolutional encoders and masks",
    "speech": "speech recognition acoustic models and spoken language",
    "agents": "reinforcement learning agents reward shaping and exploration",
}


def test_the_lexical_neighbour_shares_the_most_weighted_words() -> None:
    train = [_topic(f"t-{name}", words, split="train") for name, words in TOPICS.items()]
    train += [_topic("t-other", "graph theory of spoken exploration", split="train")]
    papers = [
        _topic("q-vision", "convolutional image segmentation masks", split="test"),
        _topic("q-graphs", "message passing graph neural networks", split="test"),
    ]
    preds = lexical_neighbour_baseline(train, papers)
    lent = {p: next(r for r in train if r.reviews[0].text == preds[p].text).paper_id
            for p in preds}  # fmt: skip
    assert lent == {"q-vision": "t-vision", "q-graphs": "t-graphs"}
    assert preds["q-vision"].rating == 6.0 and preds["q-vision"].comments


def test_a_papers_lexical_neighbour_does_not_depend_on_the_other_papers() -> None:
    train = [_topic(f"t-{name}", words, split="train") for name, words in TOPICS.items()]
    papers = [_topic(f"q-{n}", w, split="test") for n, w in TOPICS.items()]
    together = [r.paper_id for r in lexical_train_papers(train, papers)]
    alone = [lexical_train_papers(train, [p])[0].paper_id for p in papers]
    assert together == alone


def test_a_train_paper_is_never_its_own_lexical_neighbour() -> None:
    train = [_topic(f"t-{name}", words, split="train") for name, words in TOPICS.items()]
    assert lexical_train_papers(train, train[:1])[0].paper_id != train[0].paper_id


def test_the_lexical_neighbour_needs_rated_train_papers() -> None:
    with pytest.raises(ConfigError, match="lexical-neighbour needs a train split with ratings"):
        lexical_neighbour_baseline([], [_topic("q", "graphs", split="test")])
