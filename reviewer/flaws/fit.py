"""How the matcher's description threshold was chosen: hand-labelled comments, fit and check.

``evals/flaws_labelled.jsonl`` holds review comments written by hand about the flaws planted
(seed 0) in seven sample papers, each labelled 1 (points at the flaw: quotes it or describes
it) or 0 (restates the planted sentence without criticism, criticises in general, or
criticises something else). The ``fit`` lines choose the threshold: the one on a 0.05 grid
with the best balanced accuracy, ties going to the higher (stricter) value; the ``check``
lines (three other papers, positives only) are never used to choose. Run
``python -m reviewer.flaws.fit`` to recompute ``evals/flaws_matcher_fit.json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reviewer.embed import SENTENCE_MAX_TOKENS, Embedder, Encoder
from reviewer.flaws.make import twins
from reviewer.flaws.match import MATCHER_VERSION, Flaw, anchored, cued, shares_content
from reviewer.inputs.paper import Paper, read_papers

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "evals" / "flaws_labelled.jsonl"
PAPERS = ROOT / "examples" / "papers.jsonl"
GRID = tuple(round(0.20 + 0.05 * i, 2) for i in range(13))  # 0.20 .. 0.80


@dataclass(frozen=True)
class Labelled:
    """One hand-labelled comment and the flaw it was written about."""

    set: str
    flaw: Flaw
    label: int
    why: str
    unit: str


def load_labelled(path: Path = LABELLED, papers: Path = PAPERS) -> list[Labelled]:
    """The labelled lines with their flaws rebuilt from the catalogue (seed 0); a line whose
    planted text no longer matches the catalogue is an error, since its label may be stale."""
    by_id: dict[str, Paper] = {p.id: p for p in read_papers(papers) if isinstance(p, Paper)}
    out = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = json.loads(raw)
        key = next(t.key for t in twins(by_id[line["paper"]]) if t.key["kind"] == line["kind"])
        if key["planted"] != line["planted"]:
            raise ValueError(f"{path}:{number}: the catalogue now plants {key['planted']!r}")
        out.append(
            Labelled(line["set"], Flaw.from_key(key), int(line["label"]), line["why"], line["unit"])
        )
    return out


def features(items: Sequence[Labelled], encoder: Encoder) -> dict[str, np.ndarray]:
    """Per comment: cue word present, anchor named, a content word shared with the planted
    text, cosine to the flaw's description."""
    units = encoder.encode([x.unit for x in items])
    descriptions = encoder.encode([x.flaw.description for x in items])
    return {
        "cued": np.array([cued(x.unit, x.flaw.kind) for x in items]),
        "anchored": np.array([anchored(x.unit, x.flaw.anchors) for x in items]),
        "shared": np.array([shares_content(x.unit, x.flaw.planted) for x in items]),
        "cosine": np.einsum("ij,ij->i", units, descriptions),
        "label": np.array([x.label for x in items], dtype=bool),
    }


def predict(f: dict[str, np.ndarray], threshold: float) -> np.ndarray:
    """The matcher's rule on precomputed features (the same rule as ``match_units``)."""
    return f["cued"] & (f["anchored"] | (f["shared"] & (f["cosine"] >= threshold)))


def rates(f: dict[str, np.ndarray], threshold: float) -> dict[str, float]:
    pred, y = predict(f, threshold), f["label"]
    tpr = float(pred[y].mean()) if y.any() else None
    fpr = float(pred[~y].mean()) if (~y).any() else None
    both = tpr is not None and fpr is not None
    return {
        "threshold": threshold,
        "tpr": None if tpr is None else round(tpr, 3),
        "fpr": None if fpr is None else round(fpr, 3),
        "balanced_accuracy": round((tpr + 1 - fpr) / 2, 3) if both else None,
    }


def choose(f: dict[str, np.ndarray]) -> tuple[float, list[dict[str, Any]]]:
    table = [rates(f, t) for t in GRID]
    best = max(table, key=lambda r: (r["balanced_accuracy"], r["threshold"]))
    return float(best["threshold"]), table


def main() -> None:
    items = load_labelled()
    encoder = Embedder(SENTENCE_MAX_TOKENS)
    fit = features([x for x in items if x.set == "fit"], encoder)
    check = features([x for x in items if x.set == "check"], encoder)
    threshold, table = choose(fit)
    by_how = {
        how: rates(
            features([x for x in items if x.set == "check" and x.why == how], encoder), threshold
        )["tpr"]
        for how in ("quoted", "described")
    }
    result = {
        "matcher": MATCHER_VERSION,
        "rule": "best balanced accuracy on the fit lines, ties to the higher threshold",
        "fit": {"n": int(fit["label"].size), "positives": int(fit["label"].sum()), "table": table},
        "chosen_threshold": threshold,
        "check": {
            "n": int(check["label"].size),
            **rates(check, threshold),
            "tpr_quoted": by_how["quoted"],
            "tpr_described": by_how["described"],
        },
        "command": "python -m reviewer.flaws.fit",
    }
    out = ROOT / "evals" / "flaws_matcher_fit.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for row in table:
        print(row)
    print(f"chosen {threshold}; check: {result['check']}; wrote {out}")


if __name__ == "__main__":
    main()
