"""``reviewer batch``: review every paper of INPUT into a run directory, in one of four modes.

The flags choose the mode in one place (``choose_mode``); each mode is one small class:

- ``Live`` (the default): send the requests now, ``--concurrency`` at a time, under a progress
  bar, within ``--rpm``/``--tpm``;
- ``ExportRequests`` (``--export-requests FILE``): write them as an OpenAI Batch file instead;
- ``ImportResults`` (``--import-results FILE``): read that batch's results into ``--out``;
- ``ViaOpenAIBatch`` (``--via openai-batch``): the whole round trip through the Batch API.

Every mode reads the same papers (``--limit``, ``--full-text``); every mode but the export
ends the same way: the run's report, a summary on stderr, the exit code.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import click
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from reviewer.api import Reviewer
from reviewer.cli.options import (
    EXIT_PARTIAL,
    concurrency_option,
    endpoint_options,
    err,
    form_option,
    generation_options,
    say,
    start_line,
    user_errors,
)
from reviewer.config import load_settings
from reviewer.errors import ConfigError, InputError
from reviewer.generation.backend import choose_profile
from reviewer.generation.forms import Form, load_form
from reviewer.inputs.paper import Paper
from reviewer.inputs.sources import read_inputs
from reviewer.reports.run import score_line, write_run_report
from reviewer.runs.batch import RunSummary
from reviewer.runs.store import RunStore
from reviewer.runs.view import load_run


class Mode(Protocol):
    """One way to turn the papers into reviews."""

    def run(self, items: Iterator[Any], opts: dict[str, Any]) -> RunSummary | None:
        """Review ``items`` (papers and rejected input lines) with the generation ``opts``;
        None when no run directory was written."""
        ...


@dataclass(frozen=True)
class Live:
    """Send the requests now and watch them under a progress bar."""

    out: Path
    concurrency: int
    rpm: float | None
    tpm: float | None
    total: int | None  # papers expected, for the progress bar (None: unknown)
    limit: int | None = None  # --limit, recorded in the run's manifest

    def run(self, items: Iterator[Any], opts: dict[str, Any]) -> RunSummary:
        with Reviewer.from_values(opts, rpm=self.rpm, tpm=self.tpm) as reviewer:
            say(start_line(reviewer))
            capped = reviewer.concurrency_for(self.concurrency)
            if capped < self.concurrency:
                err.print(
                    f"concurrency {self.concurrency} capped at {capped}: the server generates "
                    f"{capped} at a time, and more would only wait for a slot"
                )
            return _run_with_progress(reviewer, items, self.out, capped, self.total, self.limit)


@dataclass(frozen=True)
class ExportRequests:
    """Write the requests a live run would send next to an OpenAI Batch file; send none."""

    path: Path

    def run(self, items: Iterator[Any], opts: dict[str, Any]) -> None:
        counts = Reviewer.from_values(opts).export_requests(items, self.path)
        say(
            f"wrote {counts['requests']} requests to {self.path} "
            f"({counts['already_reviewed']} papers already have a valid cached review)"
        )


@dataclass(frozen=True)
class ImportResults:
    """Validate and cache an OpenAI Batch results file exactly as a live run would."""

    out: Path
    results: Path

    def run(self, items: Iterator[Any], opts: dict[str, Any]) -> RunSummary:
        with Reviewer.from_values(opts) as reviewer:
            return reviewer.import_results(items, self.results, self.out)


@dataclass(frozen=True)
class ViaOpenAIBatch:
    """Export, upload, wait for and import a batch through the OpenAI Batch API."""

    out: Path
    poll_seconds: float

    def run(self, items: Iterator[Any], opts: dict[str, Any]) -> RunSummary:
        with Reviewer.from_values(opts) as reviewer:
            return reviewer.batch_via_openai(
                items, self.out, poll_seconds=self.poll_seconds, status=say
            )


def choose_mode(
    *,
    input_path: Path,
    out: Path | None,
    limit: int | None,
    concurrency: int,
    rpm: float | None,
    tpm: float | None,
    export_requests: Path | None,
    import_results: Path | None,
    via: str,
    poll_seconds: float,
) -> Mode:
    """The one place the flags pick a mode: an export first, then an import, then the Batch
    API, else live. Flags that only make sense for another mode are refused here."""
    live = export_requests is None and import_results is None and via == "live"
    if not live and (rpm or tpm):
        raise ConfigError("--rpm and --tpm limit live requests; batch files send none")
    if export_requests is not None:
        return ExportRequests(export_requests)
    if out is None:
        raise ConfigError("--out is required (except with --export-requests)")
    if import_results is not None:
        return ImportResults(out, import_results)
    if via == "openai-batch":
        return ViaOpenAIBatch(out, poll_seconds)
    return Live(out, concurrency, rpm, tpm, total=_count_records(input_path, limit), limit=limit)


@click.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--out", "-o", type=click.Path(path_type=Path), help="Run directory; rerunning into it resumes."
)
@concurrency_option
@click.option("--limit", "-n", type=click.IntRange(1), help="Only the first N papers of INPUT.")
@click.option(
    "--rpm",
    type=click.FloatRange(min=0, min_open=True),
    help="Client-side limit: requests per minute.",
)
@click.option(
    "--tpm",
    type=click.FloatRange(min=0, min_open=True),
    help="Client-side limit: tokens per minute (prompt estimate + output cap).",
)
@click.option(
    "--export-requests",
    type=click.Path(path_type=Path),
    help="Write the requests to this OpenAI Batch JSONL file instead of sending them.",
)
@click.option(
    "--import-results",
    type=click.Path(path_type=Path),
    help="Read an OpenAI Batch results file (from --export-requests) into --out.",
)
@click.option(
    "--via",
    type=click.Choice(["live", "openai-batch"]),
    default="live",
    show_default=True,
    help="openai-batch: the whole round trip via the Batch API.",
)
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.0),
    default=30.0,
    show_default=True,
    help="How often --via openai-batch checks on the batch.",
)
@click.option(
    "--full-text",
    is_flag=True,
    help="PDF input: review the full text (cut to what the model's context allows, at most "
    "the profile's max_full_text_tokens), not only the abstract.",
)
@endpoint_options
@form_option
@generation_options
def batch_command(
    input_path: Path,
    out: Path | None,
    concurrency: int,
    limit: int | None,
    rpm: float | None,
    tpm: float | None,
    export_requests: Path | None,
    import_results: Path | None,
    via: str,
    poll_seconds: float,
    full_text: bool,
    **opts: Any,
) -> None:
    """Review every paper in INPUT into --out.

    INPUT is a .jsonl, .csv or .json file of papers; a .txt file of arXiv ids and OpenReview
    forum ids (one per line: 2205.01068, openreview:FORUM_ID, or their URLs); a .bib file; a
    PDF or a folder of PDFs.

    Writes reviews.jsonl (one line per review), errors.jsonl (papers that failed, with the
    reason), manifest.json and reviews/<paper_id>.md (each record's "markdown" names its
    file). Papers already reviewed in --out are skipped, so an interrupted run is resumed by
    running the same command again.

    For runs that outgrow one machine, --export-requests writes the requests in the OpenAI
    Batch format (also read by vLLM's run_batch); --import-results validates and caches the
    results exactly as a live run would, writing re-asks to a follow-up requests file;
    --via openai-batch does that whole round trip through the OpenAI Batch API.
    """
    with user_errors():
        mode = choose_mode(
            input_path=input_path,
            out=out,
            limit=limit,
            concurrency=concurrency,
            rpm=rpm,
            tpm=tpm,
            export_requests=export_requests,
            import_results=import_results,
            via=via,
            poll_seconds=poll_seconds,
        )
        items = _papers(input_path, opts, full_text=full_text, limit=limit)
        summary = mode.run(items, opts)
    if summary is None:  # requests exported: no run directory to report on
        return
    assert out is not None  # choose_mode requires --out of every mode that writes a run
    report = write_run_report(out, price=load_settings().price_for(_run_model(out)))
    _print_summary(summary, out)
    say(f"report: {report}")
    sys.exit(0 if summary.ok else EXIT_PARTIAL)


# --- the papers every mode reads ---------------------------------------------------------------


def _papers(
    input_path: Path, opts: dict[str, Any], *, full_text: bool, limit: int | None
) -> Iterator[Any]:
    """INPUT's papers and rejected lines (each said on stderr), the first ``limit`` papers."""
    budget = _form(opts).max_full_text_tokens
    papers = read_inputs(input_path, full_text=full_text, full_text_tokens=budget)
    items: Iterator[Any] = _announce_rejects(papers, input_path)
    return _first_papers(items, limit) if limit is not None else items


def _form(opts: dict[str, Any]) -> Form:
    """The form under the profile the run will use (known before the endpoint is opened)."""
    settings = load_settings(base_url=opts["base_url"], model=opts["model"],
                             profile=opts["profile"])  # fmt: skip
    name, explicit = choose_profile(settings)
    return load_form(opts["form"], name, explicit=explicit)


def _announce_rejects(items: Iterator[Paper | InputError], path: Path) -> Iterator[Any]:
    """Say each rejected input line on stderr as it passes (it also goes to errors.jsonl)."""
    first = next(items, None)
    if first is None:
        raise ConfigError(f"{path}: no papers in the file")
    return _say_rejects(itertools.chain([first], items))


def _say_rejects(items: Iterator[Paper | InputError]) -> Iterator[Any]:
    for item in items:
        if isinstance(item, InputError):
            err.print(f"[yellow]rejected:[/yellow] {escape(str(item))}", soft_wrap=True)
        yield item


def _first_papers(items: Iterator[Paper | InputError], limit: int) -> Iterator[Any]:
    """The first ``limit`` valid papers (and the input errors met on the way)."""
    seen = 0
    for item in items:
        if isinstance(item, Paper):
            if seen == limit:
                return
            seen += 1
        yield item


def _count_records(path: Path, limit: int | None) -> int | None:
    """Rough total for the progress bar (lines of a JSONL/CSV file), without parsing them."""
    try:
        with path.open("rb") as fh:
            lines = sum(1 for line in fh if line.strip())
    except OSError:
        return None
    lines -= path.suffix.lower() == ".csv"
    return min(lines, limit) if limit else lines


# --- a live run's progress and every run's summary ---------------------------------------------


def _run_with_progress(
    reviewer: Reviewer,
    items: Any,
    out: Path,
    concurrency: int,
    total: int | None,
    limit: int | None = None,
) -> RunSummary:
    """The batch under a progress bar: papers done, reviews per hour and an ETA from the rate
    of fresh reviews, which already reflects how many the server generates at once."""
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[eta]}"),
        TextColumn("{task.fields[tokens]}"),
    ]
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("reviewing", total=total, rate="", eta="", tokens="")
        started = time.monotonic()

        def tick(_paper_id: str, s: RunSummary) -> None:
            done = s.reviewed + s.failed + s.skipped + s.rejected
            fresh = s.reviewed + s.failed - s.cached
            hours = (time.monotonic() - started) / 3600
            per_hour = fresh / hours if fresh and hours > 0 else 0.0
            rate = f"{per_hour:,.0f} reviews/h" if per_hour else ""
            eta = ""
            if per_hour and total is not None:
                eta = f"eta {_clock(max(0, total - done) / per_hour * 3600)}"
            tokens = f"{s.prompt_tokens:,} in / {s.completion_tokens:,} out tok"
            bar.update(task, completed=done, rate=rate, eta=eta, tokens=tokens)

        # ``items`` already stop at ``limit`` valid papers; passing it records it in the manifest.
        summary = reviewer.batch(items, out, concurrency=concurrency, progress=tick, limit=limit)
        bar.update(
            task, completed=summary.reviewed + summary.failed + summary.skipped + summary.rejected
        )
    return summary


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _run_model(out: Path) -> str:
    manifest = RunStore(out).read_manifest() or {}
    return str(manifest.get("model", ""))


def _print_summary(s: RunSummary, out: Path) -> None:
    cost = f" · ${s.cost_usd:.4f}" if s.cost_usd is not None else ""
    err.print(
        f"reviewed {s.reviewed} · failed {s.failed} · rejected input lines {s.rejected} · "
        f"skipped (already done) {s.skipped} · cached {s.cached} · requests {s.requests} · "
        f"tokens {s.prompt_tokens:,} in / {s.completion_tokens:,} out{cost}"
    )
    if (out / "reviews.jsonl").exists():
        say(score_line(load_run(out)), soft_wrap=True)
    for note in s.notes:
        err.print(f"[yellow]note:[/yellow] {escape(note)}")
    if s.followup_requests:
        err.print(
            f"{s.followup_requests} follow-up requests (re-asks and missing results) written "
            f"for the next batch (see manifest.json)"
        )
    if not s.ok:
        err.print(f"[yellow]see {escape(str(out / 'errors.jsonl'))} for the reasons[/yellow]")
    say(f"outputs in {out}")
