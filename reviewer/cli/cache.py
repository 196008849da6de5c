"""``reviewer cache``: inspect or empty the completion cache."""

from __future__ import annotations

import click


@click.group("cache")
def cache_group() -> None:
    """Inspect or empty the completion cache (REVIEWER_CACHE_DIR)."""


@cache_group.command("stats")
def stats_command() -> None:
    """Entries, size and location of the completion cache."""
    from reviewer.cache import CompletionCache

    stats = CompletionCache().stats()
    click.echo(f"{stats['directory']}: {stats['entries']} entries, {stats['bytes']:,} bytes")


@cache_group.command("clear")
@click.confirmation_option(prompt="Delete every cached completion?")
def clear_command() -> None:
    """Delete every cached completion (paid-for replies are lost)."""
    from reviewer.cache import CompletionCache

    click.echo(f"removed {CompletionCache().clear()} entries")
