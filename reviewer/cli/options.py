"""Options shared by the commands that generate reviews, declared once.

``endpoint_options`` (where completions go), ``form_option`` and ``concurrency_option`` are
used by ``reviewer batch``, ``reviewer review``, ``reviewer eval --generate`` and ``reviewer
flaws run`` alike, with one default each; ``generation_options`` (how a review is generated) by
``batch`` and ``review``; ``selection_options`` (which reference papers) by ``reviewer eval``
and ``reviewer data embed``. ``user_errors`` turns the tool's own errors into one line.

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


form_option = click.option(
    "--form", "-f", default="sections", show_default=True, help="Review form."
)


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
    """How a review is generated: JSON mode, depth, cache, re-asks, ensemble, checks."""
    return _apply(
        func,
        [
            click.option(
                "--structured",
                type=click.Choice(["auto", "json_schema", "json_object", "prompt"]),
                help="How to ask for JSON: auto (default) tries json_schema and steps down.",
            ),
            click.option(
                "--profile",
                help="The form's depth profile (see `reviewer forms`). Default: `profile` in "
                "the config file, else full for a configured endpoint, compact for the "
                "embedded model.",
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
                "--grounding-reasks",
                type=click.IntRange(0, 10),
                default=None,
                help="Times a valid review with invented numbers, names or quotes, or comments "
                "that say nothing, is sent back before they are dropped (default: --max-reasks; "
                "0 for the embedded model, whose re-asked replies invented more).",
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
                help="Re-ask (then drop) comments with quotes, numbers or names not in the "
                "paper, and comments that say nothing (no weaknesses, further research needed).",
            ),
            click.option(
                "--edits/--no-edits",
                default=True,
                show_default=True,
                help="Apply the checks' edits to the model's text (remove sentences and "
                "comments with names or numbers not in the paper, mend damaged words). "
                "--no-edits keeps the text as the model wrote it and lists what the checks "
                "found under 'Not verified'.",
            ),
            click.option(
                "--exemplars",
                type=click.IntRange(0, 5),
                default=0,
                show_default=True,
                help="Human reviews of the K most similar train-split papers shown before the "
                "paper (needs the [eval] extra and the reference data).",
            ),
            click.option(
                "--focus/--no-focus",
                default=False,
                show_default=True,
                help="Aim the weaknesses at the aspects human reviewers of papers like this one "
                "comment on more than usual, predicted from title and abstract by a model fitted "
                "on NeurIPS train reviews (evals/aspect-focus.json; needs the [eval] extra).",
            ),
            click.option(
                "--calibration",
                help="Score calibration file (see `reviewer calibrate`), or none. Default: "
                "evals/score-calibration.json when it exists; calibrated scores go beside the "
                "raw ones in each record.",
            ),
            click.option(
                "--generic-check",
                is_flag=True,
                help="Also re-ask comments the eval's generic rule flags (needs the [eval] extra "
                "and the reference data; loads an embedding model).",
            ),
        ],
    )


def make_reviewer(opts: dict[str, Any], **extra: Any) -> Reviewer:
    """The ``Reviewer`` the endpoint, form and generation options describe."""
    from reviewer.api import Reviewer

    return Reviewer(
        **extra,
        model=opts["model"],
        base_url=opts["base_url"],
        form=opts["form"],
        profile=opts["profile"],
        cache=not opts["no_cache"],
        local_model=opts["local_model"],
        max_reasks=opts["max_reasks"],
        grounding_reasks=opts["grounding_reasks"],
        samples=opts["samples"],
        reflect=opts["reflect"],
        check_quotes=opts["quote_check"],
        edit=opts["edits"],
        check_generic=opts["generic_check"],
        calibration=opts["calibration"],
        exemplars=opts["exemplars"],
        focus=opts["focus"],
        structured=opts["structured"],
    )


def form_label(reviewer: Reviewer) -> str:
    """The form part of the line a command prints before it starts."""
    return f"form {reviewer.form.name} · profile {reviewer.form.profile}"


def say(text: object, *, soft_wrap: bool = False) -> None:
    """A line of stderr printed as written: paths, ids, titles and replies may hold ``[/]``."""
    err.print(str(text), markup=False, soft_wrap=soft_wrap)
