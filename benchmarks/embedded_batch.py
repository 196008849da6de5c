"""Batches on the embedded model: throughput by slot count, waste, failures and memory.

    python benchmarks/embedded_batch.py slots --parallel 1 2 4 --limit 12
    python benchmarks/embedded_batch.py batch               # the 100 sample papers
    python benchmarks/embedded_batch.py batch --reference 6 # ... and one slot on 6 papers first
    python benchmarks/embedded_batch.py demo                # the README demo (3 papers)
    python benchmarks/embedded_batch.py quality D           # text quality of a kept run D
    python benchmarks/embedded_batch.py dry default allowed_length=2   # DRY settings, dev papers

Every run uses an empty completion cache (a temporary REVIEWER_CACHE_DIR; the assembled model
file is linked in), so each review is a fresh generation. ``slots`` and ``batch`` start
``reviewer serve --parallel N`` (the server a batch starts for itself, kept so that its log can
be read) and run the default batch command against it: ``reviewer batch PAPERS --out D``, no
options. ``batch --reference K`` first reviews K papers on one slot, the single-review time
the issue's goal is stated in (wall time at most 0.67 x papers x that median with parallel
slots). ``demo`` runs the README's first command's batch as it is (it starts its own server)
and records the load average it started under. Figures: wall time, reviews per hour, failures,
server generations against the completions the client used (reviews plus re-asks: the
difference is wasted generation), service and queue time per review, the server's own
prompt and generation speed (tokens/s: the machine's speed, to compare timings across
machines), and peak memory of the server and the batch process.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe, peak_rss_mib, write_results  # noqa: E402
from reviewer.config import cache_root  # noqa: E402
from reviewer.eval.textquality import TEXT_QUALITY_VERSION  # noqa: E402
from reviewer.local.dry import DryPenalty  # noqa: E402
from reviewer.local.server import DEFAULT_PARALLEL  # noqa: E402
from reviewer.local.weights import resolve_model  # noqa: E402

REVIEWER = [sys.executable, "-m", "reviewer"]
PAPERS = ROOT / "examples" / "papers.jsonl"
# llama.cpp's server logs one timing block per finished request and one line per request it
# starts.
START = re.compile(r"launch_slot_")
PROMPT = re.compile(r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")
EVAL = re.compile(r"(?<!prompt )eval time =\s*([\d.]+) ms /\s*(\d+) (?:tokens|runs)")


def fresh_cache() -> Path:
    """An empty cache directory with the assembled model linked in (no reassembly timed)."""
    cache = Path(tempfile.mkdtemp(prefix="bench-embedded-"))
    model = resolve_model(None)  # assembled once into the real cache
    (cache / "models").mkdir()
    for path in (model, model.with_name(model.name + ".verified")):
        if path.exists():
            (cache / "models" / path.name).symlink_to(path)
    return cache


class RssPeak:
    """Peak resident memory of a process, sampled twice a second while it lives."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        status = Path(f"/proc/{self.pid}/status")
        while True:
            try:
                text = status.read_text()
            except OSError:
                return
            match = re.search(r"VmRSS:\s+(\d+) kB", text)
            if match:
                self.peak = max(self.peak, int(match.group(1)) / 1024)
            time.sleep(0.5)


