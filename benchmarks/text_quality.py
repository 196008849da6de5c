"""Text quality of quality runs, pooled over the targets' papers, side by side.

    python benchmarks/text_quality.py compact-v7 single-09631c1 --split test

Reads the reviews of each ``benchmarks/quality.py`` run (outputs/quality/<name>/<split>/<target>/)
and scores them with the eval's frozen text-quality rules (``reviewer.eval.textquality``)
against the text each model was shown: the paper's title and abstract from the target's
reference data. Counts are summed over the targets, so a figure is "n of d" over every review of
the run, not a mean of per-target rates. Writes benchmarks/results/text-quality-<names>-<split>.md
and .json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from benchmarks.quality import TARGETS  # noqa: E402
from reviewer.eval.textquality import TEXT_QUALITY_VERSION, score_run  # noqa: E402


def pooled(name: str, split: str) -> dict[str, Any]:
    """Summed counts of every target's reviews of run ``name``, and the copy rate by target."""
    total: dict[str, list[int]] = {}
    reviews, copy_by_target = 0, {}
    for target, (refs, _years) in TARGETS.items():
        run = ROOT / "outputs" / "quality" / name / split / target
        if not run.exists():
            raise SystemExit(f"no run {run}: make it with benchmarks/quality.py first")
        scored = score_run(run, refs)
        reviews += scored["n_reviews"]
        copy_by_target[target] = scored["copy_rate"]
        for key, (n, d) in scored["counts"].items():
            sums = total.setdefault(key, [0, 0])
            sums[0] += n
            sums[1] += d
    return {"reviews": reviews, "counts": total, "copy_rate_by_target": copy_by_target}


def cell(key: str, n: int, d: int) -> str:
    if key == "words_per_paragraph":
        return f"{n / d:.1f} ({n:,} words / {d:,})" if d else ""
    return f"{n:,} of {d:,} ({100 * n / d:.2f}%)" if d else f"{n} of 0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", help="quality runs (outputs/quality/<name>)")
    parser.add_argument("--split", default="test", choices=["train", "dev", "test"])
    args = parser.parse_args()

    runs = {name: pooled(name, args.split) for name in args.names}
    keys = list(next(iter(runs.values()))["counts"])
    lines = [
        "| figure | " + " | ".join(args.names) + " |",
        "|---" * (len(args.names) + 1) + "|",
        "| reviews | " + " | ".join(str(r["reviews"]) for r in runs.values()) + " |",
    ]
    for key in keys:
        cells = [cell(key, *r["counts"].get(key, (0, 0))) for r in runs.values()]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines.append(
        "| copy_rate by target | "
        + " | ".join(
            " / ".join(f"{100 * v:.1f}%" for v in r["copy_rate_by_target"].values())
            for r in runs.values()
        )
        + " |"
    )
    table = "\n".join(lines) + "\n\n"
    stem = f"text-quality-{'-'.join(args.names)}-{args.split}"
    result: dict[str, Any] = {"rules": TEXT_QUALITY_VERSION, "targets": list(TARGETS), **runs}
    write_results(stem, f"Text quality ({TEXT_QUALITY_VERSION}) on {args.split}", result, table)
    print(table)


if __name__ == "__main__":
    main()
