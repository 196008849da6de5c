"""The ``reviewer`` command line: batch, review, forms, cache, serve and eval.

Exit codes: 0 every paper has a review; 2 usage or configuration error (one line, no
traceback); 3 the run finished but some papers failed or some input lines were rejected.
"""

from __future__ import annotations

import itertools
import json
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from reviewer.api import Reviewer
from reviewer.backend import choose_profile
from reviewer.batch import RunSummary
from reviewer.cli_data import data_command
from reviewer.cli_report import report_command
from reviewer.config import load_settings
from reviewer.errors import ConfigError, InputError, ReviewerError, ReviewFailed
from reviewer.flaws.cli import flaws_group
from reviewer.forms import Form, list_forms, load_form
from reviewer.local.server import DEFAULT_PARALLEL
from reviewer.paper import Paper, read_papers
from reviewer.report import load_run, score_line, write_report
from reviewer.runstore import RunStore
from reviewer.sources import read_inputs

EXIT_USAGE = 2
EXIT_PARTIAL = 3
err = Console(stderr=True, highlight=False)
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the tool's own errors into one red line and exit code 2."""
    try:
        yield
    except ReviewerError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)  # "[eval]" is text
        sys.exit(EXIT_USAGE)


def endpoint_options(func: F) -> F:
    """Options shared by every command that talks to a model."""
    options = [
        click.option("--model", "-m", help="Model name (else REVIEWER_MODEL, else config)."),
        click.option("--base-url", help="OpenAI-compatible endpoint (else OPENAI_BASE_URL)."),
        click.option(
            "--local-model",
            help="Embedded model when no endpoint is configured: 1.5b (default), 0.5b, "
            "or a path to a GGUF file.",
        ),
        click.option(
            "--structured",
            type=click.Choice(["auto", "json_schema", "json_object", "prompt"]),
            help="How to ask for JSON: auto (default) tries json_schema and steps down.",
        ),
        click.option("--form", "-f", default="sections", show_default=True, help="Review form."),
        click.option(
            "--profile",
            help="The form's depth profile (see `reviewer forms`). Default: `profile` in the "
            "config file, else full for a configured endpoint, compact for the embedded model.",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
        click.option(
            "--max-reasks",
            type=click.IntRange(0, 10),
            default=2,
            show_default=True,
            help="Times an invalid reply is sent back to be fixed.",
        ),
        click.option(
            "--samples",
            type=click.IntRange(1, 20),
            default=1,
            show_default=True,
            help="Independent reviews per paper, merged by a meta-review.",
        ),
        click.option(
            "--reflect",
            type=click.IntRange(0, 5),
            default=0,
            show_default=True,
            help="Self-critique rounds after the (meta-)review.",
        ),
        click.option(
            "--quote-check/--no-quote-check",
            default=True,
            show_default=True,
            help="Re-ask (then drop) comments with quotes, numbers or names not in the paper, "
            "and comments that say nothing (no weaknesses, further research needed).",
        ),
        click.option(
            "--exemplars",
            type=click.IntRange(0, 5),
            default=0,
            show_default=True,
            help="Human reviews of the K most similar train-split papers shown before the paper "
            "(needs the [eval] extra and the reference data).",
        ),
        click.option(
            "--calibration",
            help="Score calibration file (see `reviewer calibrate`), or none. Default: "
            "evals/score-calibration.json when it exists; calibrated scores go beside the raw "
            "ones in each record.",
        ),
        click.option(
            "--generic-check",
            is_flag=True,
            help="Also re-ask comments the eval's generic rule flags (needs the [eval] extra "
            "and the reference data; loads an embedding model).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_reviewer(opts: dict[str, Any], **extra: Any) -> Reviewer:
    return Reviewer(
        **extra,
        model=opts["model"],
        base_url=opts["base_url"],
        form=opts["form"],
        profile=opts["profile"],
        cache=not opts["no_cache"],
        local_model=opts["local_model"],
        max_reasks=opts["max_reasks"],
        samples=opts["samples"],
        reflect=opts["reflect"],
        check_quotes=opts["quote_check"],
        check_generic=opts["generic_check"],
        calibration=opts["calibration"],
        exemplars=opts["exemplars"],
        structured=opts["structured"],
    )


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so the embedded server and open files are closed."""
    raise SystemExit(128 + signum)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reviewer")
def main() -> None:
    """Generate structured peer reviews of papers with any OpenAI-compatible model.

    With no endpoint configured (no --base-url, OPENAI_BASE_URL or OPENAI_API_KEY), the
    embedded local model is served on 127.0.0.1 for the duration of the command.
    """
    signal.signal(signal.SIGTERM, _exit_on_sigterm)


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--out", "-o", type=click.Path(path_type=Path), help="Run directory; rerunning into it resumes."
)
@click.option("--concurrency", "-c", type=click.IntRange(1, 1024), default=8, show_default=True)
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
def batch(
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
    reason), manifest.json and reviews/<paper_id>.md. Papers already reviewed in --out are
    skipped, so an interrupted run is resumed by running the same command again.

    For runs that outgrow one machine, --export-requests writes the requests in the OpenAI
    Batch format (also read by vLLM's run_batch); --import-results validates and caches the
    results exactly as a live run would, writing re-asks to a follow-up requests file.
    """
    with user_errors():
        files = export_requests is not None or import_results is not None or via != "live"
        if files and (rpm or tpm):
            raise ConfigError("--rpm and --tpm limit live requests; batch files send none")
        budget = _form(opts).max_full_text_tokens
        papers = read_inputs(input_path, full_text=full_text, full_text_tokens=budget)
        items: Iterator[Any] = _announce_rejects(papers, input_path)
        if limit is not None:
            items = _first_papers(items, limit)
        if export_requests is not None:
            counts = make_reviewer(opts).export_requests(items, export_requests)
            err.print(
                f"wrote {counts['requests']} requests to {export_requests} "
                f"({counts['already_reviewed']} papers already have a valid cached review)"
            )
            return
        if out is None:
            raise ConfigError("--out is required (except with --export-requests)")
        if import_results is not None or via == "openai-batch":
            summary = _batch_files_run(make_reviewer(opts), items, out, import_results,
                                       poll_seconds)  # fmt: skip
        else:
            total = _count_records(input_path, limit)
            with make_reviewer(opts, rpm=rpm, tpm=tpm) as reviewer:
                err.print(f"reviewer: {reviewer.endpoint.label} · {_form_label(reviewer)}")
                capped = reviewer.concurrency_for(concurrency)
                if capped < concurrency:
                    err.print(
                        f"concurrency {concurrency} capped at {capped}: the server generates "
                        f"{capped} at a time, and more would only wait for a slot"
                    )
                summary = _run_with_progress(reviewer, items, out, capped, total)
    report = write_report(out, price=load_settings().price_for(_run_model(out)))
    _print_summary(summary, out)
    err.print(f"report: {report}")
    sys.exit(0 if summary.ok else EXIT_PARTIAL)


def _form(opts: dict[str, Any]) -> Form:
    """The form under the profile the run will use (known before the endpoint is opened)."""
    settings = load_settings(base_url=opts["base_url"], model=opts["model"],
                             profile=opts["profile"])  # fmt: skip
    name, explicit = choose_profile(settings)
    return load_form(opts["form"], name, explicit=explicit)


def _form_label(reviewer: Reviewer) -> str:
    return f"form {reviewer.form.name} · profile {reviewer.form.profile}"


def _run_model(out: Path) -> str:
    manifest = RunStore(out).read_manifest() or {}
    return str(manifest.get("model", ""))


def _batch_files_run(
    reviewer: Reviewer, items: Any, out: Path, results: Path | None, poll_seconds: float
) -> RunSummary:
    with reviewer:
        if results is not None:
            return reviewer.import_results(items, results, out)
        return reviewer.batch_via_openai(items, out, poll_seconds=poll_seconds, status=err.print)


def _announce_rejects(items: Iterator[Paper | InputError], path: Path) -> Iterator[Any]:
    """Say each rejected input line on stderr as it passes (it also goes to errors.jsonl)."""
    first = next(items, None)
    if first is None:
        raise ConfigError(f"{path}: no papers in the file")
    return _say_rejects(itertools.chain([first], items))


def _say_rejects(items: Iterator[Paper | InputError]) -> Iterator[Any]:
    for item in items:
        if isinstance(item, InputError):
            err.print(f"[yellow]rejected:[/yellow] {item}", soft_wrap=True, markup=True)
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


def _run_with_progress(
    reviewer: Reviewer, items: Any, out: Path, concurrency: int, total: int | None
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

        summary = reviewer.batch(items, out, concurrency=concurrency, progress=tick)
        bar.update(
            task, completed=summary.reviewed + summary.failed + summary.skipped + summary.rejected
        )
    return summary


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _print_summary(s: RunSummary, out: Path) -> None:
    cost = f" · ${s.cost_usd:.4f}" if s.cost_usd is not None else ""
    err.print(
        f"reviewed {s.reviewed} · failed {s.failed} · rejected input lines {s.rejected} · "
        f"skipped (already done) {s.skipped} · cached {s.cached} · requests {s.requests} · "
        f"tokens {s.prompt_tokens:,} in / {s.completion_tokens:,} out{cost}"
    )
    if (out / "reviews.jsonl").exists():
        err.print(score_line(load_run(out)), soft_wrap=True)
    for note in s.notes:
        err.print(f"[yellow]note:[/yellow] {escape(note)}")
    if s.followup_requests:
        err.print(
            f"{s.followup_requests} follow-up requests (re-asks and missing results) written "
            f"for the next batch (see manifest.json)"
        )
    if not s.ok:
        err.print(f"[yellow]see {out / 'errors.jsonl'} for the reasons[/yellow]")
    err.print(f"outputs in {out}")


@main.command()
@click.argument("paper_file", required=False, type=click.Path(path_type=Path))
@click.option("--title", help="Paper title (instead of PAPER_FILE).")
@click.option("--abstract", help="Paper abstract (instead of PAPER_FILE).")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@endpoint_options
def review(
    paper_file: Path | None, title: str | None, abstract: str | None, fmt: str, **opts: Any
) -> None:
    """Review one paper: PAPER_FILE (a JSON object) or --title and --abstract.

    Markdown leads with the calibrated overall and decision (with its interval) when a score
    calibration applies, the model's raw scores beside them; JSON is one record shaped like a
    line of a batch's reviews.jsonl (calibrated scores under "calibrated", raw under "review").
    """
    with user_errors():
        paper = _single_paper(paper_file, title, abstract)
        with make_reviewer(opts) as reviewer:
            err.print(f"reviewer: {reviewer.endpoint.label} · {_form_label(reviewer)}")
            try:
                outcome = reviewer.review_outcome(paper)
            except ReviewFailed as exc:
                err.print(f"[red]error:[/red] {exc.reason}")
                if exc.raw_excerpt:
                    err.print(f"last reply began: {exc.raw_excerpt[:200]!r}")
                sys.exit(EXIT_PARTIAL)
            model = reviewer.endpoint.model  # read while open: a closed one would restart
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


@main.command()
def forms() -> None:
    """List the review forms, where they are defined, and their profiles' output limits."""
    with user_errors():
        for name, folder in list_forms().items():
            form = load_form(name)
            click.echo(f"{name}\t{form.description}\n\t({folder}, max {form.max_tokens} tokens)")
            for profile in form.profiles:
                limits = load_form(name, profile)
                click.echo(f"\tprofile {profile}: max {limits.max_tokens} output tokens, "
                           f"full text up to {limits.max_full_text_tokens} tokens")  # fmt: skip


@main.group()
def cache() -> None:
    """Inspect or empty the completion cache (REVIEWER_CACHE_DIR)."""


@cache.command("stats")
def cache_stats() -> None:
    """Entries, size and location of the completion cache."""
    from reviewer.cache import CompletionCache

    stats = CompletionCache().stats()
    click.echo(f"{stats['directory']}: {stats['entries']} entries, {stats['bytes']:,} bytes")


@cache.command("clear")
@click.confirmation_option(prompt="Delete every cached completion?")
def cache_clear() -> None:
    """Delete every cached completion (paid-for replies are lost)."""
    from reviewer.cache import CompletionCache

    click.echo(f"removed {CompletionCache().clear()} entries")


@main.command()
@click.option("--local-model", help="1.5b (default), 0.5b, or a path to a GGUF file.")
@click.option("--port", type=click.IntRange(1, 65535), help="Port on 127.0.0.1 (default: free).")
@click.option(
    "--n-ctx", type=click.IntRange(512), default=4096, show_default=True, help="Context per slot."
)
@click.option(
    "--parallel",
    type=click.IntRange(1, 16),
    help="Reviews generated at once (llama.cpp's server only; default "
    f"{DEFAULT_PARALLEL}). Commands sharing the server share its slots.",
)
def serve(local_model: str | None, port: int | None, n_ctx: int, parallel: int | None) -> None:
    """Keep the embedded model running so later commands reuse it (Ctrl-C stops it).

    While it runs, `reviewer review` and `reviewer batch` without an endpoint use this
    server instead of loading the model themselves; requests from all of them wait on the
    client side for one of its slots.
    """
    with user_errors():
        from reviewer.local import reuse

        def ready(info: reuse.ServerInfo) -> None:
            err.print(
                f"serving {info.model} at {info.base_url} ({info.runtime}, {info.slots} "
                f"slot{'s' if info.slots > 1 else ''}, pid {info.pid}); Ctrl-C stops"
            )

        code = reuse.serve(local_model, port=port, n_ctx=n_ctx, parallel=parallel, on_ready=ready)
        sys.exit(code)


main.add_command(report_command, "report")
main.add_command(data_command, "data")
main.add_command(flaws_group, "flaws")


def _register_optional() -> None:
    """Commands whose dependencies are optional extras register only when importable."""
    try:
        from reviewer.eval.cli import calibrate_command, eval_command
    except ImportError:
        return
    main.add_command(eval_command, "eval")
    main.add_command(calibrate_command, "calibrate")


_register_optional()
