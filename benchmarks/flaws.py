"""Planted flaws caught by the embedded model's reviews, beside the nearest-neighbour baseline.

    python benchmarks/flaws.py --limit 50 --out outputs/flaws-50               # issue 19's run
    python benchmarks/flaws.py --limit 50 --out outputs/flaws-50 --minutes 120 # in pieces

Makes a clean twin and six flawed twins of each of the first N sample papers and reviews them
with the default command (`reviewer flaws run`, embedded model, default slots). The run
resumes: papers already reviewed in OUT/run are skipped and completions come back from the
cache, so ``--minutes`` can spread the 350 reviews over several sittings; the twins are
reviewed in file order, one source paper's seven twins after another. The reviewed twins are
also kept in git (``--keep``, default ``benchmarks/results/flaws-run/``): a sitting starts by
restoring them into OUT/run and ends by saving them there, so a fresh machine resumes where the
last sitting stopped. Kept twins made with another model, server program, repetition penalty or
prompt are refused (one table, one generation): move the folder aside to start over. Then both
systems are scored on the same reviewed twins:

- ``embedded``: our reviews (OUT/run), scored by `reviewer flaws score`;
- ``nearest-neighbour``: for each twin, the first human review of the NeurIPS 2023-2025 train
  paper whose title and abstract embed closest to the twin's, the eval's baseline of that name.
  A real review that never read the twin: what the matcher gives a review that cannot know the
  flaw.

Writes OUT/score-embedded, OUT/score-nearest-neighbour (metrics.json, report.md) and
benchmarks/results/flaws-<model>.json and .md: recall and false alarms with 95% intervals and
n, per-kind recall, the twins reviewed so far, and this sitting's wall time and reviews per hour
with the server's generation speed (tokens/s).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.embedded_batch import server_figures, start_server  # noqa: E402
from benchmarks.machine import write_results  # noqa: E402
from reviewer.local.server import DEFAULT_PARALLEL  # noqa: E402
from reviewer.runs.store import iter_jsonl  # noqa: E402

PAPERS = ROOT / "examples" / "papers.jsonl"
REFERENCES = "neurips_2023_2025"
KEEP = ROOT / "benchmarks" / "results" / "flaws-run"
KEPT = ("reviews.jsonl", "errors.jsonl", "manifest.json")


def generation(manifest: Path) -> str | None:
    """What made a run's reviews, from its manifest: the embedded model's cache id (model,
    server program, repetition penalty) and the form's prompt templates and schema; None for
    runs made before the cache id was recorded. (Code after the model, such as the repair and
    the grounding checks, is not in it: change those between sittings and start over.)"""
    try:
        data = json.loads(manifest.read_text())
        made = data["config"].get("cache_id")
        form = data["form"]
        return f"{made} templates {form['template_hash'][:12]} schema {form['schema_hash'][:12]}"
    except (OSError, ValueError, KeyError, TypeError):
        return None


def current_generation() -> str:
    """What a sitting's reviews are made with now (as :func:`generation` reads it): the
    default embedded model, the server program this machine runs it with, the penalty, and the
    `sections` form's compact prompts."""
    from reviewer.generation.backend import embedded_cache_id
    from reviewer.generation.forms import load_form
    from reviewer.local.server import LocalServer
    from reviewer.local.weights import model_alias, resolve_model

    runtime = LocalServer(resolve_model(None)).runtime  # not started: only its name
    made = embedded_cache_id(model_alias(None, resolve_model(None)), runtime)
    form = load_form("sections", "compact")
    return f"{made} templates {form.template_hash[:12]} schema {form.schema_hash[:12]}"


def restore(out: Path, keep: Path, current: str) -> int:
    """Reviews kept in ``keep`` that OUT/run lacks, appended to it (and the manifest when
    OUT/run has none); how many. Errors are not restored: those twins are tried again.
    Twins made under another generation (``current``: the cache id a sitting would use now)
    are refused: one table must not mix two models or penalties."""
    run = out / "run"
    kept = list(iter_jsonl(keep / "reviews.jsonl"))
    if not kept:
        return 0
    for manifest in (keep / "manifest.json", run / "manifest.json"):
        made = generation(manifest) if manifest.exists() else current
        if made != current:
            raise SystemExit(
                f"{manifest.parent} holds twins made under {made or 'an unrecorded setting'}, "
                f"not {current}: move it aside (or pass --keep and --out elsewhere) to start over"
            )
    run.mkdir(parents=True, exist_ok=True)
    done = {r["paper_id"] for r in iter_jsonl(run / "reviews.jsonl")}
    new = [r for r in kept if r["paper_id"] not in done]
    with (run / "reviews.jsonl").open("a", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in new)
    if not (run / "manifest.json").exists() and (keep / "manifest.json").exists():
        shutil.copy2(keep / "manifest.json", run / "manifest.json")
    return len(new)


def preserve(out: Path, keep: Path) -> None:
    """OUT/run's reviews, errors and manifest copied to ``keep`` (committed by hand)."""
    keep.mkdir(parents=True, exist_ok=True)
    for name in KEPT:
        if (out / "run" / name).exists():
            shutil.copy2(out / "run" / name, keep / name)


