"""Scoring one system: the same papers, vectors, resamples and rules for every system.

``run.py`` builds a :class:`Scoring` once per eval and calls :func:`score_system` for the
system under test and each baseline, so their figures differ only by their predictions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reviewer.checks import generic
from reviewer.embed import Encoder
from reviewer.eval import comments as cm
from reviewer.eval import textquality as tq
from reviewer.eval.coverage import ASPECTS, AspectDetector
from reviewer.eval.metrics import (
    Bootstrap,
    Estimate,
    decision_field_metrics,
    decision_metrics,
    empty,
    exact_match_any,
    rating_metrics,
)
from reviewer.eval.predictions import Prediction
from reviewer.eval.textsim import best_embedding_similarity, best_rouge_l, tokens
from reviewer.references import (
    Reference,
    from_common,
)
from reviewer.references.segment import split_comments


class Vectors:
    """Every text of a run embedded in one pass; rows looked up by text."""

    def __init__(self, encoder: Encoder, texts: Iterable[str]) -> None:
        unique = list(dict.fromkeys(texts))
        self.index = {t: i for i, t in enumerate(unique)}
        self.matrix = encoder.encode(unique) if unique else np.zeros((0, 384), np.float32)

    def rows(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.matrix.shape[1]), dtype=np.float32)
        return self.matrix[[self.index[t] for t in texts]]


@dataclass
class Prepared:
    """The papers under evaluation with their human comments cut and tokenised once."""

    papers: list[Reference]
    human_comments: list[list[list[str]]]  # paper -> review -> comment units
    human_tokens: list[list[list[str]]]  # paper -> review -> ROUGE tokens

    @classmethod
    def build(cls, papers: list[Reference]) -> Prepared:
        return cls(
            papers,
            [[split_comments(r.comment_source) for r in p.reviews] for p in papers],
            [[tokens(r.text) for r in p.reviews if r.text.strip()] for p in papers],
        )


def group_estimates(estimates: dict[str, Estimate]) -> dict[str, Any]:
    """A metric group as metrics.json stores it: each estimate's value, interval and n."""
    return {k: v.to_dict() for k, v in estimates.items()}


def _nan(x: float | None) -> float:
    return float("nan") if x is None else float(x)


@dataclass
class Scoring:
    """What every system is scored against: the same papers, vectors, resamples and rules."""

    prep: Prepared
    vectors: Vectors
    boot: Bootstrap
    detector: AspectDetector | None
    generic_reference: tuple[np.ndarray, np.ndarray, dict[str, int]]
    threshold: float
    seed: int
    interval_level: float | None = None  # the calibration's nominal interval coverage


COMMENT_NAMES = (
    "hit_rate",
    "precision",
    "shuffled_hit_rate",
    "shuffled_precision",
    "n_generated_per_paper",
    "n_human_per_paper",
)


def _decision_and_rating(got: list[Prediction | None], ctx: Scoring) -> dict[str, Any]:
    papers, boot = ctx.prep.papers, ctx.boot
    rated = [i for i, g in enumerate(got) if g is not None and g.rating is not None]
    dec = [i for i in rated if papers[i].accepted is not None]
    fld = [i for i, g in enumerate(got) if g is not None and g.decision is not None]
    fld = [i for i in fld if papers[i].accepted is not None]
    vs_human = [i for i in rated if papers[i].mean_rating is not None]
    exact = [
        exact_match_any(
            got[i].rating,
            [r.raw_rating for r in papers[i].reviews if r.raw_rating is not None],
            lambda v, s=papers[i].scale: from_common(v, s),
        )
        for i in vs_human
    ]
    ratings = [got[i].rating for i in vs_human]
    human_means = [papers[i].mean_rating for i in vs_human]
    return {
        "decision": group_estimates(
            decision_metrics(
                [papers[i].accepted for i in dec], [got[i].rating for i in dec], boot, ctx.threshold
            )
        ),
        "decision_field": group_estimates(
            decision_field_metrics(
                [papers[i].accepted for i in fld], [got[i].decision for i in fld], boot
            )
        ),
        "rating": {
            **group_estimates(rating_metrics(ratings, human_means, exact, boot)),
            **_interval_coverage(got, vs_human, ctx),
        },
    }


def _interval_coverage(got: list[Prediction | None], rated: list[int], ctx: Scoring) -> dict:
    """``interval_coverage``: the share of papers whose mean human rating lies inside the
    calibrated interval, beside the interval's nominal level (calibrated systems only)."""
    with_interval = [i for i in rated if got[i].interval is not None]  # type: ignore[union-attr]
    if not with_interval:
        return {}
    papers = ctx.prep.papers
    inside = np.array(
        [
            got[i].interval[0] <= papers[i].mean_rating <= got[i].interval[1]  # type: ignore
            for i in with_interval
        ],
        dtype=float,
    )
    return {"interval_coverage": {**ctx.boot.mean(inside).to_dict(), "nominal": ctx.interval_level}}


def _generic_rates(gen_vecs: list[np.ndarray], present: list[int], ctx: Scoring) -> np.ndarray:
    """Per paper, the share of its generated comments that are generic (NaN: no comments)."""
    ref_vecs, ref_paper, ref_pos = ctx.generic_reference
    counts = [v.shape[0] for v in gen_vecs]
    own = np.repeat([ref_pos.get(ctx.prep.papers[i].paper_id, -1) for i in present], counts)
    flags = generic.generic_flags(np.vstack(gen_vecs), ref_vecs, ref_paper, own.astype(int))
    bounds = np.cumsum([0, *counts])
    return np.array(
        [
            flags[a:b].mean() if b > a else np.nan
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]
    )


