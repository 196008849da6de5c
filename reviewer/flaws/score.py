"""Recall of planted flaws and false alarms on clean twins, with bootstrap intervals.

Recall: per flaw kind and overall, the share of reviewed flawed twins whose review catches
the planted flaw. False alarms: the same matcher run on each reviewed clean twin's review
against the flaws planted in its siblings (what could have been planted in it). Twins of one
paper are not independent, so intervals resample source papers (the eval's ``Bootstrap``:
fixed seed, resamples that depend only on the number of papers).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reviewer.embed import MODEL_NAME, SENTENCE_MAX_TOKENS, Embedder, Encoder
from reviewer.errors import ConfigError, InputError
from reviewer.eval.metrics import CONFIDENCE, N_RESAMPLES, SEED, Bootstrap
from reviewer.eval.predictions import load_predictions
from reviewer.flaws.catalogue import KINDS
from reviewer.flaws.make import CLEAN, KEY_FIELDS
from reviewer.flaws.match import (
    DESCRIPTION_THRESHOLD,
    MATCHER_VERSION,
    Flaw,
    Hit,
    match_units,
    review_units,
    units_of_texts,
)
from reviewer.references import json_objects
from reviewer.runs.store import iter_jsonl

SCHEMA = "reviewer.flaws/1"


def load_key(path: Path) -> list[dict[str, Any]]:
    """The key's lines, checked for the fields scoring reads."""
    if not path.is_file():
        raise ConfigError(f"key not found: {path}")
    lines = list(json_objects(path.read_text(encoding="utf-8").splitlines(), path))
    if not lines:
        raise ConfigError(f"{path}: the key is empty")
    for number, line in lines:
        missing = [f for f in KEY_FIELDS if f not in line]
        if missing:
            raise InputError(f"key line lacks {', '.join(missing)}", str(path), number)
        if line["kind"] != CLEAN and line["kind"] not in KINDS:
            raise InputError(f"unknown flaw kind {line['kind']!r}", str(path), number)
    return [line for _, line in lines]


@dataclass(frozen=True)
class Reviews:
    """Matchable units of each reviewed twin, by twin id."""

    name: str
    source: str
    units: dict[str, list[str]]


def load_reviews(
    path: Path, mapping: Mapping[str, list[str]] | None = None, name: str | None = None
) -> Reviews:
    """Our run (its folder or reviews.jsonl) or another system's CSV/JSONL through ``--map``.

    Our reviews give their critical fields (no summary, strengths or scores); a mapped file
    gives its mapped text columns, so map the columns that criticise (weaknesses, questions).
    """
    loaded = load_predictions(path, mapping=mapping, name=name)
    if mapping:
        units = {pid: units_of_texts([p.text]) for pid, p in loaded.predictions.items()}
        return Reviews(loaded.name, loaded.source, units)
    units = {}
    for row in iter_jsonl(Path(loaded.source)):
        pid, review = str(row.get("paper_id", "")), row.get("review")
        if pid in loaded.predictions and isinstance(review, Mapping) and pid not in units:
            units[pid] = review_units(review)
    return Reviews(loaded.name, loaded.source, units)


def _estimate(items: Sequence[tuple[str, bool]], boot: Bootstrap) -> dict[str, float | int | None]:
    """Share of true items with a percentile interval from resampling their source papers."""
    if not items:
        return {"value": None, "low": None, "high": None, "n": 0, "n_papers": 0}
    sources = sorted({s for s, _ in items})
    index = {s: i for i, s in enumerate(sources)}
    hits, counts = np.zeros(len(sources)), np.zeros(len(sources))
    for source, hit in items:
        hits[index[source]] += hit
        counts[index[source]] += 1

    def stat(idx: np.ndarray) -> dict[str, float]:
        return {"v": float(hits[idx].sum() / counts[idx].sum())}

    est = boot.run(stat, len(sources), ("v",))["v"]
    return {
        "value": est.value,
        "low": est.ci_low,
        "high": est.ci_high,
        "n": len(items),
        "n_papers": len(sources),
    }


def _hit_row(flaw: Flaw, hit: Hit) -> dict[str, Any]:
    return {
        "flaw": flaw.id,
        "kind": flaw.kind,
        "hit": hit.hit,
        "route": hit.route,
        "unit": hit.unit,
        "similarity": round(hit.similarity, 4),
    }


