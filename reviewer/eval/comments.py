"""Comment overlap with human reviewers, its shuffled-paper control, and generic comments.

The protocol of Liang et al. (2023): cut both reviews into comments, match them, report the
share of human comments that some generated comment hits, always beside the same figure
against a different paper's reviews. Here a match is a cosine similarity of at least
``MATCH_THRESHOLD`` between all-MiniLM-L6-v2 embeddings; the threshold is frozen in code and
was chosen on the dev split only (``evals/README.md``, ``evals/matcher-thresholds.json``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reviewer.checks.generic import MATCH_THRESHOLD

MATCHER_VERSION = "minilm-cos-v1"
"""Changes whenever the splitter, the model or a threshold (``reviewer.checks.generic``) changes."""

SHUFFLE_SEED = 0


@dataclass(frozen=True)
class PaperMatch:
    """Comment overlap on one paper."""

    hit_rate: float  # share of human comments matched by >= 1 generated comment
    precision: float  # share of generated comments matching >= 1 human comment


def match(
    generated: np.ndarray, human: np.ndarray, threshold: float = MATCH_THRESHOLD
) -> PaperMatch:
    """Overlap of two sets of comment vectors (rows L2-normalised).

    With no human comments nothing can be hit (NaN: the paper is left out); with no generated
    comments the hit rate is 0 and precision does not apply.
    """
    if human.shape[0] == 0:
        return PaperMatch(float("nan"), float("nan"))
    if generated.shape[0] == 0:
        return PaperMatch(0.0, float("nan"))
    sims = generated @ human.T
    hits = sims >= threshold
    return PaperMatch(float(hits.any(axis=0).mean()), float(hits.any(axis=1).mean()))


def derangement(n: int, seed: int = SHUFFLE_SEED) -> np.ndarray:
    """A fixed permutation with no fixed point: paper i is compared with paper ``perm[i]``."""
    if n < 2:
        return np.arange(n)
    order = np.random.default_rng(seed).permutation(n)
    perm = np.empty(n, dtype=int)
    perm[order] = np.roll(order, -1)  # each paper points at the next one in a shuffled cycle
    return perm


@dataclass(frozen=True)
class CommentScores:
    """Per-paper overlap arrays (NaN where a figure does not apply)."""

    hit_rate: np.ndarray
    precision: np.ndarray
    shuffled_hit_rate: np.ndarray
    shuffled_precision: np.ndarray


def comment_scores(
    generated: Sequence[np.ndarray],
    human: Sequence[np.ndarray],
    threshold: float = MATCH_THRESHOLD,
    seed: int = SHUFFLE_SEED,
) -> CommentScores:
    """Overlap per paper, and the same against the human comments of another paper."""
    n = len(generated)
    perm = derangement(n, seed)
    own = [match(generated[i], human[i], threshold) for i in range(n)]
    shuffled = [match(generated[i], human[perm[i]], threshold) for i in range(n)]
    return CommentScores(
        np.array([m.hit_rate for m in own]),
        np.array([m.precision for m in own]),
        np.array([m.hit_rate for m in shuffled]),
        np.array([m.precision for m in shuffled]),
    )


def human_loo_hit_rates(
    per_review: Sequence[Sequence[np.ndarray]],
    threshold: float = MATCH_THRESHOLD,
    seed: int = SHUFFLE_SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """The human analogue of ``hit_rate``: each reviewer in turn against the others.

    For every paper with two or more reviews with comments, the mean over held-out reviewers
    of the share of the other reviewers' comments they hit; and the same with the other
    reviewers taken from a different paper (the control). NaN for other papers.
    """
    n = len(per_review)
    perm = derangement(n, seed)
    own = np.full(n, np.nan)
    control = np.full(n, np.nan)
    for i, reviews in enumerate(per_review):
        reviews = [r for r in reviews if r.shape[0]]
        if len(reviews) < 2:
            continue
        rates = []
        for k in range(len(reviews)):
            others = np.vstack([r for j, r in enumerate(reviews) if j != k])
            rates.append(match(reviews[k], others, threshold).hit_rate)
        own[i] = float(np.mean(rates))
        other_paper = [r for r in per_review[perm[i]] if r.shape[0]]
        if other_paper:
            pooled = np.vstack(other_paper)
            control[i] = float(np.mean([match(r, pooled, threshold).hit_rate for r in reviews]))
    return own, control
