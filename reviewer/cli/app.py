"""The ``reviewer`` group: every command registered in one place.

Commands whose dependencies are optional extras (``eval``, ``calibrate``) register only when
their module imports.
"""

from __future__ import annotations

import signal

import click

from reviewer.cli.batch import batch_command
from reviewer.cli.cache import cache_group
from reviewer.cli.data import data_command
from reviewer.cli.flaws import flaws_group
from reviewer.cli.forms import forms_command
from reviewer.cli.related import related_command
from reviewer.cli.report import report_command
from reviewer.cli.review import review_command
from reviewer.cli.serve import serve_command


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


main.add_command(batch_command, "batch")
main.add_command(review_command, "review")
main.add_command(forms_command, "forms")
main.add_command(cache_group, "cache")
main.add_command(serve_command, "serve")
main.add_command(report_command, "report")
main.add_command(data_command, "data")
main.add_command(related_command, "related")
main.add_command(flaws_group, "flaws")


def _register_optional() -> None:
    """Commands whose dependencies are optional extras register only when importable."""
    try:
        from reviewer.cli.eval import calibrate_command, eval_command
    except ImportError:
        return
    main.add_command(eval_command, "eval")
    main.add_command(calibrate_command, "calibrate")


_register_optional()
