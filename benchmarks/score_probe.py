"""Does the 1.5B's next-token distribution over a 1-9 rating rank papers beyond the abstract prior?

    python benchmarks/score_probe.py --split train --limit 50

The review's own ``overall`` carries no ranking signal on train (3-4 distinct values, within
venue Spearman about 0.02). This probes a cheaper, finer signal: one completion token to a
"rate 1 to 9, one digit" prompt from title and abstract, read as the expected digit under the
model's top-20 token probabilities (the embedded server's ``logprobs``). It is an experiment,
not a pipeline stage. Per paper records are appended to
outputs/probe/<split>.jsonl (resumable); figures are Spearman within each venue-year of the
expected digit with the human mean, of the abstract prior's out-of-fold value (train) with the
human mean, of the expected digit with the human mean minus the prior, and of the prior plus
0.3 standard units of the expected digit. Writes benchmarks/results/score-probe-<split>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from benchmarks.quality import TARGETS  # noqa: E402
from reviewer.calibration import paper_text, venue_key  # noqa: E402
from reviewer.eval.calibrate import abstract_prior  # noqa: E402
from reviewer.references import Reference, load_references, select  # noqa: E402

SYSTEM = "You are an experienced reviewer for a top machine-learning conference."
ASK = (
    "Rate the quality of this paper as a reviewer would, from 1 (clear reject) to 9 "
    "(award quality). Reply with a single digit."
)


def probe(papers: list[Reference], out: Path, model: str) -> None:
    """Append one record per paper not yet in ``out`` (one completion token each)."""
    import openai

    from reviewer.local.server import LocalServer
    from reviewer.local.weights import resolve_model

    done = (
        {json.loads(line)["id"] for line in out.read_text().splitlines()} if out.exists() else set()
    )
    todo = [r for r in papers if r.paper_id not in done]
    if not todo:
        return
    server = LocalServer(resolve_model(model), n_ctx=2048)
    with server as s:
        client = openai.OpenAI(base_url=s.base_url, api_key="local")
        with out.open("a") as f:
            for i, r in enumerate(todo, 1):
                start = time.monotonic()
                prompt = f"Title: {r.title}\n\nAbstract: {r.abstract}\n\n{ASK}"
                resp = client.chat.completions.create(
                    model=s.model,
                    messages=[
                        {"role": "system", "content": SYSTEM},
                        {"role": "user", "content": prompt},
                    ],
                    max_tokens=1,
                    temperature=0,
                    logprobs=True,
                    top_logprobs=20,
                )
                top = resp.choices[0].logprobs.content[0].top_logprobs  # type: ignore[union-attr]
                probs = {t.token.strip(): math.exp(t.logprob) for t in top}
                digits = {int(k): p for k, p in probs.items() if len(k) == 1 and k in "123456789"}
                mass = sum(digits.values())
                record = {
                    "id": r.paper_id,
                    "venue": venue_key(r.venue, r.year),
                    "human": r.mean_rating,
                    "accepted": r.accepted,
                    "expected": sum(k * p for k, p in digits.items()) / mass if mass else None,
                    "mass": mass,
                    "seconds": round(time.monotonic() - start, 2),
                }
                f.write(json.dumps(record) + "\n")
                f.flush()
                print(f"{i}/{len(todo)} {r.paper_id} {record['expected']}", file=sys.stderr)


def figures(records: list[dict[str, Any]], prior_of: dict[str, float]) -> dict[str, Any]:
    from scipy.stats import spearmanr

    rows: dict[str, Any] = {}
    for venue in sorted({r["venue"] for r in records}):
        rs = [r for r in records if r["venue"] == venue and r["expected"] is not None]
        human = np.array([r["human"] for r in rs])
        expected = np.array([r["expected"] for r in rs])
        prior = np.array([prior_of[r["id"]] for r in rs])
        z = (expected - expected.mean()) / expected.std()
        rho = lambda a, b: round(float(spearmanr(a, b).statistic), 3)  # noqa: E731
        rows[venue] = {
            "n": len(rs),
            "expected digit: mean, sd": [
                round(float(expected.mean()), 2),
                round(float(expected.std()), 3),
            ],
            "spearman expected vs human": rho(expected, human),
            "spearman prior vs human": rho(prior, human),
            "spearman expected vs human minus prior": rho(expected, human - prior),
            "spearman prior + 0.3 z(expected) vs human": rho(prior + 0.3 * z, human),
        }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="train", choices=["train", "dev"])
    parser.add_argument("--limit", type=int, default=50, help="papers per target")
    parser.add_argument("--model", default="1.5b")
    args = parser.parse_args()

    loaded = {source: load_references(source) for source, _ in TARGETS.values()}
    # the order of `reviewer calibrate -r neurips_2023_2025 -r iclr_2017`: the prior's CV folds,
    # hence every out-of-fold value, depend on it
    refs = loaded["neurips_2023_2025"] + loaded["iclr_2017"]
    papers: list[Reference] = []
    for source, years in TARGETS.values():
        papers += select(loaded[source], split=args.split, years=years, limit=args.limit)
    out = ROOT / "outputs" / "probe" / f"{args.split}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    probe(papers, out, args.model)

    wanted = {r.paper_id for r in papers}
    records = [json.loads(line) for line in out.read_text().splitlines()]
    records = [r for r in records if r["id"] in wanted]
    prior, oof = abstract_prior(refs)
    if args.split == "train":
        prior_of = oof  # out of fold: the prior never saw the paper it scores
    else:
        by_id = {r.paper_id: r for r in papers}
        texts = [paper_text(by_id[r["id"]].title, by_id[r["id"]].abstract) for r in records]
        prior_of = dict(zip([r["id"] for r in records], prior.predict(texts), strict=True))
    rows = figures(records, prior_of)
    seconds = sorted(r["seconds"] for r in records)
    result: dict[str, Any] = {
        "papers": len(records),
        "median seconds per paper": seconds[len(seconds) // 2],
    }
    result.update({f"{v}: {k}": val for v, row in rows.items() for k, val in row.items()})
    write_results(f"score-probe-{args.split}", f"Rating probe ({args.split})", result)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