def _text_groups(
    got: list[Prediction | None], present: list[int], ctx: Scoring
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """comments, specificity and text groups, and the per-paper arrays behind them."""
    prep, vectors, boot = ctx.prep, ctx.vectors, ctx.boot
    gen_vecs = [vectors.rows(got[i].comments) for i in present]
    hum_by_review = [[vectors.rows(r) for r in prep.human_comments[i]] for i in present]
    hum_vecs = [
        np.vstack(r) if r else np.zeros((0, vectors.matrix.shape[1])) for r in hum_by_review
    ]
    scores = cm.comment_scores(gen_vecs, hum_vecs, seed=ctx.seed)
    per_paper = {
        "hit_rate": scores.hit_rate,
        "precision": scores.precision,
        "shuffled_hit_rate": scores.shuffled_hit_rate,
        "shuffled_precision": scores.shuffled_precision,
        "n_generated_per_paper": np.array([v.shape[0] for v in gen_vecs], dtype=float),
        "n_human_per_paper": np.array([v.shape[0] for v in hum_vecs], dtype=float),
        "generic_rate": _generic_rates(gen_vecs, present, ctx),
        "rouge_l": np.array([best_rouge_l(got[i].text, prep.human_tokens[i]) for i in present]),
        "embedding_similarity": np.array(
            [best_embedding_similarity(g, h) for g, h in zip(gen_vecs, hum_by_review, strict=True)]
        ),
    }
    groups = {
        "comments": {k: boot.mean(per_paper[k]).to_dict() for k in COMMENT_NAMES},
        "specificity": {"generic_rate": boot.mean(per_paper["generic_rate"]).to_dict()},
        "text": {k: boot.mean(per_paper[k]).to_dict() for k in ("rouge_l", "embedding_similarity")},
    }
    return groups, per_paper


def _coverage(
    got: list[Prediction | None], present: list[int], has_text: bool, ctx: Scoring
) -> tuple[dict[str, Any], dict[int, list[str]]]:
    boot = ctx.boot
    filled = np.array([_nan(g.sections_filled) if g else np.nan for g in got])
    coverage: dict[str, Any] = {"sections_filled": boot.mean(filled).to_dict()}
    aspects: dict[int, list[str]] = {}
    if ctx.detector is None or not has_text:
        coverage["aspects_covered"] = empty().to_dict()
        coverage["aspect"] = {a: empty().to_dict() for a in ASPECTS}
        return coverage, aspects
    covered = [ctx.detector.covered(ctx.vectors.rows(got[i].aspect_units)) for i in present]
    for i, c in zip(present, covered, strict=True):
        aspects[i] = [a for a, yes in c.items() if yes]
    share = np.array([sum(c.values()) / len(ASPECTS) for c in covered])
    coverage["aspects_covered"] = boot.mean(share).to_dict()
    coverage["aspect"] = {
        a: boot.mean(np.array([float(c[a]) for c in covered])).to_dict() for a in ASPECTS
    }
    return coverage, aspects


def _text_quality(
    got: list[Prediction | None], ctx: Scoring, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """Text quality of each review against the paper text its prompt showed."""
    present = [i for i, g in enumerate(got) if g is not None and (g.review or g.text)]
    counts = []
    for i in present:
        paper, pred = ctx.prep.papers[i], got[i]
        assert pred is not None
        source = tq.paper_source(paper.title, paper.abstract, paper.keywords)
        c = tq.measure(pred.review or {"text": pred.text}, source)
        counts.append(c)
        rows[i]["text_quality"] = {k: _round(v) if v is not None else None
                                   for k, v in c.ratios().items()}  # fmt: skip
    return tq.bootstrap_group(counts, ctx.boot)


def score_system(
    preds: dict[str, Prediction], ctx: Scoring, *, text_quality: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """All metric groups for one system on the prepared papers, and its per-paper rows.

    ``text_quality`` (a review of the paper it is scored on, not a baseline's borrowed review)
    adds the text-quality group."""
    papers = ctx.prep.papers
    got = [preds.get(p.paper_id) for p in papers]
    out = _decision_and_rating(got, ctx)
    rows: list[dict[str, Any]] = [{} for _ in papers]
    for i, g in enumerate(got):
        if g is not None and g.rating is not None:
            rows[i]["rating"] = g.rating
        if g is not None and g.decision is not None:
            rows[i]["decision"] = g.decision
    present = [i for i, g in enumerate(got) if g is not None]
    has_text = any(got[i].comments or got[i].text for i in present)
    if has_text:
        groups, per_paper = _text_groups(got, present, ctx)
        out.update(groups)
        for name, values in per_paper.items():
            if not name.startswith("n_"):
                for k, i in enumerate(present):
                    rows[i][name] = _round(values[k])
    else:
        out["comments"] = {k: empty().to_dict() for k in COMMENT_NAMES}
        out["specificity"] = {"generic_rate": empty().to_dict()}
        out["text"] = {k: empty().to_dict() for k in ("rouge_l", "embedding_similarity")}
    out["coverage"], aspects = _coverage(got, present, has_text, ctx)
    for i, names in aspects.items():
        rows[i]["aspects"] = names
    out["text_quality"] = (
        _text_quality(got, ctx, rows) if text_quality else tq.bootstrap_group([], ctx.boot)
    )
    return out, rows


def prediction_rate(
    preds: dict[str, Prediction], papers: Sequence[Reference], boot: Bootstrap
) -> Estimate:
    """Share of ``papers`` with a usable (rated) prediction: failures and gaps count against."""
    has = [p.paper_id in preds and preds[p.paper_id].rating is not None for p in papers]
    return boot.mean(np.array(has, dtype=float))


def _round(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 4)
