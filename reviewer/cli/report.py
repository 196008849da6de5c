"""``reviewer report DIR``: (re)write a run's browsable ``index.html``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reviewer.config import Price, load_settings
from reviewer.errors import ReviewerError
from reviewer.reports.run import write_run_report
from reviewer.runs.store import MANIFEST


def _price(run_dir: Path) -> Price | None:
    """The configured price of the run's model, so the page can show per-paper costs."""
    try:
        manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    model = manifest.get("model") if isinstance(manifest, dict) else None
    return load_settings().price_for(model) if isinstance(model, str) else None


class ReportError(click.ClickException):
    """One line and exit code 2, as for every usage or configuration error of the CLI."""

    exit_code = 2


@click.command("report")
@click.argument(
    "run_dir",
    metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
def report_command(run_dir: Path) -> None:
    """Write DIR/index.html: a self-contained page to browse the run (works offline)."""
    try:
        path = write_run_report(run_dir, price=_price(run_dir))
    except ReviewerError as exc:
        raise ReportError(str(exc)) from None
    click.echo(str(path))
