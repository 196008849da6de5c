"""Whole-review text similarity to the closest human review: ROUGE-L and embeddings.

ROUGE-L is rouge-score's: its tokenizer and its F-measure of the longest common subsequence.
Only the LCS length itself comes from rapidfuzz's C++ ``LCSseq``, because rouge-score's
pure-Python LCS table costs about 40 ms for one pair of 450-word reviews (a minute per system
on the NeurIPS test split); ``tests/eval`` checks the two agree exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz.distance import LCSseq
from rouge_score import scoring, tokenizers

_TOKENIZER = tokenizers.DefaultTokenizer(use_stemmer=False)


def tokens(text: str) -> list[str]:
    """rouge-score's default tokens (lower case, alphanumeric, no stemming)."""
    return _TOKENIZER.tokenize(text)


def rouge_l(prediction: Sequence[str], target: Sequence[str]) -> float:
    """ROUGE-L F-measure of two token lists, as ``RougeScorer(["rougeL"]).score(target, pred)``."""
    if not prediction or not target:
        return 0.0
    lcs = LCSseq.similarity(list(target), list(prediction))
    return float(scoring.fmeasure(lcs / len(prediction), lcs / len(target)))


def best_rouge_l(prediction: str, humans: Sequence[Sequence[str]]) -> float:
    """ROUGE-L against the closest of the human reviews (their token lists); NaN when none."""
    pred = tokens(prediction)
    if not pred or not humans:
        return float("nan")
    return max(rouge_l(pred, h) for h in humans)


def centroid(vectors: np.ndarray) -> np.ndarray | None:
    """A review's embedding: the normalised mean of its comment embeddings."""
    if vectors.shape[0] == 0:
        return None
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else None


def best_embedding_similarity(prediction: np.ndarray, humans: Sequence[np.ndarray]) -> float:
    """Cosine similarity of comment centroids with the closest human review; NaN when none."""
    pred = centroid(prediction)
    centroids = [c for c in (centroid(h) for h in humans) if c is not None]
    if pred is None or not centroids:
        return float("nan")
    return float(np.max(np.vstack(centroids) @ pred))