def score(
    key: Sequence[Mapping[str, Any]],
    reviews: Reviews,
    *,
    encoder: Encoder | None = None,
    boot: Bootstrap | None = None,
    threshold: float = DESCRIPTION_THRESHOLD,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """metrics.json's content and one audit row per reviewed twin."""
    boot = boot or Bootstrap()
    reviewed = [line for line in key if str(line["id"]) in reviews.units]
    if not reviewed:
        raise ConfigError(f"no review in {reviews.source} has a twin id of the key")
    flaws_of: dict[str, list[Flaw]] = defaultdict(list)
    for line in key:
        if line["kind"] != CLEAN:
            flaws_of[str(line["source"])].append(Flaw.from_key(line))
    encoder = encoder or Embedder(SENTENCE_MAX_TOKENS)
    texts = [u for line in reviewed for u in reviews.units[str(line["id"])]]
    texts += [f.description for fl in flaws_of.values() for f in fl]
    unique = list(dict.fromkeys(texts))
    matrix = encoder.encode(unique) if unique else np.zeros((0, 384), np.float32)
    row_of = {t: i for i, t in enumerate(unique)}

    recall: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    alarms: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    rows = []
    for line in reviewed:
        units = reviews.units[str(line["id"])]
        vectors = matrix[[row_of[u] for u in units]] if units else np.zeros((0, matrix.shape[1]))
        source = str(line["source"])
        targets = (
            flaws_of.get(source, [])
            if line["kind"] == CLEAN
            else [f for f in flaws_of[source] if f.id == str(line["id"])]
        )
        results = []
        for flaw in targets:
            hit = match_units(units, vectors, flaw, matrix[row_of[flaw.description]], threshold)
            (alarms if line["kind"] == CLEAN else recall)[flaw.kind].append((source, hit.hit))
            results.append(_hit_row(flaw, hit))
        rows.append(
            {
                "id": line["id"],
                "source": source,
                "kind": line["kind"],
                "units": len(units),
                "matches": results,
            }
        )
    kinds = [k for k in KINDS if k in recall or k in alarms]
    every = [x for k in kinds for x in recall[k]]
    every_alarm = [x for k in kinds for x in alarms[k]]
    metrics = {
        "schema": SCHEMA,
        "system": reviews.name,
        "predictions": reviews.source,
        "catalogue": sorted({str(line.get("catalogue", "")) for line in key}),
        "matcher": {
            "version": MATCHER_VERSION,
            "description_threshold": threshold,
            "embedding_model": MODEL_NAME,
            "rule": "a unit with one of the kind's cue words that names a planted anchor, or "
            "that shares a content word with the planted text and whose cosine to the flaw's "
            "description is at least the threshold",
        },
        "recall": _estimate(every, boot),
        "false_alarm_rate": _estimate(every_alarm, boot),
        "per_kind": {
            k: {
                "recall": _estimate(recall[k], boot),
                "false_alarm_rate": _estimate(alarms[k], boot),
            }
            for k in kinds
        },
        "coverage": {
            "twins": len(key),
            "reviewed": len(reviewed),
            "papers": len({str(line["source"]) for line in key}),
        },
        "bootstrap": {
            "n_resamples": boot.n_resamples,
            "seed": boot.seed,
            "confidence": CONFIDENCE,
            "resampled": "source papers",
        },
    }
    return metrics, rows


def _cell(e: Mapping[str, Any]) -> str:
    if e["value"] is None:
        return "—"
    interval = f" [{e['low']:.3f}, {e['high']:.3f}]" if e["low"] is not None else ""
    return f"{e['value']:.3f}{interval} (n={e['n']})"


def to_markdown(metrics: Mapping[str, Any]) -> str:
    m = metrics["matcher"]
    cov = metrics["coverage"]
    lines = [
        f"# Planted flaws: {metrics['system']}",
        "",
        f"Reviews: `{metrics['predictions']}` · catalogue {', '.join(metrics['catalogue'])} · "
        f"matcher {m['version']} (description threshold {m['description_threshold']}, "
        f"{m['embedding_model']}) · {cov['reviewed']} of {cov['twins']} twins reviewed, "
        f"{cov['papers']} papers.",
        "",
        "| flaw kind | recall [95% CI] | false alarms on clean twins [95% CI] |",
        "|---|---|---|",
        f"| **all** | {_cell(metrics['recall'])} | {_cell(metrics['false_alarm_rate'])} |",
    ]
    for kind, row in metrics["per_kind"].items():
        lines.append(f"| {kind} | {_cell(row['recall'])} | {_cell(row['false_alarm_rate'])} |")
    lines += [
        "",
        "Recall: share of flawed twins whose review has a comment pointing at the planted flaw. "
        "False alarms: share of (clean twin, flaw planted in a sibling) pairs the clean twin's "
        "review is matched to. Intervals resample source papers "
        f"({metrics['bootstrap']['n_resamples']} resamples, seed {metrics['bootstrap']['seed']}).",
        "",
    ]
    return "\n".join(lines)


def write_scores(out: Path, metrics: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """metrics.json, per_twin.jsonl (every verdict and the unit behind it) and report.md."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    with (out / "per_twin.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out / "report.md").write_text(to_markdown(metrics), encoding="utf-8")


def score_run(
    predictions: Path,
    key_path: Path,
    out: Path,
    *,
    mapping: Mapping[str, list[str]] | None = None,
    name: str | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    encoder: Encoder | None = None,
    log: Callable[[str], None] = lambda msg: None,
) -> dict[str, Any]:
    """Load, score and write; returns the metrics."""
    key = load_key(key_path)
    reviews = load_reviews(predictions, mapping, name)
    log(f"scoring {len(reviews.units)} reviews against {len(key)} key lines")
    metrics, rows = score(key, reviews, encoder=encoder, boot=Bootstrap(n_resamples, seed))
    metrics["key"] = str(key_path)
    write_scores(out, metrics, rows)
    return metrics
