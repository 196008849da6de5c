"""Seconds per review, validity and memory of the embedded model on the sample papers.

    python benchmarks/local_model.py --model 1.5b --limit 100
    python benchmarks/local_model.py --model 0.5b --structured prompt

Runs the real pipeline (render -> llama.cpp server -> validation and re-ask) one paper at a
time with the cache off, so every figure is a fresh generation. The first review is the
warm-up and is left out of the median. Writes benchmarks/results/local-<model>-<mode>.json
and .md (machine, command, figures).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import peak_rss_mib, write_results  # noqa: E402
from reviewer import Reviewer, read_papers  # noqa: E402
from reviewer.config import Settings  # noqa: E402
from reviewer.local.server import LocalServer  # noqa: E402
from reviewer.local.weights import model_alias, resolve_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="1.5b", help="1.5b, 0.5b or a GGUF path")
    parser.add_argument("--structured", default="json_object", choices=["json_object", "prompt"])
    parser.add_argument("--form", default="sections")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--input", default=str(ROOT / "examples" / "papers.jsonl"))
    parser.add_argument("--n-ctx", type=int, default=4096)
    args = parser.parse_args()

    papers = [p for p in read_papers(args.input) if not isinstance(p, Exception)][: args.limit]
    path = resolve_model(args.model)
    started = time.perf_counter()
    alias = model_alias(args.model, path)
    with LocalServer(path, alias=alias, n_ctx=args.n_ctx) as server:
        load_s = time.perf_counter() - started
        settings = Settings(
            base_url=server.base_url,
            api_key="local",
            model=server.model,
            structured=args.structured,
        )  # a configured endpoint: the requests carry no repetition penalty
        out = Path(tempfile.mkdtemp(prefix="bench-local-"))
        with Reviewer(settings=settings, form=args.form, cache=False) as reviewer:
            summary = reviewer.batch(papers, out, concurrency=1, progress=_progress(len(papers)))
        peak = peak_rss_mib(server.pid) if server.pid else None
    records = [json.loads(x) for x in (out / "reviews.jsonl").read_text().splitlines()]
    errors = (
        (out / "errors.jsonl").read_text().splitlines() if (out / "errors.jsonl").exists() else []
    )
    seconds = [r["latency_ms"] / 1000 for r in records]
    warm = seconds[1:] or seconds
    first_pass = sum(r["attempts"] == 1 for r in records)
    n = len(papers)
    result = {
        "model": server.model,
        "structured": args.structured,
        "form": args.form,
        "runtime": server.runtime,
        "papers": n,
        "reviewed": summary.reviewed,
        "failed": summary.failed,
        "first_pass_valid_rate": round(first_pass / n, 4) if n else None,
        "final_valid_rate": round(summary.reviewed / n, 4) if n else None,
        "server_start_seconds": round(load_s, 1),
        "seconds_per_review_median_warm": round(statistics.median(warm), 2) if warm else None,
        "seconds_per_review_p90": round(_quantile(warm, 0.9), 2) if warm else None,
        "seconds_first_review": round(seconds[0], 2) if seconds else None,
        "prompt_tokens_mean": _mean([r["usage"]["prompt_tokens"] for r in records]),
        "completion_tokens_mean": _mean([r["usage"]["completion_tokens"] for r in records]),
        "server_peak_rss_mib": peak,
        "errors": [json.loads(e)["reason"][:200] for e in errors],
    }
    stem = f"local-{Path(server.model).name}-{args.structured}-{args.form}"
    title = f"Embedded model: {result['model']} ({args.structured}, form {args.form})"
    write_results(stem, title, result)
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))


def _progress(total: int):
    def tick(paper_id: str, s) -> None:
        done = s.reviewed + s.failed
        print(f"[{done}/{total}] {paper_id}", file=sys.stderr, flush=True)

    return tick


def _mean(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


if __name__ == "__main__":
    main()
