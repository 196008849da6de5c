"""The generic-comment rule, shared by generation (``--generic-check``) and the eval.

A comment is generic when it matches (cosine >= ``MATCH_THRESHOLD``) human comments on at least
``GENERIC_SHARE`` of the reference papers: it would fit almost any paper. Generation uses the
same rule and the same train-split reference papers as ``reviewer eval``'s specificity score, so
a comment re-asked here is one the eval would have counted as generic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reviewer.embed import Embedder, Encoder
from reviewer.references import Reference, load_references, select
from reviewer.references.segment import split_comments

MATCH_THRESHOLD = 0.50
"""Cosine similarity at or above which two comments say the same thing. Chosen on NeurIPS dev
(``evals/fit/matcher_thresholds.py``): the lowest value on a 0.05 grid at which a held-out
human reviewer's comments hit at most 5% of the comments of a *different* paper's reviewers
(the shuffled control). At 0.50, one reviewer hits 25.5% of the other reviewers' comments
and 4.1% of another paper's."""

GENERIC_SHARE = 0.15
"""A comment is generic when it matches (cosine >= ``MATCH_THRESHOLD``) some human comment on
at least this share of the reference papers: it would fit almost any paper. Chosen on a grid to
best separate 30 boilerplate comments (93% flagged) from NeurIPS dev human comments (22%)."""

REFERENCE_PAPERS = 300
"""Reference papers for the generic rule: the first 300 train papers in sha256(paper_id) order,
the same set for every system and run."""


class GenericCheck:
    """Flags generic comments against a fixed set of human reference comments."""

    def __init__(self, encoder: Encoder, reference: Sequence[Sequence[str]]) -> None:
        units = [(p, u) for p, paper in enumerate(reference) for u in paper]
        if not units:
            raise ValueError("the generic rule needs human reference comments")
        self.encoder = encoder
        self.papers = len(reference)
        self._paper = np.array([p for p, _ in units])
        self._vectors = encoder.encode([u for _, u in units])

    @classmethod
    def from_train_split(cls, references: str | None = None) -> GenericCheck:
        """The eval's reference pool: the first ``REFERENCE_PAPERS`` train papers (sha256 order)."""
        train = select(load_references(references), split="train")
        reference, _ = generic_reference_pool(train, [])
        return cls(Embedder(progress=False), reference)

    def flags(self, comments: Sequence[str]) -> list[bool]:
        """Per comment: True when all of its sentence units are generic (none: never generic)."""
        units = [split_comments(c) or [] for c in comments]
        flat = [u for us in units for u in us]
        if not flat:
            return [False] * len(comments)
        generic = generic_flags(self.encoder.encode(flat), self._vectors, self._paper)
        out, at = [], 0
        for us in units:
            out.append(bool(us) and bool(generic[at : at + len(us)].all()))
            at += len(us)
        return out


def generic_flags(
    comments: np.ndarray,
    reference: np.ndarray,
    reference_paper: np.ndarray,
    exclude_paper: np.ndarray | None = None,
    threshold: float = MATCH_THRESHOLD,
    share: float = GENERIC_SHARE,
    chunk: int = 2048,
) -> np.ndarray:
    """Which comments are generic: they match comments on >= ``share`` of reference papers.

    ``reference`` holds human comment vectors and ``reference_paper`` the paper number (0..P-1)
    of each row. ``exclude_paper`` gives, per comment, a reference paper number to leave out
    (its own paper, when it is in the reference set) or -1.
    """
    n = comments.shape[0]
    if n == 0 or reference.shape[0] == 0:
        return np.zeros(n, dtype=bool)
    order = np.argsort(reference_paper, kind="stable")
    reference, papers_sorted = reference[order], reference_paper[order]
    paper_ids, starts = np.unique(papers_sorted, return_index=True)
    n_papers = paper_ids.size
    out = np.zeros(n, dtype=bool)
    for start in range(0, n, chunk):
        block = comments[start : start + chunk]
        hit = (block @ reference.T) >= threshold
        per_paper = np.logical_or.reduceat(hit, starts, axis=1)  # (block, papers)
        counts = per_paper.sum(axis=1).astype(float)
        denominator = np.full(block.shape[0], float(n_papers))
        if exclude_paper is not None:
            excl = exclude_paper[start : start + chunk]
            pos = np.searchsorted(paper_ids, excl)
            valid = (excl >= 0) & (pos < n_papers)
            valid[valid] = paper_ids[pos[valid]] == excl[valid]
            rows = np.flatnonzero(valid)
            counts[rows] -= per_paper[rows, pos[rows]]
            denominator[rows] -= 1
        out[start : start + chunk] = counts >= share * np.maximum(denominator, 1)
    return out


def generic_reference_pool(
    train: list[Reference], papers: list[Reference]
) -> tuple[list[list[str]], list[str]]:
    """Human comment units of the generic rule's reference papers, one list per paper, and
    their ids: the first ``REFERENCE_PAPERS`` train papers (sha256 order), else of ``papers``."""
    pool = select(train, limit=REFERENCE_PAPERS) if train else papers[:REFERENCE_PAPERS]
    units = [[u for r in ref.reviews for u in split_comments(r.comment_source)] for ref in pool]
    return units, [ref.paper_id for ref in pool]
