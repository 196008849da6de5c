"""The embedded runtime side by side: the prebuilt xllamacpp wheel against a compiled llama-server.

    python benchmarks/runtime.py --compiled /path/to/llama-server --limit 10

Both serve the default 1.5B on one slot with the machine's threads, in one sitting, in the
order compiled, prebuilt, compiled (the compiled server twice, so the hour's drift shows). For
each server: the same fixed request three times (a sample paper's compact prompt with the
schema and the repetition penalty, temperature 0, no prompt reuse), read as the server's own
prompt and generation tokens/s; then the default batch command on the first ``--limit`` sample
papers with an empty cache (reviews per hour, service time); then the text-quality counts of
those reviews (``reviewer.eval.textquality``). The decision rule of issue 32: keep a compiled
path only when the prebuilt one is more than 10% slower. Writes
benchmarks/results/embedded-runtime.{json,md}; the runs are kept in outputs/runtime/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.embedded_batch import (  # noqa: E402
    PAPERS,
    TEXT_FIGURES,
    served_run,
    text_quality,
    text_table,
)
from benchmarks.machine import describe, write_results  # noqa: E402
from reviewer import read_papers  # noqa: E402
from reviewer.generation.forms import load_form  # noqa: E402
from reviewer.local.dry import DRY  # noqa: E402


def probe(info: dict[str, Any], rounds: int) -> dict[str, Any]:
    """The same request ``rounds`` times; the server's own timings of each."""
    form = load_form("sections", "compact")
    paper = next(p for p in read_papers(PAPERS) if not isinstance(p, Exception))
    body = {
        "model": info["model"],
        "messages": form.render(paper),
        "max_tokens": form.max_tokens,
        "temperature": 0,
        "cache_prompt": False,  # every round pays for its prompt
        "response_format": {"type": "json_object", "schema": form.json_schema},
        **DRY.request_fields(),
    }
    rows = []
    for _ in range(rounds):
        request = urllib.request.Request(
            f"{info['base_url']}/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            timings = json.load(response)["timings"]
        rows.append(timings)
    return {
        "probe_prompt_tokens_per_s": [round(t["prompt_per_second"], 1) for t in rows],
        "probe_gen_tokens_per_s": [round(t["predicted_per_second"], 1) for t in rows],
        "probe_tokens_out": [t["predicted_n"] for t in rows],
    }


def run(name: str, program: Path | None, limit: int, rounds: int, keep: Path) -> dict[str, Any]:
    out = keep / name
    if out.exists():
        raise SystemExit(f"{out} exists: move it away first (a run is kept, never mixed)")
    result = served_run(1, limit, out, program, lambda info: probe(info, rounds))
    result["generations_started"] -= rounds  # the probe's requests are not the batch's waste
    result["wasted_generations"] -= rounds
    quality = text_quality(out)
    result["name"] = name
    result["text_quality"] = {k: quality.get(k) for k in TEXT_FIGURES}
    result["text_counts"] = quality.get("counts")
    print(json.dumps({k: v for k, v in result.items() if k != "text_counts"}), flush=True)
    return result


COLUMNS = ("name", "runtime", "probe_prompt_tokens_per_s", "probe_gen_tokens_per_s",
           "probe_tokens_out", "reviewed", "failed", "reviews_per_hour", "median_service_s",
           "completion_tokens_mean", "gen_tokens_per_s_per_request")  # fmt: skip


def ratios(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Prebuilt over compiled (the mean of the compiled server's two runs)."""
    compiled = [r for r in rows if r["name"].startswith("compiled")]
    prebuilt = next(r for r in rows if r["name"] == "prebuilt")

    def mean(key: str, rs: list[dict[str, Any]]) -> float:
        values = [v for r in rs for v in (r[key] if isinstance(r[key], list) else [r[key]])]
        return statistics.fmean(values)

    return {
        key: round(mean(key, [prebuilt]) / mean(key, compiled), 3)
        for key in ("probe_prompt_tokens_per_s", "probe_gen_tokens_per_s", "reviews_per_hour")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compiled", type=Path, required=True, help="a llama-server program")
    parser.add_argument("--limit", type=int, default=10, help="sample papers per batch")
    parser.add_argument("--rounds", type=int, default=3, help="fixed requests per server")
    parser.add_argument("--keep", type=Path, default=ROOT / "outputs" / "runtime")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    result: dict[str, Any] = {"machine": describe(), "runs": rows}
    for name, program in (("compiled-1", args.compiled), ("prebuilt", None),
                          ("compiled-2", args.compiled)):  # fmt: skip
        rows.append(run(name, program, args.limit, args.rounds, args.keep))
        write_results("embedded-runtime", "Embedded runtime: prebuilt against compiled",
                      result, intro=text_table(rows, COLUMNS))  # fmt: skip
    result["prebuilt_over_compiled"] = ratios(rows)
    print(write_results("embedded-runtime", "Embedded runtime: prebuilt against compiled",
                        result, intro=text_table(rows, COLUMNS)))  # fmt: skip
    print(json.dumps(result["prebuilt_over_compiled"]))


if __name__ == "__main__":
    main()
