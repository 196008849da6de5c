"""The two neighbour baselines side by side on the quality benchmark's papers (issue 36).

    python benchmarks/neighbour_baselines.py                     # test, first 40 per target
    python benchmarks/neighbour_baselines.py --split dev --limit 100

``lexical-neighbour`` (TF-IDF, the default since issue 36) replaced the MiniLM
``nearest-neighbour`` beside every system, so the figures published for the latter are re-run
here for both, on exactly the papers of ``benchmarks/quality.py`` (ICLR 2017, NeurIPS 2024,
NeurIPS 2025; the first ``--limit`` papers of the split in sha256 order), scored by the eval
harness as baselines alone. Per target and pooled over the targets: comment hit rate,
precision, shuffled control, generic rate, embedding similarity and the rating figures, each
with its 95% bootstrap interval; pooled means resample the papers of all targets (1,000
resamples, seed 0), and the paired difference lexical minus MiniLM resamples the same papers
for both. Writes benchmarks/results/neighbour-baselines-<split>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from benchmarks.quality import TARGETS  # noqa: E402
from reviewer.eval.metrics import Bootstrap  # noqa: E402
from reviewer.eval.run import EvalConfig, run_eval  # noqa: E402

SYSTEMS = ("lexical-neighbour", "nearest-neighbour")
PER_PAPER = ("hit_rate", "precision", "shuffled_hit_rate", "generic_rate", "embedding_similarity")
RATING = (("rating", "mae"), ("rating", "spearman"), ("rating", "mean_pred"))


def _fmt(estimate: dict[str, Any]) -> str:
    if estimate.get("value") is None:
        return ""
    low, high = estimate.get("ci_low"), estimate.get("ci_high")
    interval = f" [{low:.3f}, {high:.3f}]" if low is not None and high is not None else ""
    return f"{estimate['value']:.3f}{interval}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--out", type=Path, help="eval outputs (default: a temporary folder)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="neighbour-baselines-"))
    result: dict[str, Any] = {"papers": f"first {args.limit} {args.split} papers per target"}
    rows: dict[str, list[dict[str, Any]]] = {s: [] for s in SYSTEMS}
    for target, (references, years) in TARGETS.items():
        config = EvalConfig(
            out=out / target, references=references, split=args.split, years=years,
            limit=args.limit, baselines=SYSTEMS, report=False,
        )  # fmt: skip
        metrics = run_eval(config, log=print)
        for system in SYSTEMS:
            m = metrics["baselines"][system]
            for name in PER_PAPER:
                group = "specificity" if name == "generic_rate" else (
                    "text" if name == "embedding_similarity" else "comments")  # fmt: skip
                result[f"{target} {system}: {name}"] = _fmt(m[group][name])
            for group, name in RATING:
                result[f"{target} {system}: {group}.{name}"] = _fmt(m[group][name])
        for line in (out / target / "per_paper.jsonl").read_text().splitlines():
            row = json.loads(line)
            for system in SYSTEMS:
                rows[system].append(row["systems"][system])
        print(target, "done", flush=True)
    boot = Bootstrap()
    for name in PER_PAPER:
        values = {s: np.array([r.get(name, np.nan) for r in rows[s]], dtype=float)
                  for s in SYSTEMS}  # fmt: skip
        for system in SYSTEMS:
            result[f"pooled {system}: {name}"] = _fmt(boot.mean(values[system]).to_dict())
        difference = values["lexical-neighbour"] - values["nearest-neighbour"]
        result[f"pooled lexical minus MiniLM: {name}"] = _fmt(boot.mean(difference).to_dict())
    path = write_results(
        f"neighbour-baselines-{args.split}",
        f"Neighbour baselines: lexical (TF-IDF) and MiniLM ({args.split})",
        result,
        intro="The quality benchmark's papers, both baselines scored alone by the eval harness; "
        "95% bootstrap intervals.\n\n",
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