def start_server(
    env: dict[str, str], parallel: int, command: list[str] | None = None
) -> tuple[subprocess.Popen[bytes], dict]:
    """``reviewer serve --parallel N`` (or ``command``), once its server.json is written."""
    command = command or [*REVIEWER, "serve", "--parallel", str(parallel)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = Path(env["REVIEWER_CACHE_DIR"]) / "server.json"
    deadline = time.monotonic() + 180
    while not state.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("reviewer serve did not start")
        time.sleep(0.2)
    return proc, json.loads(state.read_text())


def server_figures(log: str) -> dict[str, Any]:
    prompt = [(float(ms), int(n)) for ms, n in PROMPT.findall(log)]
    gen = [(float(ms), int(n)) for ms, n in EVAL.findall(log)]

    def rate(pairs: list[tuple[float, int]]) -> float | None:
        ms = sum(p[0] for p in pairs)
        return round(sum(p[1] for p in pairs) / ms * 1000, 1) if ms else None

    return {
        "generations_started": len(START.findall(log)),
        "generations_finished": len(gen),
        "prompt_tokens_per_s": rate(prompt),
        "gen_tokens_per_s_per_request": rate(gen),
    }


def run_batch(
    env: dict[str, str],
    out: Path,
    limit: int | None,
    papers: Path = PAPERS,
    reviewer: list[str] = REVIEWER,
) -> dict[str, Any]:
    command = [*reviewer, "batch", str(papers), "--out", str(out)]
    if limit is not None:
        command += ["--limit", str(limit)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    rss = RssPeak(proc.pid)
    _, stderr = proc.communicate()
    wall = time.perf_counter() - started
    if not (out / "reviews.jsonl").exists():
        raise SystemExit(f"the batch wrote no reviews:\n{stderr.decode(errors='replace')[-2000:]}")
    records = [json.loads(x) for x in (out / "reviews.jsonl").read_text().splitlines() if x]
    errors_path = out / "errors.jsonl"
    errors = [json.loads(x) for x in errors_path.read_text().splitlines() if x] if (
        errors_path.exists()) else []  # fmt: skip
    service = [r["service_ms"] / 1000 for r in records]
    queue = [r["queue_ms"] / 1000 for r in records]
    completions = sum(r["attempts"] for r in records) + sum(e.get("attempts", 1) for e in errors)
    return {
        "exit_code": proc.returncode,
        "stderr_tail": stderr.decode(errors="replace").strip().splitlines()[-3:],
        "papers": len(records) + len(errors),
        "reviewed": len(records),
        "failed": len(errors),
        "error_kinds": sorted({e.get("kind", "?") for e in errors}),
        "completions_used": completions,
        "reasks": completions - len(records) - len(errors),
        "wall_s": round(wall, 1),
        "reviews_per_hour": round(len(records) / wall * 3600, 1),
        "median_service_s": round(statistics.median(service), 1) if service else None,
        "median_queue_s": round(statistics.median(queue), 1) if queue else None,
        "completion_tokens_mean": round(
            statistics.mean(r["usage"]["completion_tokens"] for r in records), 1
        )
        if records
        else None,  # fmt: skip
        "batch_peak_rss_mib": round(rss.peak, 1),
    }


def embedded_env(cache: Path, program: Path | None = None) -> dict[str, str]:
    """This process's environment with ``cache`` as the cache, no endpoint configured, and
    ``program`` (a compiled ``llama-server``) or the prebuilt runtime serving the model."""
    env = {**os.environ, "REVIEWER_CACHE_DIR": str(cache)}
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "REVIEWER_MODEL", "REVIEWER_LLAMA_SERVER"):
        env.pop(name, None)
    if program is not None:
        env["REVIEWER_LLAMA_SERVER"] = str(program)
    return env


def served_run(
    parallel: int,
    limit: int | None,
    keep: Path | None = None,
    program: Path | None = None,
    before_batch: Any = None,
) -> dict[str, Any]:
    """``reviewer serve --parallel N`` plus the default batch command against it (``program``:
    a compiled ``llama-server`` instead of the prebuilt runtime; ``before_batch(info)``: more
    figures from the same server before the batch, merged into the result)."""
    cache = fresh_cache()
    env = embedded_env(cache, program)
    server, info = start_server(env, parallel)
    try:
        out = keep or cache / "run"
        result = {"parallel": parallel, "runtime": info.get("runtime"), "slots": info.get("slots")}
        if before_batch is not None:
            result |= before_batch(info)
        result |= run_batch(env, out, limit)
        result["server_peak_rss_mib"] = peak_rss_mib(info["pid"])
        log = Path(info["log_path"]).read_text(errors="replace")
        result |= server_figures(log)
        result["wasted_generations"] = result["generations_started"] - result["completions_used"]
        result["s_per_generation"] = _per_generation(result)
        return result
    finally:  # SIGTERM: a background job inherits SIGINT ignored
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def _per_generation(result: dict[str, Any]) -> float | None:
    """Wall seconds per completion used: throughput that does not depend on how many re-asks
    the papers happened to need (a like-for-like comparison of slot counts)."""
    used = result["completions_used"]
    return round(result["wall_s"] / used, 1) if used else None


def demo() -> dict[str, Any]:
    """The README's first command's batch, as it is, on an empty cache."""
    cache = fresh_cache()
    env = {**os.environ, "REVIEWER_CACHE_DIR": str(cache)}
    load = os.getloadavg()
    result = {"load_average_at_start": [round(x, 2) for x in load]}
    result |= run_batch(env, cache / "demo", limit=3)
    return result


COLUMNS = ("runtime", "slots", "reviewed", "failed", "wall_s", "reviews_per_hour",
           "median_service_s", "median_queue_s", "completions_used", "s_per_generation",
           "wasted_generations", "prompt_tokens_per_s", "gen_tokens_per_s_per_request",
           "server_peak_rss_mib")  # fmt: skip


def slots_table(rows: list[dict[str, Any]]) -> str:
    """The slots runs as a Markdown table, one row per configuration."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r.get(c)) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines) + "\n\n"


def text_quality(run: Path, papers: Path = PAPERS) -> dict[str, Any]:
    """The eval's text-quality figures of a run against the sample papers it reviewed, and
    how many glued words the embedded model's repair split (named in each record's warnings)."""
    from reviewer.eval.textquality import score_run

    scored = score_run(run, papers)
    records = [json.loads(x) for x in (run / "reviews.jsonl").read_text().splitlines() if x]
    notes = [w for r in records for w in r.get("warnings") or [] if w.startswith("words: mended")]
    scored["words_repaired"] = sum(int(w.split()[2]) for w in notes)
    return scored


def dev_papers(per_target: int, path: Path) -> Path:
    """The first ``per_target`` dev papers of each quality target (title, abstract and keywords
    only: ``papers_for_generation``) written as a JSONL input file."""
    from benchmarks.quality import TARGETS
    from reviewer.references import load_references, papers_for_generation, select

    lines = []
    for refs, years in TARGETS.values():
        chosen = select(load_references(refs), split="dev", years=years, limit=per_target)
        lines += [p.model_dump_json() for p in papers_for_generation(chosen)]
    path.write_text("\n".join(lines) + "\n")
    return path


def parse_dry(spec: str) -> DryPenalty:
    """``multiplier=1.2,allowed_length=2`` -> that DRY penalty (other fields at the default)."""
    fields = {f.name: f.type for f in dataclasses.fields(DryPenalty)}
    values: dict[str, Any] = {}
    for part in filter(None, spec.split(",")):
        key, _, value = part.partition("=")
        if key not in fields or key == "breakers":
            raise SystemExit(f"unknown DRY field {key!r}: one of multiplier, base, allowed_length")
        values[key] = int(value) if key in ("allowed_length", "last_n") else float(value)
    return DryPenalty(**values)


def dry_run(spec: str, papers: Path, keep: Path) -> dict[str, Any]:
    """The default batch command on ``papers`` against a one-slot server, its requests
    carrying DRY ``spec`` (the penalty travels in each request body)."""
    cache = fresh_cache()
    env = embedded_env(cache)
    server, info = start_server(env, 1)
    try:
        result = {"dry": asdict(parse_dry(spec)) | {"breakers": None}, "spec": spec or "default"}
        batch = [sys.executable, str(Path(__file__).resolve()), "_reviewer", "--dry", spec, "--"]
        result |= run_batch(env, keep, None, papers, batch)
        result |= server_figures(Path(info["log_path"]).read_text(errors="replace"))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    quality = text_quality(keep, papers)
    result["words_mended"] = quality["words_repaired"]
    result["words"] = quality["counts"]["damaged_word_rate"][1]
    result["text_quality"] = quality
    return result


DRY_COLUMNS = ("spec", "reviewed", "median_service_s", "completion_tokens_mean",
               "gen_tokens_per_s_per_request", "words_mended")  # fmt: skip
TEXT_FIGURES = ("copy_rate", "damaged_word_rate", "glued_word_rate", "unsupported_name_rate",
                "redundancy", "words_per_paragraph")  # fmt: skip
"""The text-quality figures a side-by-side table shows beside each run's own columns."""


