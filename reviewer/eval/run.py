"""Orchestration: inputs -> systems -> scores -> metrics.json, per_paper.jsonl, report.

``run_eval`` runs the stages in order: ``load_inputs`` (:mod:`reviewer.eval.inputs`),
``choose_systems`` (the system under test, its calibrated twin and the baselines), ``score``
(every system by the same code on the same papers with the same bootstrap resamples, every text
embedded once through the cache, so a warm run costs seconds) and ``write``. A form reference
set goes to its own entry point, :func:`reviewer.eval.formref.evaluate_form_reference`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reviewer.checks import generic, words
from reviewer.checks.textcheck import NON_COMMENT_VERSION
from reviewer.embed import ABSTRACT_MAX_TOKENS, ENCODING, MODEL_NAME, Embedder, Encoder
from reviewer.errors import ConfigError
from reviewer.eval import comments as cm
from reviewer.eval import registry
from reviewer.eval import textquality as tq
from reviewer.eval.baselines import LEXICAL_NEIGHBOUR
from reviewer.eval.calibrate import calibrated_predictions
from reviewer.eval.coverage import AspectDetector, load_detector
from reviewer.eval.inputs import EvalConfig, Inputs, load_inputs
from reviewer.eval.metrics import Bootstrap, human_metrics
from reviewer.eval.predictions import Prediction
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
from reviewer.references import Reference

__all__ = ["EvalConfig", "Inputs", "load_inputs", "run_eval"]

SCHEMA = "reviewer.eval/1"


class Laps(dict[str, float]):
    """Seconds per stage, in the order the stages ran (metrics.json's ``timing_s``)."""

    def __init__(self, **before: float) -> None:
        """``before``: stages timed before this clock started; the total counts them too."""
        super().__init__(before)
        self.clock = time.perf_counter()
        self.start = self.clock - sum(before.values())

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self[name] = round(now - self.clock, 3)
        self.clock = now

    def total(self) -> float:
        return round(time.perf_counter() - self.start, 3)


@dataclass
class Systems:
    """What is scored: name -> predictions, which one is under test, and baselines skipped."""

    predictions: dict[str, dict[str, Prediction]]
    primary: str
    skipped: dict[str, str] = field(default_factory=dict)
    abstract_encoder: Encoder | None = None  # made for the MiniLM neighbour only


@dataclass
class Scores:
    results: dict[str, dict[str, Any]]
    per_paper: dict[str, list[dict[str, Any]]]
    human: dict[str, Any]
    detector: AspectDetector | None


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
    inputs: Inputs | None = None,
    sentence_encoder: Encoder | None = None,
    abstract_encoder: Encoder | None = None,
    detector: AspectDetector | None | str = "default",
    log: Callable[[str], None] = lambda msg: None,
    progress: StageProgress | None = None,
) -> dict[str, Any]:
    """Score the configured system and baselines; write metrics, per-paper rows and the report.

    ``inputs`` are the run's papers and predictions when the caller has read them already
    (``load_inputs(config)``). ``progress`` is told how embedding goes (default: a line per
    2,048 new texts)."""
    if config.predictions is None and not config.baselines:
        raise ConfigError("nothing to score: give --predictions, --generate or --baseline")
    inputs = inputs if inputs is not None else load_inputs(config)
    timing = Laps(load=inputs.seconds)
    log(
        f"references: {len(inputs.selected)} papers ({config.split}), "
        f"{len(inputs.train)} train papers"
    )
    if inputs.form_reference:
        from reviewer.eval.formref import evaluate_form_reference

        return evaluate_form_reference(config, inputs, sentence_encoder, log)

    encoder = sentence_encoder or Embedder(progress=stage(progress, UNITS))

    def abstract() -> Encoder:
        return abstract_encoder or Embedder(
            ABSTRACT_MAX_TOKENS, progress=stage(progress, ABSTRACTS)
        )

    systems = choose_systems(config, inputs, abstract, log)
    timing.lap("baselines")
    scores = score(config, inputs, systems, encoder, detector, log, timing)
    metrics = assemble(config, inputs, systems, scores)
    metrics["timing_s"] = timing
    metrics["embedded_new_texts"] = getattr(encoder, "encoded", None)
    made = systems.abstract_encoder
    metrics["embedded_new_abstracts"] = getattr(made, "encoded", None) if made else 0
    write(config, inputs, metrics, scores.per_paper, timing)
    return metrics


