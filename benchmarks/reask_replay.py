"""What grounding re-asks buy on the embedded model: a batch replayed from its cache.

    python benchmarks/reask_replay.py --run D --cache C/completions --budgets 0 1 2

A batch's completion cache holds every reply it received, re-asks included, so the same papers
can be reviewed again with fewer grounding re-asks without generating anything: each budget's
requests are a prefix of the conversation the batch had. For each budget: the generations
used (the time a batch spends, since one generation costs about the same on a slot), prompt
and completion tokens, and the text quality of the resulting reviews (textquality, against the
sample papers' text) with what the grounding step had to drop or keep. A request the cache does
not hold fails (the client points at a closed port): the run must have been made with the same
code, form and model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from reviewer import read_papers  # noqa: E402
from reviewer.cache import CompletionCache  # noqa: E402
from reviewer.checks.words import available as words_available  # noqa: E402
from reviewer.errors import EndpointError  # noqa: E402
from reviewer.eval.textquality import METRICS, measure, paper_source, summarize  # noqa: E402
from reviewer.generation.backend import EMBEDDED_CONTEXT, embedded_cache_id  # noqa: E402
from reviewer.generation.client import ChatClient  # noqa: E402
from reviewer.generation.forms import load_form  # noqa: E402
from reviewer.generation.generate import Generator, Outcome, ReviewFailed  # noqa: E402
from reviewer.runs.store import iter_jsonl  # noqa: E402

PAPERS = ROOT / "examples" / "papers.jsonl"
CLOSED = "http://127.0.0.1:9/v1"  # nothing listens: a cache miss fails instead of generating


def replay(
    config: dict[str, Any], reviewed: list[str], cache: Path, budget: int, runtime: str
) -> list[tuple[Any, Outcome | str]]:
    """(paper, outcome or failure reason) for every paper the run reviewed."""
    papers = {p.id: p for p in read_papers(PAPERS) if not isinstance(p, Exception)}
    client = ChatClient(
        base_url=CLOSED,
        api_key="local",
        model=config["model"],
        structured=config["structured"],
        max_attempts=1,
        cache_id=embedded_cache_id(config["model"], runtime),
    )
    generator = Generator(
        client,
        CompletionCache(cache),
        load_form(config["form"], config["profile"], explicit=True),
        max_reasks=config["max_reasks"],
        context_window=EMBEDDED_CONTEXT,
        repair_words=words_available(),
        grounding_reasks=budget,
    )

    async def one(paper_id: str) -> tuple[Any, Outcome | str]:
        paper = papers[paper_id]
        try:
            return paper, await generator.review(paper)
        except ReviewFailed as exc:
            return paper, str(exc)
        except EndpointError:  # the closed port: this budget needs a reply the run never got
            return paper, f"{paper_id}: a request the cache does not hold"

    async def every() -> list[tuple[Any, Outcome | str]]:
        return [await one(pid) for pid in reviewed]

    return asyncio.run(every())


def matches_run(stored: dict[str, Any], results: list[tuple[Any, Outcome | str]]) -> int:
    """Replayed reviews identical to the run's own: the replay's check on itself."""
    return sum(
        1 for p, o in results if isinstance(o, Outcome) and o.review.model_dump() == stored[p.id]
    )


def figures(results: list[tuple[Any, Outcome | str]]) -> dict[str, Any]:
    outcomes = [(p, o) for p, o in results if isinstance(o, Outcome)]
    notes = [w for _, o in outcomes for w in o.warnings if w.startswith("grounding:")]
    counts = [
        measure(o.review.model_dump(), paper_source(p.title, p.abstract, p.keywords))
        for p, o in outcomes
    ]
    quality = summarize(counts)
    return {
        "papers": len(results),
        "generations": sum(o.attempts for _, o in outcomes),
        "reasked_papers": sum(1 for _, o in outcomes if o.attempts > 1),
        "prompt_tokens": sum(o.prompt_tokens for _, o in outcomes),
        "completion_tokens": sum(o.completion_tokens for _, o in outcomes),
        "grounding_removed": sum(1 for w in notes if "removed" in w or "dropped" in w),
        "grounding_kept": sum(1 for w in notes if ": kept " in w),
        **{k: quality[k] for k in METRICS},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="a batch's run folder")
    parser.add_argument("--cache", type=Path, required=True, help="its completions folder")
    parser.add_argument("--budgets", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--runtime", default="llama-server", help="the server program it ran")
    args = parser.parse_args()
    config = json.loads((args.run / "manifest.json").read_text())["config"]
    stored = {r["paper_id"]: r["review"] for r in iter_jsonl(args.run / "reviews.jsonl")}
    replays = {b: replay(config, list(stored), args.cache, b, args.runtime) for b in args.budgets}
    # papers every budget could replay: the comparison is paired
    every = set.intersection(
        *({p.id for p, o in results if isinstance(o, Outcome)} for results in replays.values())
    )
    rows = {}
    for budget, results in replays.items():
        paired = [(p, o) for p, o in results if p.id in every]
        rows[str(budget)] = {
            "not_replayed": [str(o) for _, o in results if not isinstance(o, Outcome)],
            **figures(paired),
            "same_review_as_the_run": matches_run(stored, paired),
        }
        print(budget, json.dumps(rows[str(budget)]))
    keys = list(next(iter(rows.values())))
    table = "| figure | " + " | ".join(f"{b} re-asks" for b in rows) + " |\n"
    table += "|---|" + "---|" * len(rows) + "\n"
    for k in keys:
        table += f"| {k} | " + " | ".join(str(r[k]) for r in rows.values()) + " |\n"
    print(table)
    write_results(
        f"reask-replay-{args.run.name}",
        f"Grounding re-asks on {args.run.name}, replayed from its cache",
        {"run": str(args.run), "budgets": rows},
        intro=table + "\n",
    )


if __name__ == "__main__":
    main()
