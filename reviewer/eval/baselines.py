"""Baselines scored by the same harness, so every number has something to be read against.

``constant``: every paper gets the train split's mean rating (no text). It shows what a
rating metric is worth when nothing about the paper is known.
``lexical-neighbour`` (the default, ``LEXICAL_NEIGHBOUR``): every paper gets the first human
review of the train paper whose title and abstract share the most weighted words with its own
(TF-IDF cosine). It shows what a real but off-target review scores on comment overlap,
specificity and text similarity, and it costs no embedding: the train split is read, not
encoded.
``nearest-neighbour``: the same with the train paper whose title and abstract embed closest
(all-MiniLM-L6-v2). It embeds every train abstract once per machine (``reviewer data embed``
does that ahead), so it is scored when asked for (``--baseline nearest-neighbour``).
``abstract-prior``: every paper gets its venue-year's train mean plus the calibration's abstract
prior (a TF-IDF ridge on title and abstract) fitted on the train papers of every year, as the
calibration's is. No review, so rating only: it shows how much of a calibrated system's ranking
the wording of the abstract alone gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reviewer.calibration import paper_text, venue_key
from reviewer.calibration.fit import fit_prior
from reviewer.embed import Encoder
from reviewer.errors import ConfigError
from reviewer.eval.predictions import Prediction, prediction_from_human
from reviewer.references import Reference

BASELINES = ("constant", "lexical-neighbour", "abstract-prior")
"""Scored beside every system by default."""
ALL_BASELINES = (*BASELINES, "nearest-neighbour")
"""Every baseline a run may ask for."""
LEXICAL_TFIDF: dict[str, Any] = {
    "ngram_range": (1, 1),
    "stop_words": "english",
    "min_df": 2,
    "sublinear_tf": True,
}
"""The lexical neighbour's TF-IDF (sklearn's TfidfVectorizer arguments). Chosen on NeurIPS dev
(``benchmarks/lexical_neighbour.py``): its neighbour is the MiniLM one for 271 of 1,318 papers,
as often as with bigrams added, at less than half the time."""
LEXICAL_NEIGHBOUR = {
    "version": "tfidf-v1",
    "text": "title. abstract",
    "features": "sklearn TfidfVectorizer (L2 norm), fitted on the train papers only",
    "tfidf": LEXICAL_TFIDF,
    "neighbour": "highest cosine among rated train papers (never the paper itself; ties: "
    "first in sha256 order)",
}
"""The lexical neighbour's rule, written to metrics.json; a change is a new version."""


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


def neighbour_candidates(train: Sequence[Reference], name: str) -> list[Reference]:
    """Train papers whose first review has a rating: what a neighbour baseline can lend."""
    return [r for r in _train_with_ratings(train, name) if r.reviews[0].rating is not None]


def _best(sims: np.ndarray, papers: Sequence[Reference], usable: list[Reference]) -> list[int]:
    """Per row of ``sims`` (papers x usable), the best column that is not the paper itself."""
    position = {r.paper_id: j for j, r in enumerate(usable)}
    for i, paper in enumerate(papers):
        j = position.get(paper.paper_id)
        if j is not None:
            sims[i, j] = -np.inf
    return [int(j) for j in np.argmax(sims, axis=1)]


def nearest_train_papers(
    train: Sequence[Reference], papers: Sequence[Reference], encoder: Encoder
) -> list[Reference]:
    """For each paper, the most similar train paper by abstract embedding (never itself)."""
    usable = neighbour_candidates(train, "nearest-neighbour")
    if not papers:
        return []
    vectors = encoder.encode([abstract_text(r) for r in [*usable, *papers]])  # one pass
    train_vecs, paper_vecs = vectors[: len(usable)], vectors[len(usable) :]
    return [usable[j] for j in _best(paper_vecs @ train_vecs.T, papers, usable)]


def lexical_train_papers(
    train: Sequence[Reference],
    papers: Sequence[Reference],
    tfidf: dict[str, Any] | None = None,
    block: int = 512,
) -> list[Reference]:
    """For each paper, the train paper with the highest TF-IDF cosine of title and abstract
    (``LEXICAL_NEIGHBOUR``; never itself). The vocabulary and weights come from the train
    papers alone, so a paper's neighbour does not depend on which other papers are scored."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    usable = neighbour_candidates(train, "lexical-neighbour")
    if not papers:
        return []
    vectorizer = TfidfVectorizer(**(LEXICAL_TFIDF if tfidf is None else tfidf))
    try:
        train_x = vectorizer.fit_transform([abstract_text(r) for r in usable])
    except ValueError as exc:  # no term left: the train texts share too few words
        raise ConfigError(f"lexical-neighbour cannot index the train papers: {exc}") from exc
    paper_x = vectorizer.transform([abstract_text(p) for p in papers])
    best: list[int] = []
    for start in range(0, len(papers), block):  # dense rows a block at a time
        rows = slice(start, start + block)
        best += _best((paper_x[rows] @ train_x.T).toarray(), papers[rows], usable)
    return [usable[j] for j in best]


def _lend(papers: Sequence[Reference], neighbours: list[Reference]) -> dict[str, Prediction]:
    """Each paper gets its neighbour's first human review as its prediction."""
    return {
        paper.paper_id: prediction_from_human(paper.paper_id, neighbour.reviews[0])
        for paper, neighbour in zip(papers, neighbours, strict=True)
    }


def nearest_neighbour_baseline(
    train: Sequence[Reference], papers: Sequence[Reference], encoder: Encoder
) -> dict[str, Prediction]:
    return _lend(papers, nearest_train_papers(train, papers, encoder))


def lexical_neighbour_baseline(
    train: Sequence[Reference], papers: Sequence[Reference]
) -> dict[str, Prediction]:
    return _lend(papers, lexical_train_papers(train, papers))


def abstract_prior_baseline(
    train: Sequence[Reference], papers: Sequence[Reference]
) -> dict[str, Prediction]:
    usable = _train_with_ratings(train, "abstract-prior")
    venues = [venue_key(r.venue, r.year) for r in usable]
    humans = np.array([r.mean_rating for r in usable], dtype=float)
    prior, _ = fit_prior(
        [r.paper_id for r in usable], [abstract_text(r) for r in usable], humans.tolist(), venues
    )
    means = {v: float(humans[[u == v for u in venues]].mean()) for v in set(venues)}
    offsets = prior.predict([abstract_text(p) for p in papers]) if papers else np.zeros(0)
    out = {}
    for paper, offset in zip(papers, offsets, strict=True):
        level = means.get(venue_key(paper.venue, paper.year), float(humans.mean()))
        rating = min(10.0, max(1.0, level + float(offset)))
        out[paper.paper_id] = Prediction(paper_id=paper.paper_id, rating=rating)
    return out
