"""``reviewer data``: fetch an OpenReview venue's reviews as a references set, list the sets,
and embed a set ahead of its evals."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from types import TracebackType

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from reviewer.cli.options import EXIT_USAGE, selection_options
from reviewer.errors import ReviewerError
from reviewer.references import reference_files, references_home, search_dirs


def _fail(exc: ReviewerError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(EXIT_USAGE)


@click.group("data", context_settings={"help_option_names": ["-h", "--help"]})
def data_command() -> None:
    """Reference data (human reviews) for `reviewer eval`, `--exemplars` and calibration."""


class EmbedBar:
    """A bar per embedding stage (titles and abstracts, comment units) with its rate and the
    time left; called as ``reviewer.eval.prepare.StageProgress``. Drawn on stderr."""

    def __init__(self, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("embedding {task.description:20}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
        )
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(stage, total=total, rate="")
        task = self._tasks[stage]
        speed = self._progress.tasks[task].speed
        rate = f"{speed:.0f} texts/s" if speed else ""
        self._progress.update(task, completed=done, total=total, rate=rate)

    def __enter__(self) -> EmbedBar:
        self._progress.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._progress.stop()


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
@click.option(
    "--embed",
    is_flag=True,
    help="Then embed the set's test split as `reviewer data embed` does (needs [eval]).",
)
def fetch_command(
    venue_id: str,
    name: str | None,
    out_dir: Path | None,
    api_url: str | None,
    delay: float,
    page_size: int | None,
    refresh: bool,
    embed: bool,
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
    if embed:
        _embed(str(result.folder), split="test", years=(), limit=None, neighbour=True)


@data_command.command("embed")
@click.argument("name")
@selection_options
@click.option(
    "--no-neighbour",
    is_flag=True,
    help="Leave out the train titles and abstracts only the MiniLM nearest-neighbour baseline "
    "(`--baseline nearest-neighbour`) compares.",
)
def embed_command(
    name: str, split: str, years: tuple[int, ...], limit: int | None, no_neighbour: bool
) -> None:
    """Embed what `reviewer eval -r NAME` needs, once, into the shared cache.

    NAME is a references set's name or path. Embeds the human comment units of the chosen
    papers, the generic rule's reference pool, the neighbour baselines' reviews and, unless
    --no-neighbour, the train titles and abstracts of the MiniLM nearest neighbour, with a
    bar and the time left. Texts already cached are skipped, so it resumes after an
    interruption. An eval of these papers then embeds only the reviews it scores; its
    figures are the same either way (a text's vector does not depend on the run).
    """
    _embed(name, split=split, years=years, limit=limit, neighbour=not no_neighbour)


def _embed(
    name: str, *, split: str, years: tuple[int, ...], limit: int | None, neighbour: bool
) -> None:
    from reviewer.errors import require_extra

    try:
        require_extra("reviewer data embed")
        from reviewer.eval.baselines import ALL_BASELINES
        from reviewer.eval.prepare import prepare

        baselines = [b for b in ALL_BASELINES if neighbour or b != "nearest-neighbour"]
        with EmbedBar() as bar:
            done = prepare(
                name,
                split=None if split == "all" else split,
                years=years,
                limit=limit,
                baselines=baselines,
                progress=bar,
                log=lambda message: click.echo(message, err=True),
            )
    except ReviewerError as exc:
        _fail(exc)
    what = f"{done.comment_texts:,} comment texts"
    if "nearest-neighbour" in baselines and "nearest-neighbour" not in done.skipped:
        what += " and the nearest neighbour's titles and abstracts"
    click.echo(
        f"{done.references.name} ({split}, {done.papers:,} papers): {what} are in the cache; "
        f"embedded now {done.embedded_units:,} comment texts and {done.embedded_abstracts:,} "
        f"titles and abstracts in {done.seconds:.0f} s (the rest were there already)"
    )


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
