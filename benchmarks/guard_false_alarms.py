"""The prompt-injection guard on papers that hold no instruction: how many does it flag or change?

    python benchmarks/guard_false_alarms.py

Scans the title and abstract of every paper of every reference set under the shared data
folder (real papers: none of them is known to carry an instruction to a reviewer), and runs the
whole guard on each; a paper counts as a false alarm when it is flagged or its text changes
beyond invisible characters and the abstract budget. Goal (issue 33): at most 1 in 10,000.
Every flagged paper is printed with what matched, to be read by hand. Writes
benchmarks/results/guard-false-alarms.{json,md}.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from reviewer.checks.guard import guard, scan  # noqa: E402
from reviewer.errors import InputError  # noqa: E402
from reviewer.references import data_dir, load_references, papers_for_generation  # noqa: E402

SETS = ("neurips_2023_2025", "iclr_2017", "iclr_2018", "disapere")


def main() -> None:
    result: dict[str, object] = {}
    flagged_total = papers_total = 0
    for name in SETS:
        path = data_dir() / name
        if not path.exists():
            continue
        try:
            papers = [p for p in papers_for_generation(load_references(path)) if p.abstract]
        except InputError as exc:  # a set of another shape (DISAPERE: review sentences only)
            print(f"{name}: skipped ({exc})", flush=True)
            continue
        flagged = []
        for paper in papers:
            findings = scan(paper)
            guarded = guard(paper, max_input_tokens=10**6)
            changed = guarded.paper.abstract != paper.abstract or guarded.paper.title != paper.title
            if findings or changed:
                flagged.append({"id": paper.id, "findings": findings, "changed": changed})
                print(f"{name} {paper.id}: {findings} changed={changed}", flush=True)
        result[name] = {"papers": len(papers), "flagged": len(flagged), "which": flagged}
        flagged_total += len(flagged)
        papers_total += len(papers)
    result["all"] = {"papers": papers_total, "flagged": flagged_total,
                     "per_10000": round(flagged_total / papers_total * 10_000, 2)}  # fmt: skip
    intro = (
        "| set | papers | flagged or changed |\n|---|---|---|\n"
        + "".join(
            f"| {n} | {r['papers']} | {r['flagged']} |\n"
            for n, r in result.items()
            if isinstance(r, dict) and n != "all"
        )  # fmt: skip
        + f"| all | {papers_total} | {flagged_total} "
        + f"({result['all']['per_10000']} per 10,000) |\n\n"
    )
    print(intro)
    print(write_results("guard-false-alarms", "Prompt-injection guard on real papers", result,
                        intro=intro))  # fmt: skip


if __name__ == "__main__":
    main()
