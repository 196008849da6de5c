"""Orchestration: references + predictions + baselines -> metrics.json, per_paper.jsonl, report.

Each system (the one under test and every baseline) is scored by the same code on the same
papers with the same bootstrap resamples, and every text is embedded once per run through the
cache, so a warm run costs seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reviewer.calibration import Calibration
from reviewer.checks import generic, words
from reviewer.checks.textcheck import NON_COMMENT_VERSION
from reviewer.embed import ABSTRACT_MAX_TOKENS, ENCODING, MODEL_NAME, Embedder, Encoder
from reviewer.errors import ConfigError
from reviewer.eval import comments as cm
from reviewer.eval import registry
from reviewer.eval import textquality as tq
from reviewer.eval.baselines import BASELINES, LEXICAL_NEIGHBOUR
from reviewer.eval.calibrate import calibrated_predictions
from reviewer.eval.coverage import AspectDetector, load_detector
from reviewer.eval.metrics import (
    DECISION_THRESHOLD,
    N_RESAMPLES,
    SEED,
    Bootstrap,
    human_metrics,
)
from reviewer.eval.predictions import LoadedPredictions, Prediction, load_predictions
from reviewer.eval.prepare import (
    ABSTRACTS,
    UNITS,
    StageProgress,
    build_baselines,
    comment_texts,
    stage,
)
from reviewer.eval.scoring import (
    Prepared,
    Scoring,
    Vectors,
    group_estimates,
    prediction_rate,
    score_system,
)
from reviewer.references import (
    COMMON_SCALE,
    Reference,
    is_form_reference_set,
    load_references,
    resolve_references,
    select,
)

SCHEMA = "reviewer.eval/1"


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
    progress: StageProgress | None = None,
) -> dict[str, Any]:
    """Score the configured system and baselines; write metrics, per-paper rows and the report.

    ``progress`` is told how embedding goes (default: a line per 2,048 new texts)."""
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

    sentence_encoder = sentence_encoder or Embedder(progress=stage(progress, UNITS))
    abstracts: list[Encoder] = []  # made only for the MiniLM nearest neighbour

    def abstract() -> Encoder:
        if not abstracts:
            abstracts.append(
                abstract_encoder
                or Embedder(ABSTRACT_MAX_TOKENS, progress=stage(progress, ABSTRACTS))
            )
        return abstracts[0]

    baselines, skipped = build_baselines(config.baselines, everything, train, papers, abstract, log)
    systems.update(baselines)
    if loaded is None and not systems:
        raise ConfigError(f"nothing to score: every baseline was skipped ({root})")
    primary = loaded.name if loaded is not None else next(iter(systems))
    if loaded is not None and config.calibration is not None:
        primary = f"{loaded.name} + calibration"
        systems[primary] = calibrated_predictions(loaded.predictions, papers, config.calibration)
    lap("baselines")

    prep = Prepared.build(papers)
    pool_units, pool_ids = generic.generic_reference_pool(train, papers)
    texts = comment_texts(prep, pool_units, systems)
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

    human = group_estimates(
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
    for group in registry.GROUP_NAMES:
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
    metrics["embedded_new_abstracts"] = getattr(abstracts[0], "encoded", None) if abstracts else 0

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
    from reviewer.references import VENUE_YEAR_SCALES, segment

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
        "embedding_encoding": f"{ENCODING}: batches of one token length, vectors independent "
        "of their batch",
        "lexical_neighbour": LEXICAL_NEIGHBOUR,
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
            "non_comment_rule": NON_COMMENT_VERSION,
            "word_list": "wordfreq en large",
            "known_zipf": words.KNOWN_ZIPF,
            "part_zipf": words.PART_ZIPF,
            "misspelling_vocabulary": words.VOCABULARY_SIZE,
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
