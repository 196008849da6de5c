"""Options shared by the commands that generate reviews, declared once.

``endpoint_options`` (where completions go), ``form_option`` and ``concurrency_option`` are
used by ``reviewer batch``, ``reviewer review``, ``reviewer eval --generate`` and ``reviewer
flaws run`` alike, with one default each; ``generation_options`` (how a review is generated,
read from ``reviewer.generation.options.GenerationOptions``) by ``batch`` and ``review``;
``selection_options`` (which reference papers) by ``reviewer eval`` and ``reviewer data embed``.
``user_errors`` turns the tool's own errors into one line.

Exit codes: 0 every paper has a review; 2 usage or configuration error (one line, no
traceback); 3 the run finished but some papers failed or some input lines were rejected.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from reviewer.errors import ReviewerError
from reviewer.generation.options import cli_option, cli_options

if TYPE_CHECKING:
    from reviewer.api import Reviewer

EXIT_USAGE = 2
EXIT_PARTIAL = 3
# Lines mix our markup ("[red]error:[/red]") with text from users, papers, models and servers:
# that text goes through ``escape`` (or ``markup=False``), and ":name:" is never an emoji.
err = Console(stderr=True, highlight=False, emoji=False)
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the tool's own errors into one red line and exit code 2."""
    try:
        yield
    except ReviewerError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)  # "[eval]" is text
        sys.exit(EXIT_USAGE)


def _apply(func: F, options: list[Callable[[F], F]]) -> F:
    """Apply ``options`` so that ``--help`` lists them in the order given."""
    for option in reversed(options):
        func = option(func)
    return func


def endpoint_options(func: F) -> F:
    """Where completions go: a configured endpoint and model, else the embedded model."""
    return _apply(
        func,
        [
            click.option("--model", "-m", help="Model name (else REVIEWER_MODEL, else config)."),
            click.option("--base-url", help="OpenAI-compatible endpoint (else OPENAI_BASE_URL)."),
            click.option(
                "--local-model",
                help="Embedded model when no endpoint is configured: 1.5b (default), 0.5b, "
                "or a path to a GGUF file.",
            ),
        ],
    )


form_option = cli_option("form")


def selection_options(func: F) -> F:
    """--split, --year and --limit: which reference papers an eval scores (``reviewer eval``)
    or is prepared for (``reviewer data embed``)."""
    from reviewer.references import SPLITS

    return _apply(
        func,
        [
            click.option(
                "--split",
                type=click.Choice([*SPLITS, "all"]),
                default="test",
                show_default=True,
                help="Papers of this split (the data's splits.tsv): choose on dev, report test "
                "once.",
            ),
            click.option(
                "--year", "years", type=int, multiple=True, help="Only these years (repeatable)."
            ),
            click.option(
                "--limit",
                "-n",
                type=click.IntRange(1),
                help="Only the first N selected papers in sha256(paper_id) order (fixed before "
                "results).",
            ),
        ],
    )


concurrency_option = click.option(
    "--concurrency",
    "-c",
    type=click.IntRange(1, 1024),
    default=8,
    show_default=True,
    help="Papers reviewed at once (capped at the server's slots when they are known).",
)


def generation_options(func: F) -> F:
    """How a review is generated: every field of ``GenerationOptions`` but the form (which
    commands take with ``form_option``), as one flag each."""
    return _apply(func, cli_options(skip=("form",)))


def start_line(reviewer: Reviewer) -> str:
    """The line a generating command prints before it starts: the endpoint, form and profile."""
    form = reviewer.form
    return f"reviewer: {reviewer.endpoint.label} · form {form.name} · profile {form.profile}"


def say(text: object, *, soft_wrap: bool = False) -> None:
    """A line of stderr printed as written: paths, ids, titles and replies may hold ``[/]``."""
    err.print(str(text), markup=False, soft_wrap=soft_wrap)