def generate(out: Path, limit: int, minutes: float | None) -> dict[str, Any]:
    """`reviewer flaws run` against `reviewer serve` (kept so that its log gives the machine's
    speed) for at most ``minutes``; then stopped: what was reviewed stays in OUT/run and in the
    cache, and the next call resumes."""
    from reviewer.config import cache_root

    env = {**os.environ, "REVIEWER_CACHE_DIR": str(cache_root())}
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "REVIEWER_MODEL"):
        env.pop(name, None)  # the embedded model, as a user without an endpoint gets it
    before = len(list(iter_jsonl(out / "run" / "reviews.jsonl")))
    command = [sys.executable, "-m", "reviewer", "flaws", "run", str(PAPERS),
               "--limit", str(limit), "--out", str(out), "--bootstrap", "0"]  # fmt: skip
    server, info = start_server(env, DEFAULT_PARALLEL)
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _, stderr = proc.communicate(timeout=minutes * 60 if minutes else None)
            stopped = False
        except subprocess.TimeoutExpired:  # SIGTERM: a background job ignores SIGINT
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate()
            stopped = True
        wall = time.perf_counter() - started
        log = Path(info["log_path"]).read_text(errors="replace")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    written = len(list(iter_jsonl(out / "run" / "reviews.jsonl"))) - before
    return {
        "exit_code": proc.returncode,
        "stopped_at_time_limit": stopped,
        "stderr_tail": stderr.decode(errors="replace").strip().splitlines()[-3:],
        "slots": info.get("slots"),
        "reviews_written": written,
        "wall_s": round(wall, 1),
        "reviews_per_hour": round(written / wall * 3600, 1) if wall and written else None,
        **server_figures(log),
    }


def nearest_neighbour(out: Path, reviewed: set[str]) -> Path:
    """OUT/nearest-neighbour.jsonl: the baseline's review text for each reviewed twin."""
    from reviewer.embed import ABSTRACT_MAX_TOKENS, Embedder
    from reviewer.eval.baselines import nearest_train_papers
    from reviewer.references import Reference, load_references, select

    twins = [t for t in iter_jsonl(out / "papers.jsonl") if t["id"] in reviewed]
    papers = [Reference(paper_id=t["id"], title=t["title"], abstract=t["abstract"]) for t in twins]
    train = select(load_references(REFERENCES), split="train")
    neighbours = nearest_train_papers(train, papers, Embedder(ABSTRACT_MAX_TOKENS))
    path = out / "nearest-neighbour.jsonl"
    rows = [{"paper_id": p.paper_id, "text": n.reviews[0].text, "neighbour": n.paper_id}
            for p, n in zip(papers, neighbours, strict=True)]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def score(out: Path) -> dict[str, Any]:
    from reviewer.flaws.score import score_run

    key = out / "key.jsonl"
    reviewed = {r["paper_id"] for r in iter_jsonl(out / "run" / "reviews.jsonl")}
    if not reviewed:
        raise SystemExit(f"no twin reviewed yet in {out / 'run'}")
    ours = score_run(out / "run", key, out / "score-embedded", name="embedded", log=print)
    nn = score_run(
        nearest_neighbour(out, reviewed),
        key,
        out / "score-nearest-neighbour",
        mapping={"paper_id": ["paper_id"], "text": ["text"]},
        name="nearest-neighbour",
        log=print,
    )
    return {"embedded": ours, "nearest-neighbour": nn}


def _cell(figure: dict[str, Any]) -> str:
    if figure.get("value") is None:
        return f"- (n={figure.get('n', 0)})"
    if figure.get("low") is None:
        return f"{figure['value']:.3f} (n={figure['n']})"
    return f"{figure['value']:.3f} [{figure['low']:.3f}, {figure['high']:.3f}] (n={figure['n']})"


def table(scored: dict[str, dict[str, Any]]) -> str:
    kinds = sorted({k for m in scored.values() for k in m.get("per_kind", {})})
    head = ["system", "recall", "false alarms on clean twins", *kinds]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, m in scored.items():
        per_kind = m.get("per_kind", {})
        cells = [_cell(per_kind[k]["recall"]) if k in per_kind else "-" for k in kinds]
        lines.append(
            f"| {name} | {_cell(m['recall'])} | {_cell(m['false_alarm_rate'])} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=50, help="sample papers (7 twins each)")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "flaws-50")
    parser.add_argument("--minutes", type=float, help="stop generating after this long")
    parser.add_argument("--score-only", action="store_true", help="score what is reviewed")
    parser.add_argument("--keep", type=Path, default=KEEP, help="reviewed twins kept in git")
    args = parser.parse_args()

    current = current_generation()
    print(f"restored {restore(args.out, args.keep, current)} reviewed twins from {args.keep}")
    sitting = None if args.score_only else generate(args.out, args.limit, args.minutes)
    preserve(args.out, args.keep)
    scored = score(args.out)
    twins = len(list(iter_jsonl(args.out / "key.jsonl")))
    reviewed = len(list(iter_jsonl(args.out / "run" / "reviews.jsonl")))
    failed = len(list(iter_jsonl(args.out / "run" / "errors.jsonl")))
    model = json.loads((args.out / "run" / "manifest.json").read_text()).get("model", "?")
    result: dict[str, Any] = {
        "model": model,
        "twins": twins,
        "twins_reviewed": reviewed,
        "twins_failed": failed,
        "this_sitting": sitting,
        "matcher": scored["embedded"].get("matcher"),
        "systems": {
            name: {k: m[k] for k in ("recall", "false_alarm_rate", "per_kind") if k in m}
            for name, m in scored.items()
        },
    }
    print(table(scored))
    stem = "flaws-" + re.sub(r"[^\w.-]+", "-", str(model)).strip("-")
    path = write_results(
        stem,
        f"Planted flaws: {model} and the nearest-neighbour baseline",
        result,
        intro=f"{table(scored)}\n\n{reviewed} of {twins} twins reviewed ({failed} failed). ",
    )
    print(path)


if __name__ == "__main__":
    main()
