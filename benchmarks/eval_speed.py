"""What a first eval costs: the cold cases and the warm one of issue 36, in one run.

    python benchmarks/eval_speed.py --predictions outputs/test120      # every run below
    python benchmarks/eval_speed.py --predictions outputs/test120 --runs cold-120,warm-120

Runs, each a fresh process of the command a user types, timed from outside (wall) and inside
(metrics.json's stages):

- ``cold-120``: ``reviewer eval --predictions RUN --limit 120`` on the NeurIPS test split with
  the default baselines (constant, lexical-neighbour, abstract-prior) beside it, from an empty
  cache folder. Goal: 3 min.
- ``warm-120``: the same command again on that cache. Goal: 30 s.
- ``demo``: the README's command 1 batch (3 sample papers, embedded 1.5B) from an empty cache
  whose models/ links the assembled weights of the user cache (assembling them once is a cost of
  its own: benchmarks/RESULTS.md, "Fresh machine"). Goal: 60 s, model load included.
- ``cold-split``: the whole test split with ``--baseline nearest-neighbour`` (the MiniLM one,
  with the three default baselines beside it), from another empty cache.
- ``same-120``: the ``cold-120`` command on the cache ``cold-split`` filled: its metrics.json
  (timings aside) and per_paper.jsonl must equal cold-120's byte for byte, since a text's vector
  does not depend on the run that embedded it.

Writes benchmarks/results/eval_speed.{json,md} (``--stem`` names another pair). Run timed
figures alone on the machine (``flock -x /work/cpu.lock python benchmarks/eval_speed.py ...``)
and say so if you cannot.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from reviewer.config import cache_root  # noqa: E402

REFERENCES = "neurips_2023_2025"
RUNS = ("cold-120", "warm-120", "demo", "cold-split", "same-120")
GOALS = {"cold-120": 180, "warm-120": 30, "demo": 60}
IGNORED = ("timing_s", "embedded_new_texts", "embedded_new_abstracts")


def _eval_command(out: Path, predictions: Path | None, limit: int | None) -> list[str]:
    args = ["eval", "-r", REFERENCES, "--split", "test", "--out", str(out)]
    if predictions is not None:
        args += ["--predictions", str(predictions)]
    else:
        args += ["--baseline", "nearest-neighbour"]
    return [*args, "--limit", str(limit)] if limit else args


def _run(args: list[str], cache: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """``reviewer ARGS`` in a new process with ``cache`` as its cache folder."""
    env = {**os.environ, "REVIEWER_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "reviewer", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)  # fmt: skip
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr[-4000:])
        raise SystemExit(f"reviewer {' '.join(args)} failed with exit code {proc.returncode}")
    print(f"  {wall:.1f} s", flush=True)
    return wall, proc


def eval_run(out: Path, cache: Path, predictions: Path | None, limit: int | None) -> dict:
    args = _eval_command(out, predictions, limit)
    load = round(os.getloadavg()[0], 2)
    wall, _ = _run(args, cache)
    metrics = json.loads((out / "metrics.json").read_text())
    return {
        "command": "reviewer " + " ".join(args),
        "wall_s": round(wall, 1),
        "in_process_s": metrics["timing_s"].get("total"),
        "stages_s": metrics["timing_s"],
        "embedded_comment_texts": metrics.get("embedded_new_texts"),
        "embedded_abstracts": metrics.get("embedded_new_abstracts"),
        "papers": metrics["references"]["n_papers"],
        "systems": list(dict.fromkeys([metrics["system"], *metrics["baselines"]])),
        "load_average_before": load,
    }


def _keep_server_log(cache: Path, copy: Path, done: threading.Event) -> None:
    """Copy the embedded server's log while it runs (a healthy server deletes it at exit)."""
    while not done.wait(0.3):
        for log in (cache / "logs").glob("*.log"):
            shutil.copyfile(log, copy)


def server_timings(log: Path) -> dict[str, Any]:
    """Model load and each request's prompt and generation time, from llama.cpp's log."""
    text = log.read_text(errors="replace") if log.is_file() else ""
    stamps = re.findall(r"^(\d+)\.(\d+)\.(\d+)\.(\d+) .*(loading model|model loaded)", text, re.M)
    # llama.cpp stamps lines minutes.seconds.milliseconds.microseconds since start
    seconds = [int(m) * 60 + int(s) + int(ms) / 1e3 + int(us) / 1e6 for m, s, ms, us, _ in stamps]
    found = re.findall(r"(prompt eval|\s eval) time =\s+([\d.]+) ms /\s+(\d+) tokens", text)
    return {
        "model_load_s": round(seconds[-1] - seconds[0], 1) if len(seconds) >= 2 else None,
        "prompt_eval": [(round(float(ms) / 1000, 1), int(n)) for kind, ms, n in found
                        if kind == "prompt eval"],
        "generation": [(round(float(ms) / 1000, 1), int(n)) for kind, ms, n in found
                       if kind != "prompt eval"],
    }  # fmt: skip


