"""Review quality on fixed test (or dev) subsets, beside the non-LLM baselines (both neighbours).

    python benchmarks/quality.py --name single --limit 50                 # embedded 1.5B
    python benchmarks/quality.py --name ensemble3 --samples 3 --limit 50
    python benchmarks/quality.py --name exemplars2 --exemplars 2 --limit 50
    python benchmarks/quality.py --name focus --focus --split dev --limit 25
    python benchmarks/quality.py --name single --calibration evals/score-calibration.json
    python benchmarks/quality.py --name single --split train --limit 200 --no-eval   # to fit
    python benchmarks/quality.py --name compact-v6-iclr2018 --targets iclr2018 --limit 100 \
        --calibration evals/score-calibration.json      # decisions on a year never fitted
    python benchmarks/quality.py --name no-related --split dev --limit 15 \
        --targets neurips2024 neurips2025                          # issue 37's paired check:
    python benchmarks/quality.py --name related5-prompt --related 5 --related-in-prompt \
        --split dev --limit 15 --targets neurips2024 neurips2025   # the same papers with it
    python benchmarks/quality.py --name single --limit 40 --eval-only   # score reviews made
        # by another commit's code (its worktree's outputs/), without touching its manifest

For each target (ICLR 2017, NeurIPS 2024, NeurIPS 2025) the first ``--limit`` papers of the
split in the harness's fixed sha256 order are reviewed from title and abstract only (resumable:
outputs/quality/<name>/<split>/<target>/), then scored by the eval harness (raw and, with a
calibration, calibrated). Writes benchmarks/results/quality-<name>-<split>.{json,md}: one row
per target and system with the figures of issue 7's goals, each with its 95% interval and n;
and -papers.json: our systems' rating, hit rate, precision and generic rate for each paper, so
that a run on another machine pairs with this one (``benchmarks/compare_configs.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from reviewer import Reviewer  # noqa: E402
from reviewer.calibration import resolve  # noqa: E402
from reviewer.eval.baselines import ALL_BASELINES  # noqa: E402
from reviewer.eval.run import EvalConfig, run_eval  # noqa: E402
from reviewer.references import load_references, papers_for_generation, select  # noqa: E402
from reviewer.runs.store import ERRORS, REVIEWS, iter_jsonl  # noqa: E402

TARGETS = {
    "iclr2017": ("iclr_2017", ()),
    "neurips2024": ("neurips_2023_2025", (2024,)),
    "neurips2025": ("neurips_2023_2025", (2025,)),
}
EXTRA_TARGETS = {"iclr2018": ("iclr_2018", ())}
"""Not in the default table: ICLR 2018 has ratings and decisions but no review text, so only
the score and decision figures apply (the calibration never saw it: a held-out year)."""
FIGURES = {
    "mean_pred": ("rating", "mean_pred"),
    "mean_human": ("rating", "mean_human"),
    "rating_mae": ("rating", "mae"),
    "spearman": ("rating", "spearman"),
    "decision_auc": ("decision", "auc"),
    "balanced_accuracy": ("decision_field", "balanced_accuracy"),  # the decision a user sees
    "pred_accept_rate": ("decision_field", "pred_accept_rate"),
    "comment_hit_rate": ("comments", "hit_rate"),
    "shuffled_hit_rate": ("comments", "shuffled_hit_rate"),
    "generic_rate": ("specificity", "generic_rate"),
    "interval_coverage": ("rating", "interval_coverage"),
    "glued_word_rate": ("text_quality", "glued_word_rate"),
    "unsupported_number_rate": ("text_quality", "unsupported_number_rate"),
    "unsupported_release_rate": ("text_quality", "unsupported_release_rate"),
    "non_comment_rate": ("text_quality", "non_comment_rate"),
    "copy_rate": ("text_quality", "copy_rate"),
}


def figures(groups: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, (group, key) in FIGURES.items():
        est = (groups.get(group) or {}).get(key) or {}
        value = est.get("value")
        digits = 4 if group == "text_quality" else 3  # goals in tenths of a percent
        out[name] = (
            None
            if value is None
            else {
                "value": round(value, digits),
                "ci": [round(est["ci_low"], digits), round(est["ci_high"], digits)]
                if est.get("ci_low") is not None
                else None,
                "n": est.get("n_papers"),
            }
        )
    return out


PAPER_FIGURES = ("rating", "hit_rate", "precision", "generic_rate")


def papers_path(name: str, split: str) -> Path:
    """The committed per-paper figures of run ``name`` on ``split`` (see :func:`per_paper`)."""
    return ROOT / "benchmarks" / "results" / f"quality-{name}-{split}-papers.json"


def per_paper(path: Path) -> dict[str, dict[str, dict[str, float]]]:
    """Our systems' figures for each paper (no human data: the ratings stay in ../shared), so a
    later run on another machine can be paired with this one paper by paper
    (``benchmarks/compare_configs.py``)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        out[record["paper_id"]] = {
            system: {k: figs[k] for k in PAPER_FIGURES if figs.get(k) is not None}
            for system, figs in record["systems"].items()
            if system not in ALL_BASELINES
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="configuration label (folder and file)")
    parser.add_argument("--split", default="test", choices=["train", "dev", "test"])
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument(
        "--targets", nargs="+", default=list(TARGETS), choices=[*TARGETS, *EXTRA_TARGETS]
    )
    parser.add_argument("--form", default="sections")
    parser.add_argument("--samples", type=int, default=1)
    parser.add_argument("--reflect", type=int, default=0)
    parser.add_argument("--exemplars", type=int, default=0)
    parser.add_argument(
        "--focus", action="store_true", help="aim weaknesses (reviewer.generation.focus)"
    )
    parser.add_argument("--calibration", default="none", help="none or a fitted file")
    parser.add_argument("--local-model", default=None, help="embedded model (default 1.5b)")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-eval", action="store_true", help="generate only (e.g. train runs)")
    parser.add_argument(
        "--related", type=int, default=0, help="list K related papers beside each review"
    )
    parser.add_argument(
        "--related-in-prompt",
        action="store_true",
        help="measurement only: the related papers go into every profile's prompt (the product "
        "puts them into the full profile's alone, until this shows a gain for another)",
    )
    parser.add_argument(
        "--eval-only",
        action="store_true",
        help="score the reviews already in outputs/quality/<name> (made by another commit's code,"
        " say) without starting a model or rewriting the run's manifest",
    )
    args = parser.parse_args()
    if args.eval_only and args.no_eval:
        parser.error("--eval-only and --no-eval exclude each other")
    if args.related_in_prompt:
        if not args.related:
            parser.error("--related-in-prompt needs --related K")
        import reviewer.generation.related as related_prompt

        related_prompt.IN_PROMPT_PROFILES = frozenset({"full", "compact"})

    rows: dict[str, Any] = {}
    papers: dict[str, Any] = {}
    options = {"form": args.form, "samples": args.samples, "reflect": args.reflect}
    reviewer = contextlib.nullcontext() if args.eval_only else Reviewer(
        model=args.model,
        base_url=args.base_url,
        local_model=args.local_model,
        exemplars=args.exemplars,
        focus=args.focus,
        related=args.related,
        calibration="none",
        **options,
    )  # fmt: skip
    with reviewer:
        for target in args.targets:
            refs, years = {**TARGETS, **EXTRA_TARGETS}[target]
            chosen = select(load_references(refs), split=args.split, years=years, limit=args.limit)
            out = ROOT / "outputs" / "quality" / args.name / args.split / target
            print(f"{target}: {len(chosen)} papers -> {out}", file=sys.stderr, flush=True)
            if args.eval_only:
                summary = counts(out)
            else:
                summary = reviewer.batch(papers_for_generation(chosen), out, concurrency=1)
            if args.no_eval:
                continue
            config = EvalConfig(
                out=out / "eval",
                references=refs,
                split=args.split,
                years=years,
                limit=args.limit,
                predictions=out,
                name=args.name,
                baselines=ALL_BASELINES,  # both neighbours: the MiniLM one of earlier tables too
                report=False,
                calibration=resolve(args.calibration),
            )
            metrics = run_eval(config)
            row = {"papers": len(chosen), "reviewed": summary.reviewed, "failed": summary.failed}
            row[metrics["system"]] = figures(metrics)
            for name, groups in (metrics.get("uncalibrated") or {}).items():
                row[name] = figures(groups)
            for name, groups in metrics["baselines"].items():
                row[f"baseline: {name}"] = figures(groups)
            row["human_loo_spearman"] = figures({"rating": {"spearman": metrics["human"].get(
                "loo_spearman") or {}}})["spearman"]  # fmt: skip
            rows[target] = row
            papers[target] = per_paper(out / "eval" / "per_paper.jsonl")
    if rows:
        stem = f"quality-{args.name}-{args.split}"
        config = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items())
        result = {"configuration": config, "detail": f"results/{stem}-detail.json"}
        write_results(stem, f"Review quality: {args.name} ({args.split})", result, table(rows))
        detail = Path(__file__).resolve().parent / "results" / f"{stem}-detail.json"
        detail.write_text(json.dumps(rows, indent=1) + "\n")
        papers_path(args.name, args.split).write_text(
            json.dumps(papers, indent=1, sort_keys=True) + "\n"
        )
        print(table(rows))


