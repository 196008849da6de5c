"""``reviewer forms``: the review forms, where they are defined, and their profiles' limits."""

from __future__ import annotations

import click

from reviewer.cli.options import user_errors
from reviewer.generation.forms import list_forms, load_form


@click.command("forms")
def forms_command() -> None:
    """List the review forms, where they are defined, and their profiles' output limits."""
    with user_errors():
        for name, folder in list_forms().items():
            form = load_form(name)
            click.echo(f"{name}\t{form.description}\n\t({folder}, max {form.max_tokens} tokens)")
            for profile in form.profiles:
                limits = load_form(name, profile)
                click.echo(f"\tprofile {profile}: max {limits.max_tokens} output tokens, "
                           f"full text up to {limits.max_full_text_tokens} tokens")  # fmt: skip