def demo_run(out: Path, cache: Path) -> dict:
    """The README's demo batch; the assembled weights linked from the user cache."""
    models = cache / "models"
    models.mkdir(parents=True, exist_ok=True)
    for found in (cache_root() / "models").glob("*.gguf*"):
        (models / found.name).symlink_to(found)
    args = ["batch", "examples/papers.jsonl", "--out", str(out), "--limit", "3"]
    load = round(os.getloadavg()[0], 2)
    done = threading.Event()
    keeper = threading.Thread(target=_keep_server_log, args=(cache, out.parent / "demo-server.log",
                                                             done))  # fmt: skip
    keeper.start()
    try:
        wall, _ = _run(args, cache)
    finally:
        done.set()
        keeper.join()
    rows = [json.loads(line) for line in (out / "reviews.jsonl").read_text().splitlines()]
    tokens = sum(r["usage"]["completion_tokens"] for r in rows)
    service = sum(r["service_ms"] for r in rows) / 1000
    manifest = json.loads((out / "manifest.json").read_text())
    return {
        "command": "reviewer " + " ".join(args),
        "wall_s": round(wall, 1),
        "in_process_s": manifest.get("wall_seconds"),
        "reviews": len(rows),
        "service_s": round(service, 1),
        "tokens_out": tokens,
        "tokens_per_s_of_service": round(tokens / service, 1) if service else None,
        "server": server_timings(out.parent / "demo-server.log"),
        "load_average_before": load,
    }


def same_as(out: Path, other: Path) -> dict[str, Any]:
    """Whether two evals of the same papers wrote the same figures (timings aside)."""
    a, b = (json.loads((d / "metrics.json").read_text()) for d in (out, other))
    differ = sorted(k for k in {*a, *b} - set(IGNORED) if a.get(k) != b.get(k))
    rows = (out / "per_paper.jsonl").read_bytes() == (other / "per_paper.jsonl").read_bytes()
    return {"metrics_keys_that_differ": differ, "per_paper_jsonl_identical": rows}


def _cell(run: dict[str, Any], key: str) -> str:
    value = run.get(key)
    return "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def table(runs: dict[str, dict[str, Any]]) -> str:
    lines = ["| run | goal (s) | wall (s) | in process (s) | comment texts embedded | "
             "titles + abstracts embedded | papers | load avg before |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, run in runs.items():
        keys = ("wall_s", "in_process_s", "embedded_comment_texts", "embedded_abstracts")
        size = _cell(run, "papers") or _cell(run, "reviews")
        cells = [name, str(GOALS.get(name, "")), *(_cell(run, k) for k in keys), size,
                 _cell(run, "load_average_before")]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=Path, required=True, help="a run of 120+ papers")
    parser.add_argument("--runs", default=",".join(RUNS), help="comma list of " + ",".join(RUNS))
    parser.add_argument("--work", type=Path, help="default: a new temporary folder")
    parser.add_argument("--stem", default="eval_speed", help="results/STEM.{json,md}")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="reviewer-eval-speed-"))
    chosen = args.runs.split(",")
    unknown = set(chosen) - set(RUNS)
    if unknown:
        raise SystemExit(f"unknown runs: {', '.join(sorted(unknown))}")
    runs: dict[str, dict[str, Any]] = {}
    for name in chosen:
        print(f"{name} ...", flush=True)
        out = work / "out" / name
        shutil.rmtree(out, ignore_errors=True)
        if name in ("cold-120", "cold-split", "demo"):
            shutil.rmtree(work / f"cache-{name}", ignore_errors=True)
        if name == "demo":
            runs[name] = demo_run(out, work / "cache-demo")
            continue
        cache = work / ("cache-cold-split" if name in ("cold-split", "same-120")
                        else "cache-cold-120")  # fmt: skip
        predictions, limit = (None, None) if name == "cold-split" else (args.predictions, 120)
        runs[name] = eval_run(out, cache, predictions, limit)
        if name == "same-120":
            runs[name]["same_as_cold_120"] = same_as(out, work / "out" / "cold-120")
    result: dict[str, Any] = {"work folder": str(work)}
    for name, run in runs.items():
        result.update({f"{name}: {k}": v for k, v in run.items()})
    intro = ("Every run from an empty cache folder except warm-120 and same-120 (see the "
             f"script's docstring).\n\n{table(runs)}\n\n")  # fmt: skip
    if "demo" in runs:
        d = runs["demo"]
        intro += (f"demo: {d['reviews']} reviews, {d['tokens_out']} tokens out in "
                  f"{d['service_s']} s of service ({d['tokens_per_s_of_service']} tokens/s, "
                  f"prompts included); server: {d['server']} (seconds, tokens).\n\n")  # fmt: skip
    path = write_results(args.stem, "What a first eval costs (issue 36)", result, intro)
    print(table(runs))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
