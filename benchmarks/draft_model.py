"""Speculative decoding for the embedded 1.5B with the packaged 0.5B as draft, side by side.

    python benchmarks/draft_model.py --limit 12
    python benchmarks/draft_model.py --limit 12 --draft-max 3 6

A compact ``sections`` review takes the embedded 1.5B a median 34-41 s at 12-15 tokens/s
(benchmarks/RESULTS.md); the issue's goal is 25 s. The 0.5B of the same family generates about
four times faster, so it can propose tokens that the 1.5B checks several at a time. Whether
that pays on 2 CPU cores is measured here, not assumed.

Starts a compiled llama.cpp server (``REVIEWER_LLAMA_SERVER``: the prebuilt runtime takes no
draft-model flags) with the 1.5B on one slot, as the embedded model runs (its DRY penalty in
each request), once plain and once per ``--draft-max`` with the 0.5B as draft
(``--spec-type draft-simple --spec-draft-model``). All servers are up at once; each paper's
request (the embedded model's: compact profile, abstract only, JSON with the schema, the form's
temperature and seed 0) goes to every server in turn, the first server rotating from paper to
paper, so a change in the machine's speed falls on all configurations alike. The server's
sampler (DRY and grammar included) decides every token and the draft only proposes, so the
replies come from the same distribution; at the form's temperature they are other draws, and
the script counts the replies identical to the plain server's. Figures per configuration:
median and p90 seconds per request, completion tokens, the server's own generation speed, and
the share of drafted tokens accepted. Writes benchmarks/results/draft-model.{json,md}.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.local_model import _quantile  # noqa: E402
from benchmarks.machine import write_results  # noqa: E402
from reviewer import Paper, load_form, read_papers  # noqa: E402
from reviewer.checks.guard import guard  # noqa: E402
from reviewer.generation.backend import EMBEDDED_CONTEXT  # noqa: E402
from reviewer.generation.client import request_body  # noqa: E402
from reviewer.local.dry import DRY  # noqa: E402
from reviewer.local.server import LocalServer, find_llama_server  # noqa: E402
from reviewer.local.weights import model_alias, resolve_model  # noqa: E402

PLAIN = "plain"


def requests(limit: int, form_name: str) -> list[tuple[str, dict[str, Any]]]:
    """The embedded model's first request for each of the first ``limit`` sample papers."""
    form = load_form(form_name).with_profile("compact", explicit=False)
    papers = [p for p in read_papers(ROOT / "examples" / "papers.jsonl") if isinstance(p, Paper)]
    out = []
    for paper in papers[:limit]:
        safe = guard(paper, max_input_tokens=form.max_input_tokens).paper
        params = {"temperature": form.temperature, "max_tokens": form.max_tokens, "seed": 0}
        body = request_body(
            "model",
            form.render(safe, include_schema=False),
            schema=form.json_schema,
            schema_name=form.name,
            params=params,
            mode="json_object",
        )
        out.append((paper.id, {**body, **DRY.request_fields()}))
    return out


def ask(server: LocalServer, body: dict[str, Any]) -> dict[str, Any]:
    """One request; its wall time, reply and the server's own timings."""
    started = time.perf_counter()
    reply = httpx.post(
        f"{server.base_url}/chat/completions", json={**body, "model": server.model}, timeout=600
    )
    reply.raise_for_status()
    seconds = time.perf_counter() - started
    data = reply.json()
    timings = data.get("timings") or {}
    return {
        "seconds": seconds,
        "text": data["choices"][0]["message"]["content"],
        "tokens": data["usage"]["completion_tokens"],
        "gen_tok_s": timings.get("predicted_per_second"),
        "draft_n": timings.get("draft_n"),
        "draft_accepted": timings.get("draft_n_accepted"),
    }


def summary(runs: list[dict[str, Any]], plain: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = [r["seconds"] for r in runs]
    drafted = sum(r["draft_n"] or 0 for r in runs)
    accepted = sum(r["draft_accepted"] or 0 for r in runs)
    speeds = [r["gen_tok_s"] for r in runs if r["gen_tok_s"]]
    return {
        "requests": len(runs),
        "median_s": round(statistics.median(seconds), 1),
        "p90_s": round(_quantile(seconds, 0.9), 1),
        "mean_completion_tokens": round(statistics.fmean(r["tokens"] for r in runs), 1),
        "server_gen_tok_s_median": round(statistics.median(speeds), 1) if speeds else None,
        "draft_acceptance": round(accepted / drafted, 3) if drafted else None,
        "identical_to_plain": sum(a["text"] == b["text"] for a, b in zip(runs, plain, strict=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=12, help="sample papers (first N)")
    parser.add_argument("--draft-max", type=int, nargs="+", default=[3], help="tokens drafted")
    parser.add_argument("--form", default="sections")
    args = parser.parse_args()

    if find_llama_server() is None:
        raise SystemExit("the draft flags are llama-server's: set REVIEWER_LLAMA_SERVER to one")
    work = requests(args.limit, args.form)
    target, draft = resolve_model("1.5b"), resolve_model("0.5b")
    configs: dict[str, list[str]] = {PLAIN: []}
    for n in args.draft_max:
        configs[f"draft 0.5B, max {n}"] = [
            "--spec-type", "draft-simple", "--spec-draft-model", str(draft),
            "--spec-draft-n-max", str(n),
        ]  # fmt: skip
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(
                LocalServer(
                    target,
                    alias=model_alias("1.5b", target),
                    n_ctx=EMBEDDED_CONTEXT,
                    parallel=1,
                    extra_args=extra,
                )
            )
            for name, extra in configs.items()
        }
        names = list(servers)
        for i, (paper_id, body) in enumerate(work):
            order = names[i % len(names) :] + names[: i % len(names)]
            for name in order:
                runs[name].append(ask(servers[name], body))
            line = ", ".join(f"{n} {runs[n][-1]['seconds']:.1f} s" for n in names)
            print(f"[{i + 1}/{len(work)}] {paper_id}: {line}", file=sys.stderr, flush=True)
    result: dict[str, Any] = {"papers": len(work), "form": f"{args.form} (compact)"}
    for name in names:
        result[name] = summary(runs[name], runs[PLAIN])
    rows = [
        "| configuration | median s | p90 s | tokens out (mean) | server tokens/s (median) | "
        "drafts accepted | replies identical to plain |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        s = result[name]
        rows.append(
            f"| {name} | {s['median_s']} | {s['p90_s']} | {s['mean_completion_tokens']} | "
            f"{s['server_gen_tok_s_median']} | {s['draft_acceptance']} | "
            f"{s['identical_to_plain']} of {s['requests']} |"
        )
    table = "\n".join(rows) + "\n\n"
    write_results("draft-model", "Speculative decoding with a 0.5B draft", result, table)
    print(table)


if __name__ == "__main__":
    main()
