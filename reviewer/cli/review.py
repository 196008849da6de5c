"""``reviewer review``: review one paper and print it as markdown or as one JSON record."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from reviewer.api import Reviewer
from reviewer.cli.options import (
    EXIT_PARTIAL,
    endpoint_options,
    err,
    form_option,
    generation_options,
    say,
    start_line,
    user_errors,
)
from reviewer.errors import ConfigError, InputError, ReviewFailed
from reviewer.inputs.paper import Paper, read_papers


@click.command("review")
@click.argument("paper_file", required=False, type=click.Path(path_type=Path))
@click.option("--title", help="Paper title (instead of PAPER_FILE).")
@click.option("--abstract", help="Paper abstract (instead of PAPER_FILE).")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@endpoint_options
@form_option
@generation_options
def review_command(
    paper_file: Path | None, title: str | None, abstract: str | None, fmt: str, **opts: Any
) -> None:
    """Review one paper: PAPER_FILE (a JSON object) or --title and --abstract.

    Markdown leads with the calibrated overall and decision (with its interval) when a score
    calibration applies, the model's raw scores beside them; JSON is one record shaped like a
    line of a batch's reviews.jsonl (calibrated scores under "calibrated", raw under "review").
    """
    with user_errors():
        paper = _single_paper(paper_file, title, abstract)
        with Reviewer.from_values(opts) as reviewer:
            say(start_line(reviewer))
            try:
                outcome = reviewer.review_outcome(paper)
            except ReviewFailed as exc:
                err.print(f"[red]error:[/red] {escape(exc.reason)}")
                if exc.raw_excerpt:
                    say(f"last reply began: {exc.raw_excerpt[:200]!r}")
                sys.exit(EXIT_PARTIAL)
            model = reviewer.endpoint.model  # read while open: a closed one would restart
            for note in reviewer.notes:  # e.g. an online corpus that could not be reached
                err.print(f"[yellow]note:[/yellow] {escape(note)}")
    calibrated = outcome.review.calibrated
    record = {
        "paper_id": paper.id,
        "title": paper.title,
        "form": reviewer.form.name,
        "model": model,
        **({"calibrated": calibrated.to_record()} if calibrated else {}),
        "review": outcome.review.model_dump(mode="json"),
        "usage": {
            "prompt_tokens": outcome.prompt_tokens,
            "completion_tokens": outcome.completion_tokens,
        },
        "latency_ms": outcome.latency_ms,
        "attempts": outcome.attempts,
        "cached": outcome.cached,
        "flags": outcome.flags,
        "warnings": outcome.warnings,
        **({"related": outcome.related} if outcome.related is not None else {}),
    }
    if fmt == "json":
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        click.echo(reviewer.form.to_markdown(paper, outcome.review, record))


def _single_paper(path: Path | None, title: str | None, abstract: str | None) -> Paper:
    if path is None:
        if not (title and abstract):
            raise ConfigError("give PAPER_FILE, or both --title and --abstract")
        return Paper(id="paper", title=title, abstract=abstract)
    items = list(read_papers(path))
    if len(items) != 1:
        raise ConfigError(f"{path}: expected exactly one paper, found {len(items)}")
    if isinstance(items[0], InputError):
        raise items[0]
    return items[0]
