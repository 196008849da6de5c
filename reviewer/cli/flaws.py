"""``reviewer flaws``: plant flaws in papers, review the twins, score what the reviews caught.

Defines ``flaws_group`` only; the main CLI registers it. ``make`` needs nothing beyond the
base install; ``score`` and ``run`` need the ``[eval]`` extra (embeddings and the bootstrap).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reviewer.cli.options import (
    EXIT_PARTIAL,
    EXIT_USAGE,
    concurrency_option,
    endpoint_options,
    form_option,
)
from reviewer.errors import ConfigError, ReviewerError

F = TypeVar("F", bound=Callable[..., Any])


def _echo(message: str) -> None:
    click.echo(message, err=True)


def _guard(func: Callable[[], None]) -> None:
    """The tool's own errors become one line and exit code 2 (no traceback)."""
    try:
        func()
    except ReviewerError as exc:
        _echo(f"error: {exc}")
        sys.exit(EXIT_USAGE)
    except ImportError as exc:
        _echo(
            f"error: scoring needs {exc.name or 'a missing package'}: "
            'install the [eval] extra: pip install -e ".[eval]"'
        )
        sys.exit(EXIT_USAGE)


def _make_options(func: F) -> F:
    for option in reversed(
        [
            click.argument("papers", type=click.Path(path_type=Path)),
            click.option(
                "--out",
                "-o",
                required=True,
                type=click.Path(path_type=Path),
                help="Folder for papers.jsonl and key.jsonl (with `run`, also run/ and score/).",
            ),
            click.option(
                "--seed",
                type=int,
                default=0,
                show_default=True,
                help="Seed of every random choice (same seed, same twins).",
            ),
            click.option("--kinds", help="Comma-separated flaw kinds (default: all six)."),
            click.option(
                "--limit", "-n", type=click.IntRange(1), help="Only the first N papers of PAPERS."
            ),
        ]
    ):
        func = option(func)
    return func


def _score_options(func: F) -> F:
    for option in reversed(
        [
            click.option("--name", help="Name of the system in the report."),
            click.option(
                "--bootstrap",
                "n_resamples",
                type=click.IntRange(0),
                default=1000,
                show_default=True,
                help="Bootstrap resamples for the intervals (0: point values only).",
            ),
            click.option(
                "--bootstrap-seed",
                type=int,
                default=0,
                show_default=True,
                help="Seed of the resamples of source papers behind the 95% intervals.",
            ),
        ]
    ):
        func = option(func)
    return func


def _papers(path: Path, limit: int | None) -> list[Any]:
    from reviewer.errors import InputError
    from reviewer.inputs.sources import read_inputs

    papers = []
    for item in read_inputs(path):
        if isinstance(item, InputError):
            _echo(f"rejected: {item}")
            continue
        if limit is not None and len(papers) == limit:
            break
        papers.append(item)
    if not papers:
        raise ConfigError(f"{path}: no papers in the file")
    return papers


def _make(opts: dict[str, Any]) -> tuple[Path, Path]:
    from reviewer.flaws.make import make_twins, parse_kinds

    kinds = parse_kinds(opts["kinds"])
    papers = _papers(opts["papers"], opts["limit"])
    papers_path, key_path, n = make_twins(papers, opts["out"], seed=opts["seed"], kinds=kinds)
    _echo(
        f"{n} papers x (clean + {len(kinds)} flaws) = {n * (len(kinds) + 1)} twins: "
        f"{papers_path}, {key_path}"
    )
    return papers_path, key_path


def _make_only(opts: dict[str, Any]) -> None:
    _make(opts)


def _score(predictions: Path, key: Path, out: Path, opts: dict[str, Any]) -> None:
    from reviewer.eval.predictions import parse_mapping
    from reviewer.flaws.score import score_run

    mapping = parse_mapping(opts["maps"]) if opts.get("maps") else None
    metrics = score_run(
        predictions,
        key,
        out,
        mapping=mapping,
        name=opts["name"],
        n_resamples=opts["n_resamples"],
        seed=opts["bootstrap_seed"],
        log=_echo,
    )
    click.echo((out / "report.md").read_text(encoding="utf-8"))
    r, f = metrics["recall"], metrics["false_alarm_rate"]
    _echo(
        f"recall {r['value']} (n={r['n']}), false alarms {f['value']} (n={f['n']}); "
        f"wrote {out / 'metrics.json'}"
    )


@click.group("flaws", context_settings={"help_option_names": ["-h", "--help"]})
def flaws_group() -> None:
    """Planted flaws: does a review catch a concrete problem in a paper?

    `make` writes a clean twin and one flawed twin per flaw kind of every paper, with a key;
    `score` measures how many planted flaws the reviews of the twins point at (recall) and how
    often reviews of clean twins are matched to them anyway (false alarms); `run` does both
    with a review batch in between. The catalogue and the matcher are in evals/README.md.
    """


@flaws_group.command("make")
@_make_options
def make_command(**opts: Any) -> None:
    """Write OUT/papers.jsonl (twins, ready for `reviewer batch`) and OUT/key.jsonl.

    PAPERS is any input `reviewer batch` reads. Key lines: id, source, kind (clean or a flaw
    kind), planted (the inserted text), description (the problem in one sentence), and the
    anchors, variant and entities behind them.
    """
    _guard(lambda: _make_only(opts))


@flaws_group.command("score")
@click.option(
    "--predictions",
    "-p",
    required=True,
    type=click.Path(path_type=Path),
    help="Reviews of the twins: our run folder or reviews.jsonl, or another "
    "system's CSV/JSONL read through --map.",
)
@click.option(
    "--key",
    "-k",
    required=True,
    type=click.Path(path_type=Path),
    help="The key.jsonl written by `reviewer flaws make`.",
)
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for metrics.json, per_twin.jsonl and report.md.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="KEY=COLUMN",
    help="Column mapping for another system's file, as in `reviewer eval`: paper_id=, text= "
    "(repeatable; map the columns that criticise).",
)
@_score_options
def score_command(predictions: Path, key: Path, out: Path, **opts: Any) -> None:
    """Recall per flaw kind and overall, and false alarms on clean twins, with 95% intervals."""
    _guard(lambda: _score(predictions, key, out, opts))


@flaws_group.command("run")
@_make_options
@endpoint_options
@form_option
@concurrency_option
@_score_options
def run_command(**opts: Any) -> None:
    """make, review the twins into OUT/run, score into OUT/score, in one command.

    Rerunning resumes: twins already reviewed in OUT/run are skipped. Exit code 3 when some
    twins got no review (see OUT/run/errors.jsonl); the others are still scored.
    """
    _guard(lambda: _run(opts))


def _run(opts: dict[str, Any]) -> None:
    from reviewer.api import Reviewer
    from reviewer.inputs.paper import read_papers

    papers_path, key_path = _make(opts)
    out: Path = opts["out"]
    chosen = {k: opts[k] for k in ("model", "base_url", "local_model") if opts[k] is not None}
    with Reviewer(form=opts["form"], **chosen) as reviewer:
        _echo(f"reviewing the twins with {reviewer.endpoint.label} into {out / 'run'}")
        summary = reviewer.batch(
            read_papers(papers_path), out / "run", concurrency=opts["concurrency"]
        )
    _echo(f"reviewed {summary.reviewed}, failed {summary.failed}, skipped {summary.skipped}")
    _score(out / "run", key_path, out / "score", opts)
    if not summary.ok:
        _echo(f"some twins have no review: see {out / 'run' / 'errors.jsonl'}")
        sys.exit(EXIT_PARTIAL)
