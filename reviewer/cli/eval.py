"""``reviewer eval``: score generated reviews (ours or another system's) against human reviews.

Defines ``eval_command`` only; the main CLI registers it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reviewer.cli.options import (
    EXIT_USAGE,
    concurrency_option,
    endpoint_options,
    form_option,
    selection_options,
)
from reviewer.errors import ReviewerError

if TYPE_CHECKING:  # the eval's modules load scikit-learn: imported when the command runs
    from reviewer.eval.inputs import EvalConfig
    from reviewer.references import Reference


def _echo(message: str) -> None:
    click.echo(message, err=True)


@click.command("eval", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--references",
    "-r",
    help="Human-review data: a folder or a .jsonl/.jsonl.gz/.jsonl.xz file, or a folder name "
    "under REVIEWER_DATA_DIR (default: neurips_2023_2025 there).",
)
@selection_options
@click.option(
    "--predictions",
    "-p",
    type=click.Path(path_type=Path),
    help="Reviews to score: our reviews.jsonl (or its run folder), or another system's "
    "CSV/JSONL read through --map.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="KEY=COLUMN",
    help="Column mapping for another system's file: paper_id=, rating=, decision=, text= "
    "(text may repeat; the columns are joined).",
)
@click.option(
    "--pred-scale",
    metavar="LO-HI",
    help="Rating scale of the mapped rating column (default 1-10).",
)
@click.option("--name", help="Name of the system under test in the report.")
@click.option(
    "--baseline",
    "baselines",
    type=click.Choice(["constant", "lexical-neighbour", "abstract-prior", "nearest-neighbour"]),
    multiple=True,
    help="Score this baseline as the system under test when there are no predictions "
    "(repeatable). constant, lexical-neighbour and abstract-prior are always scored beside "
    "the system; nearest-neighbour (MiniLM) only when named: it embeds every train abstract "
    "once per machine (see `reviewer data embed`).",
)
@click.option("--no-baselines", is_flag=True, help="Score the predictions alone.")
@click.option(
    "--threshold",
    type=float,
    default=6.0,
    show_default=True,
    help="Decision rule: accept if overall >= THRESHOLD on 1-10 (pre-register it).",
)
@click.option("--bootstrap", "n_resamples", type=click.IntRange(0), default=1000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--no-report", is_flag=True, help="Write metrics.json only (no plots).")
@click.option(
    "--generate",
    is_flag=True,
    help="First review the selected papers (title, abstract, keywords only) into --out.",
)
@endpoint_options
@form_option
@concurrency_option
@click.option(
    "--calibration",
    help="Score calibration fitted on train (see `reviewer calibrate`): a JSON file, or none. "
    "Default: evals/score-calibration.json when it exists. Adds '<name> + calibration' beside "
    "the raw system.",
)
def eval_command(**opts: Any) -> None:
    """Score generated reviews against held-out human reviews, beside three baselines.

    Writes metrics.json (every figure with a 95% bootstrap interval and n_papers),
    per_paper.jsonl, report.md, report.html (self-contained) and plots/ into --out.

    --generate first reviews the selected papers the way `reviewer batch` does, with batch's
    --model, --base-url, --local-model, --form and --concurrency.
    """
    try:
        _run(opts)
    except ReviewerError as exc:
        _echo(f"error: {exc}")
        sys.exit(EXIT_USAGE)


def _calibration(spec: str | None, loaded: Any) -> Any:
    """The calibration to score with: an explicit file or none; by default the repo's file
    when the predictions come from the model and form it was fitted on."""
    from reviewer.calibration import resolve

    if loaded is None:
        return None
    if spec is not None:
        return resolve(spec)
    return resolve(None, loaded.model, loaded.form)


def _baselines(opts: dict[str, Any]) -> tuple[tuple[str, ...], bool]:
    """The baselines to score, from the flags alone, and whether only a form reference set
    (which needs no system) could make the run mean anything."""
    from reviewer.errors import ConfigError
    from reviewer.eval.baselines import BASELINES

    system = opts["predictions"] is not None or opts["generate"]
    if opts["generate"] and opts["predictions"] is not None:
        raise ConfigError("give either --generate or --predictions, not both")
    if opts["maps"] and opts["predictions"] is None:
        raise ConfigError("--map needs --predictions")
    chosen = tuple(dict.fromkeys(opts["baselines"]))
    if opts["no_baselines"]:
        if not system:
            raise ConfigError("--no-baselines needs --predictions or --generate")
        return (), False
    if not system and not chosen:
        return BASELINES, True  # a form reference set alone: its own text quality
    return chosen + tuple(b for b in BASELINES if b not in chosen), False


def _run(opts: dict[str, Any]) -> None:
    """Flags checked once (before anything is read), references and predictions read once."""
    from reviewer.errors import ConfigError, require_extra

    require_extra("reviewer eval")
    from reviewer.eval.inputs import EvalConfig, load_inputs
    from reviewer.eval.predictions import parse_mapping, parse_scale
    from reviewer.eval.run import run_eval
    from reviewer.references import is_form_reference_set, load_references

    mapping = parse_mapping(opts["maps"]) if opts["maps"] else None
    scale = parse_scale(opts["pred_scale"])
    baselines, form_set_only = _baselines(opts)
    nothing = ConfigError("nothing to score: give --predictions, --generate or --baseline")
    if form_set_only and opts["references"] is None:
        raise nothing  # the default set is NeurIPS, not a form reference set
    started = time.perf_counter()
    references = load_references(opts["references"])
    read_s = time.perf_counter() - started
    if form_set_only and not is_form_reference_set(references):
        raise nothing
    config = EvalConfig(
        out=opts["out"],
        references=opts["references"],
        split=None if opts["split"] == "all" else opts["split"],
        years=tuple(opts["years"]),
        limit=opts["limit"],
        predictions=opts["predictions"],
        mapping=mapping,
        pred_scale=scale,
        name=opts["name"],
        baselines=baselines,
        threshold=opts["threshold"],
        n_resamples=opts["n_resamples"],
        seed=opts["seed"],
        report=not opts["no_report"],
    )
    if opts["generate"]:
        config.predictions = _generate(opts, config, references)
    inputs = load_inputs(config, references=references)
    inputs.seconds = round(inputs.seconds + read_s, 3)  # metrics.json's "load" counts the read
    config.calibration = _calibration(opts["calibration"], inputs.loaded)
    from reviewer.cli.data import EmbedBar

    with EmbedBar() as bar:
        metrics = run_eval(config, inputs=inputs, log=_echo, progress=bar)
    _summary(metrics, config.out)


def _generate(opts: dict[str, Any], config: EvalConfig, references: list[Reference]) -> Path:
    """Review the papers ``config`` selects into its output folder (``--generate``)."""
    from reviewer.api import Reviewer
    from reviewer.eval.produce import generate_reviews
    from reviewer.references import select

    refs = select(references, split=config.split, years=config.years, limit=config.limit)
    chosen = {
        k: opts[k] for k in ("model", "base_url", "local_model", "form") if opts[k] is not None
    }
    _echo(f"generating reviews of {len(refs)} papers into {config.out}")
    with Reviewer.from_values(chosen) as reviewer:
        return generate_reviews(reviewer, refs, config.out, concurrency=opts["concurrency"])


def _summary(metrics: dict[str, Any], out: Path) -> None:
    from reviewer.eval import registry
    from reviewer.eval.tables import fmt
    from reviewer.eval.textquality import METRICS

    lines = [f"{metrics['system']} on {metrics['references']['n_papers']} papers:"]
    if "reference_text_quality" in metrics:  # a form reference set: no ratings
        ours = metrics.get("text_quality") or {}
        for name in METRICS:
            lines.append(
                f"  text_quality.{name:24} {fmt(ours.get(name), 4):36} "
                f"reference {fmt(metrics['reference_text_quality'][name], 4)}"
            )
        for section, est in (metrics.get("section_similarity") or {}).items():
            lines.append(f"  section_similarity.{section:17} {fmt(est['embedding_similarity'])}")
        click.echo("\n".join([*lines, f"wrote {out / 'metrics.json'}, {out / 'report.md'}"]))
        return
    for metric in registry.summary():
        group, name = metric.group, metric.name
        if group == "rating" and name not in metrics[group]:
            continue  # interval coverage: calibrated systems only
        lines.append(
            f"  {metric.dotted:30} {fmt(metrics[group].get(name), registry.digits(group))}"
        )
    lines.append(
        f"wrote {out / 'metrics.json'}, {out / 'report.html'} "
        f"in {metrics['timing_s'].get('total', 0):.1f} s"
    )
    click.echo("\n".join(lines))


@click.command("calibrate", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("runs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--references",
    "-r",
    multiple=True,
    help="Human-review data with the train split, repeatable (default: neurips_2023_2025 "
    "under REVIEWER_DATA_DIR; add -r iclr_2017 for ICLR runs).",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the fitted file (default: evals/score-calibration.json in a checkout, "
    "which every run then uses; ./score-calibration.json for an installed package, used with "
    "--calibration FILE).",
)
@click.option(
    "--prior",
    is_flag=True,
    help="Add the abstract prior: a ridge on the TF-IDF of title and abstract, fitted on every "
    "rated train paper of the references (no model calls; about 15 s).",
)
@click.option(
    "--alpha",
    type=float,
    default=None,
    help="Ridge penalty on the score weights (venue-year levels are never shrunk). "
    "Default: the one of 0.1, 1, 10, 100, 1000, 10000 with the lowest 5-fold CV error.",
)
def calibrate_command(**opts: Any) -> None:
    """Fit score calibration on RUNS: our reviews of train-split papers (run folders).

    Maps raw scores (+ one level per venue-year, + optionally the abstract prior) to the
    mean human rating on the common 1-10 scale, and fits one accept threshold per venue-year
    to its train accept rate. Stores the 80% interval shown around a calibrated overall: the
    quantiles of the 5-fold cross-validated residuals (per venue-year with 30 or more
    papers). Refuses any paper outside the train split. Prints the cross-validated MAE and
    the within-venue Spearman (the ranking the venue levels cannot give).
    """
    from reviewer.calibration import DEFAULT_PATH, default_output
    from reviewer.errors import require_extra

    try:
        require_extra("reviewer calibrate")
        from reviewer.eval.calibrate import fit_run
        from reviewer.references import load_references

        refs = [r for src in opts["references"] or (None,) for r in load_references(src)]
        calibration = fit_run(opts["runs"], refs, use_prior=opts["prior"], alpha=opts["alpha"])
    except ReviewerError as exc:
        _echo(f"error: {exc}")
        sys.exit(EXIT_USAGE)
    out = opts["out"] or default_output()
    calibration.save(out)
    f = calibration.fitted
    _echo(
        f"fitted on {f['n']} train papers, alpha {f['alpha']:g}: "
        f"CV MAE {f['cv_mae']:.3f} (raw {f['raw_mae']:.3f})"
    )
    _echo(
        f"within-venue Spearman: CV {f['cv_spearman_within_venue']} "
        f"(raw {f['raw_spearman_within_venue']})"
    )
    iv = calibration.interval or {}
    if iv:
        _echo(
            f"{iv['level']:.0%} interval around a calibrated overall: {iv['low']:+.2f} .. "
            f"{iv['high']:+.2f} (quantiles of {iv['n']} CV residuals"
            + "".join(f"; {v} {b['low']:+.2f} .. {b['high']:+.2f}" for v, b in
                      iv.get("by_venue", {}).items())
            + ")"
        )  # fmt: skip
    if calibration.prior is not None:
        p = calibration.prior.fitted
        _echo(
            f"abstract prior: {p['n']} train papers, alpha {p['alpha']}, "
            f"CV within-venue Spearman {p['cv_spearman_within_venue']}"
        )
    _echo(f"wrote {out}")
    if Path(out).resolve() != DEFAULT_PATH.resolve():
        _echo(f"use it with --calibration {out}")
