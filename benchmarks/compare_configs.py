"""Paired comparison of two quality configurations on the same papers (dev to choose).

    python benchmarks/compare_configs.py exemplars2 single --split dev
    python benchmarks/compare_configs.py compact-v7 single-09631c1 --split test   # report once

Reads the eval's per-paper records of two ``benchmarks/quality.py`` runs
(outputs/quality/<name>/<split>/<target>/eval/per_paper.jsonl), keeps the papers both
reviewed, and bootstraps (2,000 resamples of papers, seed 0) the mean difference A - B of each
per-paper figure: comment hit rate and precision, generic rate, and the raw score's absolute
error. A per-paper difference is far less noisy than two separate intervals: it is what can
tell two configurations apart at n in the tens. Writes
benchmarks/results/compare-<a>-vs-<b>-<split>.{json,md} and -detail.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from benchmarks.quality import TARGETS, papers_path  # noqa: E402
from reviewer.references import load_references, select  # noqa: E402

FIGURES = ("hit_rate", "precision", "generic_rate", "raw_abs_error")


@functools.cache
def human_means(split: str, target: str) -> dict[str, float | None]:
    """The human mean rating of each paper of ``target``'s split, read once for both runs."""
    refs, years = TARGETS[target]
    return {
        r.paper_id: r.mean_rating for r in select(load_references(refs), split=split, years=years)
    }


def per_paper(name: str, split: str, target: str) -> dict[str, dict[str, float]]:
    """Each paper's figures for the raw system of run ``name`` (the calibrated one shares the
    comments; its rating does not depend on the configuration): from the run's eval in
    outputs/, else from the per-paper file that ``benchmarks/quality.py`` commits beside its
    table (a run made on another machine), with the human mean read from the references."""
    path = ROOT / "outputs" / "quality" / name / split / target / "eval" / "per_paper.jsonl"
    if path.exists():
        records = [json.loads(line) for line in path.read_text().splitlines()]
        rows = [(r["paper_id"], r["systems"][name], r.get("human_mean")) for r in records]
    else:
        committed = papers_path(name, split)
        if not committed.exists():
            raise SystemExit(
                f"no eval of {name} on {split}/{target}: run benchmarks/quality.py first"
            )
        papers = json.loads(committed.read_text()).get(target, {})
        human = human_means(split, target)
        rows = [(pid, systems[name], human.get(pid)) for pid, systems in papers.items()]
    out = {}
    for paper_id, system, human_mean in rows:
        figures = {k: system[k] for k in FIGURES[:3] if system.get(k) is not None}
        if system.get("rating") is not None and human_mean is not None:
            figures["raw_abs_error"] = abs(system["rating"] - human_mean)
        out[paper_id] = figures
    return out


def paired(a: list[float], b: list[float], resamples: int = 2000) -> dict[str, Any]:
    diff = np.array(a) - np.array(b)
    rng = np.random.default_rng(0)
    means = diff[rng.integers(0, len(diff), size=(resamples, len(diff)))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return {
        "n": len(diff),
        "a": round(float(np.mean(a)), 3),
        "b": round(float(np.mean(b)), 3),
        "a - b": round(float(diff.mean()), 3),
        "ci": [round(float(low), 3), round(float(high), 3)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="configuration name (outputs/quality/<a>)")
    parser.add_argument("b", help="the configuration to compare against")
    parser.add_argument(
        "--split",
        default="dev",
        choices=["train", "dev", "test"],
        help="test only to report a comparison once, never to choose between configurations",
    )
    parser.add_argument(
        "--targets", nargs="+", default=list(TARGETS), choices=list(TARGETS),
        help="the targets both runs reviewed (default: all)",
    )  # fmt: skip
    args = parser.parse_args()

    rows: dict[str, Any] = {}
    pooled: dict[str, tuple[list[float], list[float]]] = {f: ([], []) for f in FIGURES}
    for target in args.targets:
        a, b = per_paper(args.a, args.split, target), per_paper(args.b, args.split, target)
        for figure in FIGURES:
            both = sorted(p for p in a if p in b and figure in a[p] and figure in b[p])
            if not both:
                continue
            rows[f"{target}: {figure}"] = paired(
                [a[p][figure] for p in both], [b[p][figure] for p in both]
            )
            pooled[figure][0].extend(a[p][figure] for p in both)
            pooled[figure][1].extend(b[p][figure] for p in both)
    for figure, (a_values, b_values) in pooled.items():
        if a_values:
            rows[f"all targets: {figure}"] = paired(a_values, b_values)

    lines = [f"| figure | n | {args.a} | {args.b} | difference [95% interval] |", "|---" * 5 + "|"]
    for key, r in rows.items():
        lines.append(
            f"| {key} | {r['n']} | {r['a']:.3f} | {r['b']:.3f} | "
            f"{r['a - b']:+.3f} [{r['ci'][0]:+.3f}, {r['ci'][1]:+.3f}] |"
        )
    table = "\n".join(lines) + "\n\n"
    stem = f"compare-{args.a}-vs-{args.b}-{args.split}"
    result = {"papers paired": rows["all targets: hit_rate"]["n"]}
    result["detail"] = f"results/{stem}-detail.json"
    write_results(stem, f"{args.a} vs {args.b} on {args.split}, paired by paper", result, table)
    detail = Path(__file__).resolve().parent / "results" / f"{stem}-detail.json"
    detail.write_text(json.dumps(rows, indent=1) + "\n")
    print(table)


if __name__ == "__main__":
    main()
