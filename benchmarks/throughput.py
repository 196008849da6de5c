"""Pipeline overhead against a bare client, cached-rerun speed and memory, side by side.

    python benchmarks/throughput.py                      # 2,000 papers, 200 ms, concurrency 64
    python benchmarks/throughput.py --cached-papers 10000

Both clients hit the same FAKE endpoint (a separate process, so its CPU is not ours) in the
same run: first the bare reference client (AsyncOpenAI, a semaphore, json.loads of the
reply), then the full pipeline (render, guard, cache lookup off, validation, JSONL and
Markdown writes), then the reference again. Then a cached rerun of --cached-papers papers
and the peak memory of that run. Writes benchmarks/results/throughput.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402

from benchmarks.machine import write_results  # noqa: E402
from reviewer import Paper, Reviewer, load_form  # noqa: E402
from reviewer.config import Settings  # noqa: E402


def papers(n: int, prefix: str = "t") -> list[Paper]:
    return [
        Paper(id=f"{prefix}{i:05d}", title=f"Throughput paper {i}",
              abstract=f"We study problem {i} with a method and report results on benchmarks.")
        for i in range(n)
    ]  # fmt: skip


def start_fake(latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_openai", "--latency", str(latency)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


async def reference(base_url: str, items: list[Paper], concurrency: int) -> float:
    """Seconds for a bare client to send the same requests and parse the replies."""
    form = load_form("sections")
    client = openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0, timeout=60)
    gate = asyncio.Semaphore(concurrency)
    fmt = {"type": "json_schema", "json_schema": {"name": "sections", "schema": form.json_schema}}

    async def one(paper: Paper) -> None:
        async with gate:
            reply = await client.chat.completions.create(
                model="fake-model", messages=form.render(paper), response_format=fmt,  # type: ignore[arg-type]
                max_tokens=form.max_tokens, temperature=0.2,
            )  # fmt: skip
            json.loads(reply.choices[0].message.content or "{}")

    started = time.perf_counter()
    await asyncio.gather(*(one(p) for p in items))
    await client.close()
    return time.perf_counter() - started


def pipeline(
    base_url: str, items: list[Paper], concurrency: int, cache: bool, cache_dir: Path
) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, requests) for a batch through the whole pipeline."""
    settings = Settings(
        base_url=base_url, api_key="x", model="fake-model", structured="json_schema"
    )
    out = Path(tempfile.mkdtemp(prefix="bench-run-"))
    with Reviewer(settings=settings, cache=cache, cache_dir=cache_dir) as reviewer:
        wall, cpu = time.perf_counter(), time.process_time()
        summary = reviewer.batch(items, out, concurrency=concurrency)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert summary.reviewed == len(items), summary
    return wall, cpu, summary.requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--cached-papers", type=int, default=10000)
    args = parser.parse_args()
    result: dict[str, Any] = {
        "papers": args.papers,
        "latency_s": args.latency,
        "concurrency": args.concurrency,
    }
    cache_dir = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    fake, base_url = start_fake(args.latency)
    try:
        items = papers(args.papers)
        ref1 = asyncio.run(reference(base_url, items, args.concurrency))
        wall, cpu, _ = pipeline(base_url, items, args.concurrency, False, cache_dir)
        ref2 = asyncio.run(reference(base_url, items, args.concurrency))
        ref = (ref1 + ref2) / 2
        result.update(
            reference_seconds=[round(ref1, 2), round(ref2, 2)],
            pipeline_seconds=round(wall, 2),
            reference_reviews_per_s=round(args.papers / ref, 1),
            pipeline_reviews_per_s=round(args.papers / wall, 1),
            throughput_ratio=round(ref / wall, 3),
            pipeline_cpu_ms_per_review=round(1000 * cpu / args.papers, 2),
        )
        fake.terminate()
        fake.wait()
        fake, base_url = start_fake(0.0)
        many = papers(args.cached_papers, prefix="c")
        fill, _, _ = pipeline(base_url, many, args.concurrency, True, cache_dir)
        rerun, rerun_cpu, sent = pipeline(base_url, many, args.concurrency, True, cache_dir)
        result.update(
            cached_papers=args.cached_papers,
            cache_fill_seconds=round(fill, 1),
            cached_rerun_seconds=round(rerun, 2),
            cached_rerun_reviews_per_s=round(args.cached_papers / rerun, 1),
            cached_rerun_requests=sent,
            peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        )
    finally:
        fake.terminate()
    write_results("throughput", "Throughput", result)
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))


if __name__ == "__main__":
    main()