def counts(out: Path) -> SimpleNamespace:
    """Reviewed and failed papers of an existing run, read from its files (the manifest's
    counts are those of its last sitting only)."""
    if not (out / REVIEWS).exists():
        raise SystemExit(f"--eval-only: no reviews in {out}")
    return SimpleNamespace(
        reviewed=len({r.get("paper_id") for r in iter_jsonl(out / REVIEWS)}),
        failed=sum(1 for _ in iter_jsonl(out / ERRORS)),
    )


def table(rows: dict[str, Any]) -> str:
    """One line per target and system: value [95% interval], n in the header."""
    head = "| target | system | n | " + " | ".join(FIGURES) + " |\n"
    head += "|---" * (len(FIGURES) + 3) + "|\n"
    lines = []
    for target, row in rows.items():
        for system, figs in row.items():
            if system == "human_loo_spearman" and figs:
                figs = {k: (figs if k == "spearman" else None) for k in FIGURES}
                system = "human, leave one out"
            if not isinstance(figs, dict) or "rating_mae" not in figs:
                continue
            n = next((f["n"] for f in figs.values() if f), "")
            cells = [
                "" if f is None else f"{f['value']:.2f}" + (
                    f" [{f['ci'][0]:.2f}, {f['ci'][1]:.2f}]" if f.get("ci") else ""
                )
                for f in figs.values()
            ]  # fmt: skip
            lines.append(f"| {target} | {system} | {n} | " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n\n"


if __name__ == "__main__":
    main()
