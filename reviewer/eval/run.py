"""Orchestration: references + predictions + baselines -> metrics.json, per_paper.jsonl, report.

Each system (the one under test and every baseline) is scored by the same code on the same
papers with the same bootstrap resamples, and every text is embedded once per run through the
cache, so a warm run costs seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reviewer import generic, words
from reviewer.calibration import Calibration
from reviewer.embed import ABSTRACT_MAX_TOKENS, MODEL_NAME, Embedder, Encoder
from reviewer.errors import ConfigError
from reviewer.eval import comments as cm
from reviewer.eval import textquality as tq
from reviewer.eval.baselines import (
    BASELINES,
    abstract_prior_baseline,
    constant_baseline,
    nearest_neighbour_baseline,
)
from reviewer.eval.calibrate import calibrated_predictions
from reviewer.eval.coverage import ASPECTS, AspectDetector, load_detector
from reviewer.eval.generated import LoadedPredictions, Prediction, load_predictions
from reviewer.eval.metrics import (
    DECISION_THRESHOLD,
    N_RESAMPLES,
    SEED,
    Bootstrap,
    Estimate,
    decision_field_metrics,
    decision_metrics,
    empty,
    exact_match_any,
    human_metrics,
    rating_metrics,
)
from reviewer.eval.textsim import best_embedding_similarity, best_rouge_l, tokens
from reviewer.references import (
    COMMON_SCALE,
    Reference,
    from_common,
    is_form_reference_set,
    load_references,
    resolve_references,
    select,
)
from reviewer.segment import split_comments

SCHEMA = "reviewer.eval/1"
GROUPS = ("decision", "decision_field", "rating", "comments", "specificity", "coverage", "text",
          "text_quality")  # fmt: skip


@dataclass
class EvalConfig:
    """Everything a run depends on; written to metrics.json as the protocol."""

    out: Path
    references: str | Path | None = None
    split: str | None = "test"
    years: tuple[int, ...] = ()
    limit: int | None = None
    predictions: Path | None = None
    mapping: dict[str, list[str]] | None = None
    pred_scale: tuple[float, float] = COMMON_SCALE
    name: str | None = None
    baselines: tuple[str, ...] = BASELINES
    threshold: float = DECISION_THRESHOLD
    n_resamples: int = N_RESAMPLES
    seed: int = SEED
    report: bool = True
    calibration: Calibration | None = None
    extra: dict[str, Any] = field(default_factory=dict)


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


def _group(estimates: dict[str, Estimate]) -> dict[str, Any]:
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
        "decision": _group(
            decision_metrics(
                [papers[i].accepted for i in dec], [got[i].rating for i in dec], boot, ctx.threshold
            )
        ),
        "decision_field": _group(
            decision_field_metrics(
                [papers[i].accepted for i in fld], [got[i].decision for i in fld], boot
            )
        ),
        "rating": {
            **_group(rating_metrics(ratings, human_means, exact, boot)),
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


def _detector_summary(detector: AspectDetector | None) -> dict[str, Any]:
    if detector is None:
        return {"available": False, "note": "evals/aspect_detector.json not found"}
    info = detector.info
    sentence = info.get("sentence_level", {}).get("test", {})
    review = info.get("review_level", {}).get("test", {})
    return {
        "available": True,
        "data": info.get("data"),
        "classifier": info.get("classifier"),
        "rule": info.get("coverage_rule"),
        "thresholds": detector.thresholds,
        "test_review_accuracy": review.get("accuracy"),
        "test_review_mean_balanced_accuracy": review.get("mean_balanced_accuracy"),
        "test_review_macro_f1": review.get("macro_f1"),
        "test_review_majority_accuracy": review.get("majority_baseline_accuracy"),
        "test_review_per_aspect_f1": review.get("per_aspect_f1"),
        "test_n_reviews": review.get("n_reviews"),
        "test_sentence_accuracy": sentence.get("accuracy"),
        "test_sentence_accuracy_ci": sentence.get("accuracy_ci"),
        "test_sentence_majority_accuracy": sentence.get("majority_baseline_accuracy"),
        "test_n_sentences": sentence.get("n_sentences"),
    }


def run_eval(
    config: EvalConfig,
    *,
    sentence_encoder: Encoder | None = None,
    abstract_encoder: Encoder | None = None,
    detector: AspectDetector | None | str = "default",
    log: Callable[[str], None] = lambda msg: None,
) -> dict[str, Any]:
    """Score the configured system and baselines; write metrics, per-paper rows and the report."""
    timing: dict[str, float] = {}
    clock = time.perf_counter()
    start = clock

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timing[name] = round(now - clock, 3)
        clock = now

    if config.predictions is None and not config.baselines:
        raise ConfigError("nothing to score: give --predictions, --generate or --baseline")
    systems: dict[str, dict[str, Prediction]] = {}
    loaded: LoadedPredictions | None = None
    if config.predictions is not None:
        loaded = load_predictions(
            config.predictions, mapping=config.mapping, scale=config.pred_scale, name=config.name
        )
        systems[loaded.name] = loaded.predictions
    lap("load_predictions")
    root = resolve_references(config.references)
    everything = load_references(root)
    selected = select(everything, split=config.split, years=config.years, limit=config.limit)
    if not selected:
        raise ConfigError(
            f"no reference papers in {root} for split={config.split} years={list(config.years)}"
        )
    train = select(everything, split="train", years=config.years)
    log(f"references: {len(selected)} papers ({config.split}), {len(train)} train papers")
    lap("load_references")

    papers = selected
    if loaded is not None:
        papers = [p for p in selected if p.paper_id in loaded.predictions]
        if not papers:
            raise ConfigError(
                f"no prediction in {loaded.source} has a paper_id of the selected references"
            )
    lap("select_papers")
    if is_form_reference_set(papers):
        return _form_eval(config, root, selected, papers, loaded, sentence_encoder, log, timing)

    sentence_encoder = sentence_encoder or Embedder()
    builders: dict[str, Callable[[], dict[str, Prediction]]] = {
        "constant": lambda: constant_baseline(train, papers),
        "nearest-neighbour": lambda: nearest_neighbour_baseline(
            train, papers, abstract_encoder or Embedder(ABSTRACT_MAX_TOKENS)
        ),
        # every year's train papers: the prior learns offsets from each venue-year's mean
        "abstract-prior": lambda: abstract_prior_baseline(
            select(everything, split="train"), papers
        ),
    }
    skipped: dict[str, str] = {}
    for name in config.baselines:
        try:
            systems[name] = builders[name]()
        except ConfigError as exc:  # no (or a small) train split: everything else is scored
            skipped[name] = str(exc)
            log(f"{name} baseline skipped: {exc}")
    if loaded is None and not systems:
        raise ConfigError(f"nothing to score: every baseline was skipped ({root})")
    primary = loaded.name if loaded is not None else next(iter(systems))
    if loaded is not None and config.calibration is not None:
        primary = f"{loaded.name} + calibration"
        systems[primary] = calibrated_predictions(loaded.predictions, papers, config.calibration)
    lap("baselines")

    prep = Prepared.build(papers)
    pool_units, pool_ids = generic.generic_reference_pool(train, papers)
    texts: list[str] = [u for paper in prep.human_comments for r in paper for u in r]
    texts += [u for units in pool_units for u in units]
    for preds in systems.values():
        for pred in preds.values():
            texts.extend(pred.comments)
            texts.extend(pred.aspect_units)
    lap("segment")
    log(f"embedding {len(set(texts))} distinct comment texts (cached ones are read, not encoded)")
    vectors = Vectors(sentence_encoder, texts)
    lap("embed_comments")

    ref_vecs = vectors.rows([u for units in pool_units for u in units])
    ref_paper = np.repeat(np.arange(len(pool_units)), [len(u) for u in pool_units])
    generic_reference = (ref_vecs, ref_paper, {pid: k for k, pid in enumerate(pool_ids)})
    if isinstance(detector, str):
        detector = load_detector()
    boot = Bootstrap(config.n_resamples, config.seed)
    level = (config.calibration.interval or {}).get("level") if config.calibration else None
    ctx = Scoring(
        prep, vectors, boot, detector, generic_reference, config.threshold, config.seed, level
    )

    results: dict[str, dict[str, Any]] = {}
    per_paper: dict[str, list[dict[str, Any]]] = {}
    for name, preds in systems.items():
        ours = loaded is not None and name in (loaded.name, primary)
        results[name], per_paper[name] = score_system(preds, ctx, text_quality=ours)
        # the system under test answers for every selected paper; baselines for those scored
        universe = selected if name == primary else papers
        rate = prediction_rate(preds, universe, boot).to_dict()
        results[name]["coverage"] = {"prediction_rate": rate, **results[name]["coverage"]}
        lap(f"score:{name}")

    human = _group(
        human_metrics(
            [p.ratings for p in papers], [p.accepted for p in papers], boot, config.threshold
        )
    )
    loo_hit, loo_control = cm.human_loo_hit_rates(
        [[vectors.rows(r) for r in paper] for paper in prep.human_comments], seed=config.seed
    )
    human["loo_comment_hit_rate"] = boot.mean(loo_hit).to_dict()
    human["loo_comment_shuffled_hit_rate"] = boot.mean(loo_control).to_dict()
    lap("human")

    metrics: dict[str, Any] = {"schema": SCHEMA, "system": primary}
    for group in GROUPS:
        metrics[group] = results[primary][group]
    metrics["coverage"]["detector"] = _detector_summary(detector)
    metrics["human"] = human
    metrics["baselines"] = {b: results[b] for b in config.baselines if b in results}
    metrics["baselines_skipped"] = skipped
    if loaded is not None and primary != loaded.name:  # calibrated: the raw scores beside
        metrics["uncalibrated"] = {loaded.name: results[loaded.name]}
    metrics["protocol"] = _protocol(config)
    metrics["references"] = {
        "path": str(root),
        "split": config.split,
        "years": list(config.years),
        "limit": config.limit,
        "n_selected": len(selected),
        "n_papers": len(papers),
        "n_reviews": sum(len(p.reviews) for p in papers),
        "n_train_papers": len(train),
        "accept_rate": _rate([p.accepted for p in papers]),
        "venues": sorted({f"{p.venue} {p.year}" for p in papers}),
    }
    if loaded is not None:
        metrics["predictions"] = {
            "source": loaded.source,
            "n_records": len(loaded.predictions),
            "n_matched": len(papers),
            "skipped": loaded.skipped,
            "duplicates": loaded.duplicates,
            "mapping": config.mapping or None,
        }
    metrics["timing_s"] = timing
    metrics["embedded_new_texts"] = getattr(sentence_encoder, "encoded", None)

    config.out.mkdir(parents=True, exist_ok=True)
    rows = _per_paper_rows(papers, per_paper)
    with (config.out / "per_paper.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if config.report:
        from reviewer.eval.report import write_eval_report

        write_eval_report(config.out, metrics, rows)
        lap("report")
    timing["total"] = round(time.perf_counter() - start, 3)
    (config.out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    return metrics


def _form_eval(
    config: EvalConfig,
    root: Path,
    selected: list[Reference],
    papers: list[Reference],
    loaded: LoadedPredictions | None,
    encoder: Encoder | None,
    log: Callable[[str], None],
    timing: dict[str, float],
) -> dict[str, Any]:
    """A form reference set (no ratings): text quality beside the reference's, and section
    similarity (:mod:`reviewer.eval.formref`)."""
    from reviewer.eval.formref import run_form_eval, write_outputs

    start = time.perf_counter()
    metrics, rows = run_form_eval(
        papers,
        loaded,
        encoder or Embedder(),
        Bootstrap(config.n_resamples, config.seed),
        reference_name=root.name,
        log=log,
    )
    metrics["references"] = {
        "path": str(root),
        "split": config.split,
        "limit": config.limit,
        "n_selected": len(selected),
        "n_papers": len(papers),
        "kind": "form reference set (reviews in the form's fields, no ratings)",
    }
    if loaded is not None:
        metrics["predictions"] = {"source": loaded.source, "n_records": len(loaded.predictions),
                                  "n_matched": len(papers)}  # fmt: skip
    timing["form_eval"] = round(time.perf_counter() - start, 3)
    metrics["timing_s"] = {**timing, "total": round(sum(timing.values()), 3)}
    write_outputs(config.out, metrics, rows)
    return metrics


def _rate(values: Sequence[bool | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


def _per_paper_rows(
    papers: list[Reference], per_paper: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    rows = []
    for i, p in enumerate(papers):
        row: dict[str, Any] = {
            "paper_id": p.paper_id,
            "venue": p.venue,
            "year": p.year,
            "accepted": p.accepted,
            "human_mean": None if p.mean_rating is None else round(p.mean_rating, 4),
            "human_ratings": [r.rating for r in p.reviews if r.rating is not None],
            "systems": {},
        }
        for name, system_rows in per_paper.items():
            row["systems"][name] = system_rows[i]
        rows.append(row)
    return rows


def _protocol(config: EvalConfig) -> dict[str, Any]:
    from reviewer import segment
    from reviewer.references import VENUE_YEAR_SCALES

    return {
        "decision_rule": f"accept if overall >= {config.threshold:g} on 1-10",
        "decision_threshold": config.threshold,
        "rating_scale": "common 1-10; native scales mapped linearly, 1 + (x - lo) * 9 / (hi - lo)",
        "native_scales": {f"{v} {y}": list(s) for (v, y), s in VENUE_YEAR_SCALES.items()},
        "bootstrap": {
            "resamples": config.n_resamples,
            "seed": config.seed,
            "interval": "95% percentile, papers resampled with replacement (paired across systems)",
        },
        "embedding_model": MODEL_NAME,
        "matcher": {
            "version": cm.MATCHER_VERSION,
            "match_threshold": generic.MATCH_THRESHOLD,
            "generic_share": generic.GENERIC_SHARE,
            "generic_reference_papers": generic.REFERENCE_PAPERS,
            "min_comment_words": segment.MIN_COMMENT_WORDS,
            "human_comments": "STRENGTHS / WEAKNESSES sections (whole text when it has none)",
        },
        "text_quality": {
            "version": tq.TEXT_QUALITY_VERSION,
            "non_comment_rule": tq.NON_COMMENT_VERSION,
            "word_list": "wordfreq en large",
            "known_zipf": words.KNOWN_ZIPF,
            "part_zipf": words.PART_ZIPF,
            "ngram": tq.NGRAM,
            "source": "title, keywords and abstract of the reference paper (what --generate shows)",
        },
        "prediction_scale": list(config.pred_scale),
        "calibration": (
            {**config.calibration.fitted, "accept_at": config.calibration.accept_at}
            if config.calibration is not None
            else None
        ),
        **config.extra,
    }