def choose_systems(
    config: EvalConfig,
    inputs: Inputs,
    abstract: Callable[[], Encoder],
    log: Callable[[str], None],
) -> Systems:
    """The system under test (and its calibrated twin) and the baselines, on the same papers.

    ``abstract`` makes the abstract encoder; it is called only for the MiniLM neighbour."""
    made: Encoder | None = None

    def once() -> Encoder:
        nonlocal made
        if made is None:
            made = abstract()
        return made

    loaded = inputs.loaded
    predictions: dict[str, dict[str, Prediction]] = {}
    if loaded is not None:
        predictions[loaded.name] = loaded.predictions
    baselines, skipped = build_baselines(
        config.baselines, inputs.everything, inputs.train, inputs.papers, once, log
    )
    predictions.update(baselines)
    if loaded is None and not predictions:
        raise ConfigError(f"nothing to score: every baseline was skipped ({inputs.root})")
    primary = loaded.name if loaded is not None else next(iter(predictions))
    if loaded is not None and config.calibration is not None:
        primary = f"{loaded.name} + calibration"
        predictions[primary] = calibrated_predictions(
            loaded.predictions, inputs.papers, config.calibration
        )
    return Systems(predictions, primary, skipped, made)


def score(
    config: EvalConfig,
    inputs: Inputs,
    systems: Systems,
    encoder: Encoder,
    detector: AspectDetector | None | str,
    log: Callable[[str], None],
    timing: Laps,
) -> Scores:
    """Every system's figures and per-paper rows, and the human reviewers' own figures."""
    papers, loaded = inputs.papers, inputs.loaded
    prep = Prepared.build(papers)
    pool_units, pool_ids = generic.generic_reference_pool(inputs.train, papers)
    texts = comment_texts(prep, pool_units, systems.predictions)
    timing.lap("segment")
    log(f"embedding {len(set(texts))} distinct comment texts (cached ones are read, not encoded)")
    vectors = Vectors(encoder, texts)
    timing.lap("embed_comments")

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
    for name, preds in systems.predictions.items():
        ours = loaded is not None and name in (loaded.name, systems.primary)
        results[name], per_paper[name] = score_system(preds, ctx, text_quality=ours)
        # the system under test answers for every selected paper; baselines for those scored
        universe = inputs.selected if name == systems.primary else papers
        rate = prediction_rate(preds, universe, boot).to_dict()
        results[name]["coverage"] = {"prediction_rate": rate, **results[name]["coverage"]}
        timing.lap(f"score:{name}")

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
    timing.lap("human")
    return Scores(results, per_paper, human, detector)


def assemble(
    config: EvalConfig, inputs: Inputs, systems: Systems, scores: Scores
) -> dict[str, Any]:
    """metrics.json's content (timings aside): the primary system's groups, the human figures,
    the baselines, the protocol and what was read."""
    primary, loaded, papers, results = systems.primary, inputs.loaded, inputs.papers, scores.results
    metrics: dict[str, Any] = {"schema": SCHEMA, "system": primary}
    for group in registry.GROUP_NAMES:
        metrics[group] = results[primary][group]
    metrics["coverage"]["detector"] = _detector_summary(scores.detector)
    metrics["human"] = scores.human
    metrics["baselines"] = {b: results[b] for b in config.baselines if b in results}
    metrics["baselines_skipped"] = systems.skipped
    if loaded is not None and primary != loaded.name:  # calibrated: the raw scores beside
        metrics["uncalibrated"] = {loaded.name: results[loaded.name]}
    metrics["protocol"] = _protocol(config)
    metrics["references"] = {
        "path": str(inputs.root),
        "split": config.split,
        "years": list(config.years),
        "limit": config.limit,
        "n_selected": len(inputs.selected),
        "n_papers": len(papers),
        "n_reviews": sum(len(p.reviews) for p in papers),
        "n_train_papers": len(inputs.train),
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
    return metrics


def write(
    config: EvalConfig,
    inputs: Inputs,
    metrics: dict[str, Any],
    per_paper: dict[str, list[dict[str, Any]]],
    timing: Laps,
) -> None:
    """per_paper.jsonl, the report (unless turned off) and metrics.json, last."""
    config.out.mkdir(parents=True, exist_ok=True)
    rows = _per_paper_rows(inputs.papers, per_paper)
    with (config.out / "per_paper.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if config.report:
        from reviewer.eval.report import write_eval_report

        write_eval_report(config.out, metrics, rows)
        timing.lap("report")
    timing["total"] = timing.total()
    (config.out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")


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