def text_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """One row per run: ``columns`` of the run, then its ``TEXT_FIGURES``."""
    head = [*columns, *TEXT_FIGURES]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [str(row.get(c)) for c in columns]
        for name in TEXT_FIGURES:
            value = row["text_quality"].get(name)
            cells.append("" if value is None else f"{value:.4f}" if value < 1 else f"{value:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n"


def dry_table(rows: list[dict[str, Any]]) -> str:
    """One row per DRY setting: speed, repairs, and the text-quality figures."""
    return text_table(rows, DRY_COLUMNS)


def batch_summary(result: dict[str, Any], single: dict[str, Any] | None) -> tuple[str, str]:
    """Adds the goal's ratios to ``result`` (with the one-slot reference run) and returns the
    results title and a table of the two runs."""
    title = f"Embedded model: {result['papers']} sample papers, default command"
    if single is None:
        return title, ""
    result["single_slot_reference"] = single
    if single["median_service_s"]:
        budget = result["reviewed"] * single["median_service_s"]
        result["wall_over_papers_x_single_median"] = round(result["wall_s"] / budget, 3)
    if single["s_per_generation"] and result["s_per_generation"]:
        ratio = result["s_per_generation"] / single["s_per_generation"]
        result["per_generation_over_single"] = round(ratio, 3)
    return title, slots_table([single, result])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    slots = sub.add_parser("slots", help="throughput by slot count, side by side")
    slots.add_argument("--parallel", type=int, nargs="+", default=[1, 2, 4])
    slots.add_argument("--limit", type=int, default=12)
    full = sub.add_parser("batch", help="the 100 sample papers with the default slots")
    full.add_argument("--limit", type=int, default=None)
    full.add_argument("--parallel", type=int, default=DEFAULT_PARALLEL)
    full.add_argument("--out", type=Path, help="keep the run here (default: a temp folder)")
    full.add_argument(
        "--reference", type=int, default=0, metavar="K",
        help="first review K papers on one slot: the median single-review time of the goal",
    )  # fmt: skip
    sub.add_parser("demo", help="README demo: 3 papers, the default command as it is")
    quality = sub.add_parser("quality", help=f"text quality ({TEXT_QUALITY_VERSION}) of a kept run")
    quality.add_argument("run", type=Path, help="a run folder written with --out")
    dry = sub.add_parser("dry", help="DRY penalty settings side by side on dev papers")
    dry.add_argument(
        "specs", nargs="+", metavar="SPEC",
        help="'default' or DryPenalty fields: multiplier=1.2,allowed_length=2",
    )  # fmt: skip
    dry.add_argument("--per-target", type=int, default=3, help="dev papers of each quality target")
    dry.add_argument("--out", type=Path, default=ROOT / "outputs" / "dry", help="runs kept here")
    # dry's batch command, in its own process, its requests carrying another penalty
    batch = sub.add_parser("_reviewer", help=argparse.SUPPRESS)
    batch.add_argument("--dry", default="")
    batch.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.mode == "_reviewer":
        from reviewer.cli.app import main as reviewer_main
        from reviewer.local import dry

        dry.DRY = parse_dry(args.dry)  # read by the endpoint and the cache key at each run
        argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        reviewer_main(args=argv, prog_name="reviewer")  # exits with the command's code
    machine = describe()
    if args.mode == "dry":
        stem, title = "embedded-dry", "Embedded model: DRY penalty settings side by side"
        args.out.mkdir(parents=True, exist_ok=True)
        papers = dev_papers(args.per_target, args.out / "papers.jsonl")
        rows = []
        result = {"machine": machine, "papers": str(papers), "runs": rows}
        for spec in args.specs:  # written after each row: a crash keeps the rest
            spec = "" if spec == "default" else spec
            rows.append(dry_run(spec, papers, args.out / (spec.replace(",", "_") or "default")))
            print(dry_table(rows), flush=True)
            write_results(stem, title, result, intro=dry_table(rows))
        return
    if args.mode == "slots":
        stem, title = "embedded-slots", "Embedded model: reviews per hour by slot count"
        rows: list[dict[str, Any]] = []
        result = {"machine": machine, "runs": rows}
        for parallel in args.parallel:  # written after each row: a crash keeps the rest
            rows.append(served_run(parallel, args.limit))
            write_results(stem, title, result, intro=slots_table(rows))
    elif args.mode == "batch":
        result = {"machine": machine}
        single = served_run(1, args.reference) if args.reference else None
        result |= served_run(args.parallel, args.limit, args.out)
        stem = "embedded-batch"
        title, intro = batch_summary(result, single)
    elif args.mode == "quality":
        result = {"machine": machine, **text_quality(args.run)}
        stem = f"embedded-batch-textquality-{args.run.name}"
        title = f"Text quality of {args.run.name}"
    else:
        result = {"machine": machine, **demo()}
        stem, title = "embedded-demo", "Embedded model: README demo (3 papers)"
    print(json.dumps(result, indent=2))
    print(write_results(stem, title, result, intro=intro if args.mode == "batch" else ""))
    print(f"cache root used for the model: {cache_root()}")


if __name__ == "__main__":
    main()
