"""``reviewer data``: fetch an OpenReview venue's reviews as a references set, list the sets."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click

from reviewer.cli.options import EXIT_USAGE
from reviewer.errors import ReviewerError
from reviewer.references import reference_files, references_home, search_dirs


def _fail(exc: ReviewerError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(EXIT_USAGE)


@click.group("data", context_settings={"help_option_names": ["-h", "--help"]})
def data_command() -> None:
    """Reference data (human reviews) for `reviewer eval`, `--exemplars` and calibration."""


@data_command.command("fetch")
@click.argument("venue_id")
@click.option("--name", help="Folder name of the set (default from VENUE_ID: iclr_2024).")
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path),
    help="Where sets are written (default: the user's data directory).",
)
@click.option("--api-url", help="OpenReview API v2 (default: REVIEWER_OPENREVIEW_API or api2).")
@click.option(
    "--delay",
    type=click.FloatRange(min=0.0),
    default=1.0,
    show_default=True,
    help="Seconds between requests (be polite: the API is shared).",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    help="Submissions per request (default 100; when resuming, the kept pages' size).",
)
@click.option("--refresh", is_flag=True, help="Fetch every page again instead of resuming.")
def fetch_command(
    venue_id: str,
    name: str | None,
    out_dir: Path | None,
    api_url: str | None,
    delay: float,
    page_size: int | None,
    refresh: bool,
) -> None:
    """Build a references set from an OpenReview venue, e.g. ICLR.cc/2024/Conference.

    Needs the [data] extra (openreview-py). Public reviews need no account; the client logs
    in when OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD are set. An interrupted fetch resumes
    from the pages already kept; `reviewer eval -r NAME` then finds the set.
    """
    from reviewer.references.openreview import fetch_venue, set_name

    try:
        folder = (out_dir or references_home()) / (name or set_name(venue_id))
        if refresh and (folder / "raw").is_dir():
            shutil.rmtree(folder / "raw")
        result = fetch_venue(
            venue_id,
            out_dir=out_dir,
            name=name,
            api_url=api_url,
            page_size=page_size,
            delay=delay,
            log=lambda message: click.echo(message, err=True),
        )
    except ReviewerError as exc:
        _fail(exc)
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(result.statuses.items()))
    click.echo(
        f"{result.folder.name}: {result.papers} papers ({statuses}), {result.reviews} reviews; "
        f"{result.requests} requests, {result.pages_reused} kept pages reused"
    )
    click.echo(f"wrote {result.folder}  (use: reviewer eval -r {result.folder.name})")


@data_command.command("list")
def list_command() -> None:
    """The references sets `reviewer eval -r NAME` finds, in lookup order."""
    found = 0
    for root in search_dirs():
        if not root.is_dir():
            continue
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            try:
                files = reference_files(folder)
            except ReviewerError:
                continue
            manifest = folder / "manifest.json"
            info = json.loads(manifest.read_text()) if manifest.is_file() else {}
            papers = f"{info['papers']} papers" if "papers" in info else f"{len(files)} file(s)"
            venue = f" · {info['venue_id']}" if "venue_id" in info else ""
            click.echo(f"{folder.name}\t{papers}{venue}\t{folder}")
            found += 1
    if not found:
        where = ", ".join(str(d) for d in search_dirs())
        click.echo(f"no references sets in {where}; fetch one: reviewer data fetch VENUE_ID")
