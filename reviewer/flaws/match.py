"""The frozen matcher: does a comment of a review point at a planted flaw?

A review unit (a sentence, or a whole paragraph or bullet) catches a flaw when it says what
kind of problem it is (one of the kind's cue words) AND points at this flaw: either it names
one of the planted text's own specifics (its numbers or phrases, ``anchors``), or it shares a
content word with the planted text (the method, the benchmark, "labelled", "inference", ...)
and its embedding is close to the flaw's one-sentence description (cosine >=
``DESCRIPTION_THRESHOLD``). Restating the planted sentence without saying what is wrong with
it catches nothing (no cue), and naming the kind of problem in general catches nothing either
(no anchor, no shared word). The threshold was fitted on hand-labelled comments
(``evals/flaws_labelled.jsonl``, ``python -m reviewer.flaws.fit``). Change the rule, the cues,
the stop words or the threshold and bump ``MATCHER_VERSION``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reviewer.flaws.catalogue import KINDS
from reviewer.flaws.text import anchored, normalise
from reviewer.references.segment import split_comments

MATCHER_VERSION = "flaws-match-v1"
DESCRIPTION_THRESHOLD = 0.30
"""Cosine between a unit and the flaw's description at or above which a cued unit that shares
a content word with the planted text points at the flaw without naming its specifics (fitted
on hand-labelled comments: evals/README.md, evals/flaws_matcher_fit.json)."""
# fmt: off
STOP_WORDS = frozenset((
    "about", "above", "after", "against", "also", "and", "any", "are", "because", "been",
    "being", "best", "both", "but", "can", "could", "does", "each", "every", "for", "from",
    "had", "has", "have", "here", "how", "into", "its", "itself", "more", "most", "much", "not",
    "now", "once", "only", "other", "our", "out", "over", "same", "should", "some", "such",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "through", "under", "until", "very", "was", "were", "what", "when", "where", "which",
    "while", "who", "why", "will", "with", "would", "your", "paper", "method", "methods",
    "model", "models", "approach", "approaches", "result", "results", "show", "shows",
    "performance", "better", "within", "using", "used", "uses", "use", "train", "training",
    "trained", "stage", "field", "further", "moreover", "consequence", "additional", "existing",
    "previous", "standard", "pipeline",
))
# fmt: on
"""Words too common in papers and reviews to show that a comment is about the planted text."""
MAX_PARAGRAPH_WORDS = 150
"""Longer blocks are matched by their sentences only (a long paragraph dilutes the cosine)."""

SKIP_FIELDS = frozenset(
    {
        "summary",
        "pith",
        "strengths",
        "strength",
        "soundness",
        "presentation",
        "contribution",
        "overall",
        "confidence",
        "decision",
        "scores",
    }
)
"""Review fields that describe or praise, or hold scores: they never point at a problem."""


@dataclass(frozen=True)
class Flaw:
    """What the matcher needs of one key line."""

    id: str
    kind: str
    description: str
    anchors: tuple[str, ...]
    planted: str = ""

    @classmethod
    def from_key(cls, line: Mapping[str, Any]) -> Flaw:
        return cls(
            str(line["id"]),
            str(line["kind"]),
            str(line["description"]),
            tuple(str(a) for a in line.get("anchors") or ()),
            str(line.get("planted") or ""),
        )


@dataclass(frozen=True)
class Hit:
    """The matcher's verdict on one (review, flaw) pair, with the unit that decided it."""

    hit: bool
    route: str  # "anchor", "description" or "" (no hit)
    unit: str
    similarity: float  # the best cosine of a cued unit (0 when none is cued)


def cued(unit: str, kind: str) -> bool:
    """Whether ``unit`` uses a word that says what kind of problem ``kind`` is."""
    return bool(KINDS[kind].cues.search(normalise(unit)))


def content_terms(text: str) -> set[str]:
    """Content words of ``text`` (four letters or more, not stop words), cut to five letters so
    that "labelled" meets "labels" and "parameters" meets "parameter"."""
    words = re.findall(r"[a-z][a-z0-9-]+", normalise(text))
    return {w[:5] for w in words if len(w) >= 4 and w not in STOP_WORDS}


def shares_content(unit: str, planted: str) -> bool:
    return bool(content_terms(unit) & content_terms(planted))


def match_units(
    units: Sequence[str],
    vectors: np.ndarray,
    flaw: Flaw,
    description: np.ndarray,
    threshold: float = DESCRIPTION_THRESHOLD,
) -> Hit:
    """The first unit that catches ``flaw`` by an anchor, else the cued unit sharing a word with
    the planted text that is closest to the description (``vectors``: the units' rows,
    L2-normalised; ``description``: the description's row)."""
    best, best_unit = 0.0, ""
    sims = vectors @ description if len(units) else np.zeros(0)
    for unit, sim in zip(units, sims, strict=True):
        if not cued(unit, flaw.kind):
            continue
        if anchored(unit, flaw.anchors):
            return Hit(True, "anchor", unit, float(sim))
        if sim > best and shares_content(unit, flaw.planted):
            best, best_unit = float(sim), unit
    if best >= threshold:
        return Hit(True, "description", best_unit, best)
    return Hit(False, "", "", best)


def _flatten(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, Mapping):
        return [t for v in value.values() for t in _flatten(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _flatten(v)]
    return []


def units_of_texts(texts: Iterable[str]) -> list[str]:
    """Sentences (by the eval's splitter) and, when short enough, whole paragraphs."""
    units: list[str] = []
    for text in texts:
        for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*\u2022]|\d+[.)])\s)", text):
            sents = split_comments(block)
            units.extend(sents)
            if len(sents) > 1 and len(block.split()) <= MAX_PARAGRAPH_WORDS:
                units.append(" ".join(block.split()))
    return list(dict.fromkeys(units))


def review_units(review: Mapping[str, Any]) -> list[str]:
    """The units of one of our review objects that can point at a problem (no summary,
    strengths or scores)."""
    texts = [t for key, value in review.items() if key not in SKIP_FIELDS for t in _flatten(value)]
    return units_of_texts(texts)
