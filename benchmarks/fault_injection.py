"""Fault injection: a batch against a FAKE endpoint that fails in every way a real one does.

    python benchmarks/fault_injection.py            # the mix from the reliability issue
    python benchmarks/fault_injection.py --papers 200 --hang 0.02

Default mix per request: 15% 429 (Retry-After 0), 10% 500/503, 10% invalid JSON, 5% truncated
(finish_reason "length"), plus 2% hung requests cut by a 2 s client timeout. Checks that
every paper ends as exactly one line (a review or an error with its reason), counts requests
per paper, and writes benchmarks/results/fault-injection.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from reviewer import Reviewer  # noqa: E402
from reviewer.config import Settings  # noqa: E402
from tests.fake_openai import FakeOpenAI, FaultMix  # noqa: E402

DEFAULT_MIX = FaultMix(
    rate_limit=0.15, server_error=0.10, invalid_json=0.10, truncated=0.05, hang=0.02,
    hang_seconds=30.0, seed=7,
)  # fmt: skip


def run(mix: FaultMix, papers: int, out: Path, *, timeout: float = 2.0) -> dict[str, Any]:
    """Run one batch through the faults and return the figures (also used by the tests)."""
    items = [
        {"id": f"paper-{i:04d}", "title": f"Fault paper {i}", "abstract": f"We study case {i}."}
        for i in range(papers)
    ]
    with FakeOpenAI(faults=mix) as fake:
        settings = Settings(
            base_url=fake.base_url,
            api_key="sk-fault",
            model="fake-model",
            structured="json_schema",
            timeout=timeout,
            backoff_base=0.01,
        )
        started = time.perf_counter()
        with Reviewer(settings=settings, cache=False) as reviewer:
            summary = reviewer.batch(items, out, concurrency=8)
        seconds = time.perf_counter() - started
        requests = fake.count
    reviews = (out / "reviews.jsonl").read_text().splitlines()
    errors_file = out / "errors.jsonl"
    errors = errors_file.read_text().splitlines() if errors_file.exists() else []
    ids = [json.loads(line)["paper_id"] for line in reviews + errors]
    return {
        "papers": papers,
        "reviewed": summary.reviewed,
        "failed": summary.failed,
        "reviewed_rate": round(summary.reviewed / papers, 4),
        "every_paper_one_line": sorted(ids) == sorted(i["id"] for i in items),
        "error_reasons": sorted({json.loads(e)["reason"][:80] for e in errors}),
        "requests": requests,
        "requests_per_paper": round(requests / papers, 2),
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=80)
    parser.add_argument("--hang", type=float, default=DEFAULT_MIX.hang)
    args = parser.parse_args()
    mix = FaultMix(**{**DEFAULT_MIX.__dict__, "hang": args.hang})
    result = run(mix, args.papers, Path(tempfile.mkdtemp(prefix="faults-")))
    result["mix"] = {k: v for k, v in mix.__dict__.items() if v}
    write_results("fault-injection", "Fault injection", result)
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))


if __name__ == "__main__":
    main()
