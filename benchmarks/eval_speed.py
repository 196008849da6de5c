"""Time ``reviewer eval`` on the NeurIPS test split, cold (empty embedding cache) then warm.

    python benchmarks/eval_speed.py                      # cold + warm, writes eval_speed.md
    python benchmarks/eval_speed.py --cache-dir DIR --runs warm

The goal (issue 4): scoring the NeurIPS test split (1,318 papers, ~5,300 human reviews) with
every offline metric in <= 60 s on 2 cores once embeddings are cached. The cold run starts from
an empty cache folder of its own, so it never borrows a warm user cache.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFS = ROOT.parent / "shared" / "data" / "neurips_2023_2025"


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        ram = "unknown"
    return {
        "nproc": str(os.cpu_count()),
        "ram": ram,
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def run_once(refs: Path, out: Path, cache: Path) -> dict[str, object]:
    command = [
        sys.executable, "-m", "reviewer.eval", "--baseline", "nearest-neighbour",
        "--references", str(refs), "--split", "test", "--out", str(out),
    ]  # fmt: skip
    env = {**os.environ, "REVIEWER_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"eval failed with exit code {proc.returncode}")
    metrics = json.loads((out / "metrics.json").read_text())
    return {
        "command": " ".join(["reviewer eval", *command[3:]]),
        "wall_s": round(wall, 1),
        "in_process_s": metrics["timing_s"].get("total"),
        "stages_s": metrics["timing_s"],
        "embedded_new_texts": metrics.get("embedded_new_texts"),
        "n_papers": metrics["references"]["n_papers"],
        "n_reviews": metrics["references"]["n_reviews"],
        "load_average_before": round(load_before, 2),
    }


def write_markdown(path: Path, info: dict[str, str], runs: dict[str, dict[str, object]]) -> None:
    lines = [
        "# Eval harness speed (NeurIPS 2023-2025 test split)",
        "",
        "Measured by `python benchmarks/eval_speed.py`; the cold run starts from an empty "
        "embedding cache folder (REVIEWER_CACHE_DIR), the warm run reuses it.",
        "",
        f"- machine: {info['nproc']} cores, {info['ram']} RAM, {info['cpu']}, "
        f"Python {info['python']}",
        f"- load average when the benchmark started: {info['load_average_at_start']} "
        "(other jobs on the machine slow every figure below)",
        "",
        "| run | wall time (s) | in-process total (s) | texts embedded | papers | reviews "
        "| load avg before |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in runs.items():
        lines.append(
            f"| {name} | {r['wall_s']} | {r['in_process_s']} | {r['embedded_new_texts']} "
            f"| {r['n_papers']} | {r['n_reviews']} | {r['load_average_before']} |"
        )
    lines += [
        "",
        "What the runs do: load the three NeurIPS years (xz, read in place), score the",
        "nearest-neighbour baseline (the system under test here) and the constant baseline, the",
        "human leave-one-out baseline, every metric group with 1,000 bootstrap resamples, and",
        "write metrics.json, per_paper.jsonl and the report with its plots. A warm run never",
        "loads the embedding model: every text is a cache hit.",
    ]
    for name, r in runs.items():
        lines += ["", f"## {name}: stages (s)", "", f"`{r['command']}`", ""]
        lines += [f"- {stage}: {sec}" for stage, sec in r["stages_s"].items()]  # type: ignore[union-attr]
    lines.append("")
    path.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=Path, default=DEFAULT_REFS)
    parser.add_argument("--cache-dir", type=Path, help="default: a new empty folder")
    parser.add_argument("--out-dir", type=Path, help="default: a temporary folder")
    parser.add_argument("--runs", default="cold,warm", help="comma list of run names")
    parser.add_argument("--report", type=Path, default=Path(__file__).with_name("eval_speed.md"))
    args = parser.parse_args()
    cache = args.cache_dir or Path(tempfile.mkdtemp(prefix="reviewer-eval-cache-"))
    out_root = args.out_dir or Path(tempfile.mkdtemp(prefix="reviewer-eval-out-"))
    info = machine()
    runs = {}
    for name in args.runs.split(","):
        runs[name] = run_once(args.references, out_root / name, cache)
        print(f"{name}: {runs[name]['wall_s']} s wall, {runs[name]['in_process_s']} s in process",
              flush=True)  # fmt: skip
    (out_root / "eval_speed.json").write_text(json.dumps({"machine": info, "runs": runs}, indent=1))
    write_markdown(args.report, info, runs)
    print(f"wrote {args.report}; outputs in {out_root}; cache in {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
