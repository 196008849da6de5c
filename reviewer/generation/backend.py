"""Which endpoint a run talks to: a configured one always wins, else the embedded model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from reviewer.config import Settings
from reviewer.errors import ConfigError
from reviewer.redact import redact_url

OPENAI_URL = "https://api.openai.com/v1"
EMBEDDED_CONTEXT = 4096  # a slot for the compact profiles' largest prompt and reply
EMBEDDED_MAX_CONTEXT = 32768  # what the packaged Qwen2.5 models were trained for


def embedded_context(default_context_window: int | None) -> int:
    """Tokens a slot of the embedded server gets for a form profile: 4096 for the compact
    profiles, the window a deeper profile assumes (``full``: 16384), at most the model's own.
    A larger slot costs memory up front (about 28 KB a token for the 1.5B), so it is not
    given to profiles that cannot use it."""
    wanted = max(EMBEDDED_CONTEXT, default_context_window or 0)
    return min(EMBEDDED_MAX_CONTEXT, wanted)


EMBEDDED_GROUNDING_REASKS = 0
"""The embedded 1.5B's findings (invented numbers and names, non-comments) are dropped or cut
out at once, not sent back: replayed from the cache of a batch (``benchmarks/reask_replay.py``;
benchmarks/RESULTS.md, "Grounding re-asks"), re-asks cost more generations and the warmer
re-asked replies invented more, not less."""


def embedded_cache_id(model: str, runtime: str) -> str:
    """What cache keys name for the embedded model: its model, server program (with version)
    and repetition penalty, never the port, which changes with every start."""
    from reviewer.local.dry import DRY  # dataclass only: imports nothing of llama.cpp

    return f"embedded:{model}:{runtime}:{DRY.fingerprint()}"


@dataclass(frozen=True)
class Endpoint:
    """Where completions go; ``label`` is the one line users see at start."""

    base_url: str
    api_key: str | None
    model: str
    structured: str
    label: str
    embedded: bool = False
    context_window: int | None = None
    slots: int | None = None  # requests the server generates at once, when known
    # Re-asks spent on grounding findings (None: as many as --max-reasks); the embedded model's
    # is EMBEDDED_GROUNDING_REASKS.
    grounding_reasks: int | None = None
    # What the cache keys name instead of the URL: the embedded server's port changes with
    # every start, its model and server program do not.
    cache_id: str | None = None
    # Fields every request carries beyond the OpenAI ones (the embedded repetition penalty).
    extra_body: dict[str, Any] | None = None


def choose_profile(settings: Settings) -> tuple[str, bool]:
    """The form profile and whether it was asked for: ``--profile`` or the config file, else
    ``full`` for a configured endpoint and ``compact`` for the embedded model."""
    if settings.profile:
        return settings.profile, True
    return ("full" if settings.uses_endpoint else "compact"), False


@contextmanager
def open_endpoint(
    settings: Settings, local_model: str | None = None, *, n_ctx: int = EMBEDDED_CONTEXT
) -> Iterator[Endpoint]:
    """Yield the endpoint for ``settings``, serving the embedded model while it is in use
    (``n_ctx`` tokens a slot: ``embedded_context`` of the form's profile)."""
    if settings.uses_endpoint:
        base_url = settings.base_url or OPENAI_URL
        if not settings.model:
            raise ConfigError("no model configured: pass --model or set REVIEWER_MODEL")
        label = f"endpoint {redact_url(base_url)} · model {settings.model}"
        yield Endpoint(
            base_url,
            settings.api_key,
            settings.model,
            settings.structured,
            label,
            context_window=settings.context_window,
            slots=settings.slots,
        )
        return
    # imported only when the embedded model is really used
    from reviewer.local.dry import DRY
    from reviewer.local.reuse import embedded_endpoint

    structured = "json_object" if settings.structured == "auto" else settings.structured
    with embedded_endpoint(local_model, n_ctx=n_ctx) as served:
        slots = f"{served.slots} slot{'s' if served.slots > 1 else ''}"
        label = (
            f"embedded model {served.model} · {served.runtime}, {slots} of {served.n_ctx} "
            f"tokens · {served.base_url} (no endpoint configured)"
        )
        if served.note:
            label += f"; {served.note}"
        yield Endpoint(
            served.base_url,
            "local",
            served.model,
            structured,
            label,
            embedded=True,
            context_window=served.n_ctx,
            slots=served.slots,
            cache_id=embedded_cache_id(served.cache_name or served.model, served.runtime),
            grounding_reasks=EMBEDDED_GROUNDING_REASKS,
            extra_body=DRY.request_fields(),
        )
