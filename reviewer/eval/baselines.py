"""Baselines scored by the same harness, so every number has something to be read against.

``constant``: every paper gets the train split's mean rating (no text). It shows what a
rating metric is worth when nothing about the paper is known.
``nearest-neighbour``: every paper gets the first human review of the train paper whose title
and abstract embed closest to its own. It shows what a real but off-target review scores on
comment overlap, specificity and text similarity.
``abstract-prior``: every paper gets its venue-year's train mean plus the calibration's abstract
prior (a TF-IDF ridge on title and abstract) fitted on the train papers of every year, as the
calibration's is. No review, so rating only: it shows how much of a calibrated system's ranking
the wording of the abstract alone gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reviewer.calibration import paper_text, venue_key
from reviewer.calibration.fit import fit_prior
from reviewer.embed import Encoder
from reviewer.errors import ConfigError
from reviewer.eval.predictions import Prediction, prediction_from_human
from reviewer.references import Reference

BASELINES = ("constant", "nearest-neighbour", "abstract-prior")


def _train_with_ratings(train: Sequence[Reference], name: str) -> list[Reference]:
    usable = [r for r in train if r.ratings]
    if not usable:
        raise ConfigError(f"{name} needs a train split with ratings; these references have none")
    return usable


def train_mean_rating(train: Sequence[Reference]) -> float:
    """Mean over train papers of the paper's mean human rating (common 1-10 scale)."""
    usable = _train_with_ratings(train, "constant")
    return float(np.mean([r.mean_rating for r in usable]))


def constant_baseline(
    train: Sequence[Reference], papers: Sequence[Reference]
) -> dict[str, Prediction]:
    value = train_mean_rating(train)
    return {p.paper_id: Prediction(paper_id=p.paper_id, rating=value) for p in papers}


def abstract_text(ref: Reference) -> str:
    return paper_text(ref.title, ref.abstract)


def nearest_train_papers(
    train: Sequence[Reference], papers: Sequence[Reference], encoder: Encoder
) -> list[Reference]:
    """For each paper, the most similar train paper by abstract embedding (never itself)."""
    usable = [
        r
        for r in _train_with_ratings(train, "nearest-neighbour")
        if r.reviews[0].rating is not None
    ]
    train_vecs = encoder.encode([abstract_text(r) for r in usable])
    paper_vecs = encoder.encode([abstract_text(p) for p in papers])
    sims = paper_vecs @ train_vecs.T
    position = {r.paper_id: j for j, r in enumerate(usable)}
    for i, paper in enumerate(papers):
        j = position.get(paper.paper_id)
        if j is not None:
            sims[i, j] = -np.inf
    return [usable[j] for j in np.argmax(sims, axis=1)] if len(papers) else []


def nearest_neighbour_baseline(
    train: Sequence[Reference], papers: Sequence[Reference], encoder: Encoder
) -> dict[str, Prediction]:
    neighbours = nearest_train_papers(train, papers, encoder)
    return {
        paper.paper_id: prediction_from_human(paper.paper_id, neighbour.reviews[0])
        for paper, neighbour in zip(papers, neighbours, strict=True)
    }


def abstract_prior_baseline(
    train: Sequence[Reference], papers: Sequence[Reference]
) -> dict[str, Prediction]:
    usable = _train_with_ratings(train, "abstract-prior")
    venues = [venue_key(r.venue, r.year) for r in usable]
    humans = np.array([r.mean_rating for r in usable], dtype=float)
    prior, _ = fit_prior(
        [r.paper_id for r in usable], [abstract_text(r) for r in usable], humans, venues
    )
    means = {v: float(humans[[u == v for u in venues]].mean()) for v in set(venues)}
    offsets = prior.predict([abstract_text(p) for p in papers]) if papers else []
    out = {}
    for paper, offset in zip(papers, offsets, strict=True):
        level = means.get(venue_key(paper.venue, paper.year), float(humans.mean()))
        rating = min(10.0, max(1.0, level + float(offset)))
        out[paper.paper_id] = Prediction(paper_id=paper.paper_id, rating=rating)
    return out
