"""``reviewer serve``: keep the embedded model running for other commands to reuse."""

from __future__ import annotations

import sys

import click

from reviewer.cli.options import say, user_errors
from reviewer.generation.backend import EMBEDDED_CONTEXT, EMBEDDED_MAX_CONTEXT
from reviewer.local.server import DEFAULT_PARALLEL


@click.command("serve")
@click.option("--local-model", help="1.5b (default), 0.5b, or a path to a GGUF file.")
@click.option("--port", type=click.IntRange(1, 65535), help="Port on 127.0.0.1 (default: free).")
@click.option(
    "--n-ctx",
    type=click.IntRange(512, EMBEDDED_MAX_CONTEXT),
    default=EMBEDDED_CONTEXT,
    show_default=True,
    help="Tokens per slot. The compact profiles need 4096, --profile full 16384; a command "
    "that needs more than the server has starts a server of its own.",
)
@click.option(
    "--parallel",
    type=click.IntRange(1, 16),
    help=f"Reviews generated at once (default {DEFAULT_PARALLEL}). Commands sharing the "
    "server share its slots.",
)
def serve_command(
    local_model: str | None, port: int | None, n_ctx: int, parallel: int | None
) -> None:
    """Keep the embedded model running so later commands reuse it (Ctrl-C stops it).

    While it runs, `reviewer review` and `reviewer batch` without an endpoint use this
    server instead of loading the model themselves; requests from all of them wait on the
    client side for one of its slots.
    """
    with user_errors():
        from reviewer.local import reuse

        def ready(info: reuse.ServerInfo) -> None:
            say(
                f"serving {info.model} at {info.base_url} ({info.runtime}, {info.slots} "
                f"slot{'s' if info.slots > 1 else ''} of {info.n_ctx} tokens, pid {info.pid}); "
                "Ctrl-C stops"
            )

        code = reuse.serve(local_model, port=port, n_ctx=n_ctx, parallel=parallel, on_ready=ready)
        sys.exit(code)
