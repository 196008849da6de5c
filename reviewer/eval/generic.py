"""The eval harness's generic-comment rule, usable while reviews are generated.

A comment is generic when it matches (cosine >= ``MATCH_THRESHOLD``) human comments on at least
``GENERIC_SHARE`` of the reference papers: it would fit almost any paper. Generation uses the
same rule and the same train-split reference papers as ``reviewer eval``'s specificity score, so
a comment re-asked here is one the eval would have counted as generic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reviewer.eval import comments as cm
from reviewer.eval.embed import Embedder, Encoder
from reviewer.eval.references import load_references, select
from reviewer.eval.segment import split_comments


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
        reference, _ = cm.generic_reference_pool(train, [])
        return cls(Embedder(progress=False), reference)

    def flags(self, comments: Sequence[str]) -> list[bool]:
        """Per comment: True when all of its sentence units are generic (none: never generic)."""
        units = [split_comments(c) or [] for c in comments]
        flat = [u for us in units for u in us]
        if not flat:
            return [False] * len(comments)
        generic = cm.generic_flags(self.encoder.encode(flat), self._vectors, self._paper)
        out, at = [], 0
        for us in units:
            out.append(bool(us) and bool(generic[at : at + len(us)].all()))
            at += len(us)
        return out
