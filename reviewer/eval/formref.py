"""Scoring against a form reference set (``seed_001_sections``): reviews in the form's own
fields, written for the same papers, with no human ratings.

Such a set is a reference for form and depth, not ground truth, so the figures are
descriptive: text quality of our reviews beside the same figures of the reference reviews
(against the same abstracts), and, section by section, how close our paragraph is to the
reference paragraph of the same paper (MiniLM cosine and ROUGE-L), beside a shuffled control
(the reference paragraph of the same section of a different paper).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from reviewer.embed import MODEL_NAME, Embedder, Encoder
from reviewer.eval import textquality as tq
from reviewer.eval.inputs import EvalConfig, Inputs
from reviewer.eval.metrics import Bootstrap
from reviewer.eval.predictions import LoadedPredictions
from reviewer.eval.textsim import rouge_l, tokens
from reviewer.references import Reference

SCHEMA = "reviewer.eval.formref/1"


def _source(paper: Reference) -> str:
    return tq.paper_source(paper.title, paper.abstract, paper.keywords)


def section_similarity(
    papers: Sequence[Reference],
    ours: Sequence[dict[str, Any]],
    encoder: Encoder,
    boot: Bootstrap,
) -> tuple[dict[str, Any], list[dict[str, float]]]:
    """Per reference section: cosine of our paragraph with the reference paragraph of the same
    paper and of the next paper (the control), and ROUGE-L F, each a bootstrap mean."""
    sections = list(dict.fromkeys(k for p in papers for k, _ in p.form_review))
    rows: list[dict[str, float]] = [{} for _ in papers]
    out: dict[str, Any] = {}
    for section in sections:
        idx = [
            i
            for i, p in enumerate(papers)
            if isinstance(ours[i].get(section), str) and dict(p.form_review).get(section)
        ]
        if not idx:
            continue
        mine = [str(ours[i][section]) for i in idx]
        theirs = [dict(papers[i].form_review)[section] for i in idx]
        a, b = encoder.encode(mine), encoder.encode(theirs)
        same = np.sum(a * b, axis=1)
        other = np.sum(a * np.roll(b, -1, axis=0), axis=1) if len(idx) > 1 else np.full(1, np.nan)
        rouge = np.array([rouge_l(tokens(m), tokens(t)) for m, t in zip(mine, theirs, strict=True)])
        for k, i in enumerate(idx):
            rows[i][section] = round(float(same[k]), 4)
        out[section] = {
            "embedding_similarity": boot.mean(same).to_dict(),
            "shuffled_embedding_similarity": boot.mean(other).to_dict(),
            "rouge_l": boot.mean(rouge).to_dict(),
        }
    return out, rows


def run_form_eval(
    papers: list[Reference],
    loaded: LoadedPredictions | None,
    encoder: Encoder,
    boot: Bootstrap,
    *,
    reference_name: str,
    log: Callable[[str], None] = lambda msg: None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """metrics.json's content and the per-paper rows for a form reference set."""
    reference = [tq.measure(dict(p.form_review), _source(p)) for p in papers]
    metrics: dict[str, Any] = {
        "schema": SCHEMA,
        "system": loaded.name if loaded else f"reference: {reference_name}",
        "reference_text_quality": tq.bootstrap_group(reference, boot),
    }
    rows: list[dict[str, Any]] = [
        {"paper_id": p.paper_id, "reference_text_quality": _ratios(c)}
        for p, c in zip(papers, reference, strict=True)
    ]
    if loaded is not None:
        preds = [loaded.predictions[p.paper_id] for p in papers]
        ours = [dict(x.review) if x.review else {"text": x.text} for x in preds]
        counts = [tq.measure(r, _source(p)) for r, p in zip(ours, papers, strict=True)]
        metrics["text_quality"] = tq.bootstrap_group(counts, boot)
        log(f"embedding the paragraphs of {len(papers)} papers, section by section")
        metrics["section_similarity"], similarity = section_similarity(papers, ours, encoder, boot)
        for row, c, s in zip(rows, counts, similarity, strict=True):
            row["text_quality"] = _ratios(c)
            row["section_similarity"] = s
    metrics["protocol"] = {
        "text_quality_version": tq.TEXT_QUALITY_VERSION,
        "non_comment_rule": tq.NON_COMMENT_VERSION,
        "source": "the abstract (and title and keywords when the set has them)",
        "embedding_model": MODEL_NAME,
        "shuffled_control": "our paragraph against the next paper's reference paragraph",
        "bootstrap": {"resamples": boot.n_resamples, "seed": boot.seed},
    }
    return metrics, rows


def evaluate_form_reference(
    config: EvalConfig,
    inputs: Inputs,
    encoder: Encoder | None = None,
    log: Callable[[str], None] = lambda msg: None,
) -> dict[str, Any]:
    """The eval of a form reference set: text quality beside the reference's, and section
    similarity; writes metrics.json, per_paper.jsonl and report.md into ``config.out``."""
    start = time.perf_counter()
    metrics, rows = run_form_eval(
        inputs.papers,
        inputs.loaded,
        encoder or Embedder(),
        Bootstrap(config.n_resamples, config.seed),
        reference_name=inputs.root.name,
        log=log,
    )
    metrics["references"] = {
        "path": str(inputs.root),
        "split": config.split,
        "limit": config.limit,
        "n_selected": len(inputs.selected),
        "n_papers": len(inputs.papers),
        "kind": "form reference set (reviews in the form's fields, no ratings)",
    }
    if inputs.loaded is not None:
        metrics["predictions"] = {"source": inputs.loaded.source,
                                  "n_records": len(inputs.loaded.predictions),
                                  "n_matched": len(inputs.papers)}  # fmt: skip
    timing = {"load": inputs.seconds, "form_eval": round(time.perf_counter() - start, 3)}
    metrics["timing_s"] = {**timing, "total": round(sum(timing.values()), 3)}
    write_outputs(config.out, metrics, rows)
    return metrics


def _ratios(counts: tq.Counts) -> dict[str, float | None]:
    return {k: None if v is None else round(v, 4) for k, v in counts.ratios().items()}


def to_markdown(metrics: dict[str, Any]) -> str:
    """A short report: text quality side by side, then section similarity."""
    from reviewer.eval.tables import fmt

    ours = metrics.get("text_quality") or {}
    ref = metrics["reference_text_quality"]
    lines = [f"# {metrics['system']} against {metrics['references']['path']}", "",
             f"{metrics['references']['n_papers']} papers "
             f"({metrics['references']['split'] or 'all'} split).", "",
             "| metric | ours | reference |", "|---|---|---|"]  # fmt: skip
    for name in tq.METRICS:
        lines.append(f"| text_quality.{name} | {fmt(ours.get(name), 4)} | {fmt(ref[name], 4)} |")
    similarity = metrics.get("section_similarity") or {}
    if similarity:
        lines += ["", "| section | embedding similarity | shuffled control | ROUGE-L |",
                  "|---|---|---|---|"]  # fmt: skip
        for section, est in similarity.items():
            lines.append(
                f"| {section} | {fmt(est['embedding_similarity'])} | "
                f"{fmt(est['shuffled_embedding_similarity'])} | {fmt(est['rouge_l'])} |"
            )
    return "\n".join(lines) + "\n"


def write_outputs(out: Any, metrics: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "per_paper.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    (out / "report.md").write_text(to_markdown(metrics), encoding="utf-8")
