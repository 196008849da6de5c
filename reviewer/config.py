"""Where settings come from: command-line flags, then environment, then a config file.

Keeping the precedence in one place means every command resolves endpoint, key and model
the same way, and the API key is held only in memory (``Settings.api_key`` is excluded
from every dump so it cannot reach a manifest, cache or log by accident).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir, user_config_dir
from pydantic import BaseModel, Field

from reviewer.errors import ConfigError

DEFAULT_TIMEOUT = 120.0
# 900 output tokens at the slowest generation seen here (10 tokens/s) plus the prompt: ~2 min.
EMBEDDED_TIMEOUT = 600.0


def cache_root() -> Path:
    """The directory for caches and assembled model files (``REVIEWER_CACHE_DIR`` wins)."""
    env = os.environ.get("REVIEWER_CACHE_DIR")
    return Path(env).expanduser() if env else Path(user_cache_dir("reviewer"))


def config_path() -> Path:
    """The optional TOML config file (``REVIEWER_CONFIG`` wins)."""
    env = os.environ.get("REVIEWER_CONFIG")
    return Path(env).expanduser() if env else Path(user_config_dir("reviewer")) / "config.toml"


class Price(BaseModel):
    """US dollars per million tokens, for cost accounting."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class Settings(BaseModel):
    """Resolved endpoint settings. ``api_key`` never leaves memory."""

    base_url: str | None = None
    api_key: str | None = Field(default=None, exclude=True, repr=False)
    model: str | None = None
    structured: str = "auto"  # auto | json_schema | json_object | prompt
    timeout: float | None = Field(default=None, gt=0)  # seconds of service per request
    max_retries: int = Field(default=4, ge=0)  # transport retries after the first attempt
    backoff_base: float = 1.0
    context_window: int | None = None  # tokens; when known, oversized prompts are refused
    # Requests the server generates at once (llama.cpp's --parallel); when known, the rest wait
    # on the client side for a free slot instead of in the server's queue.
    slots: int | None = Field(default=None, ge=1)
    profile: str | None = None  # the forms' depth profile; None: chosen by the endpoint kind
    prices: dict[str, Price] = Field(default_factory=dict)

    @property
    def uses_endpoint(self) -> bool:
        """True when the user configured a remote endpoint or key (so no embedded model)."""
        return bool(self.base_url or self.api_key)

    def request_timeout(self, embedded: bool = False) -> float:
        """The configured timeout, else the default: generous for the embedded model, whose
        longest reply on a slow CPU takes minutes (nothing queues in front of it)."""
        if self.timeout is not None:
            return self.timeout
        return EMBEDDED_TIMEOUT if embedded else DEFAULT_TIMEOUT

    def price_for(self, model: str) -> Price | None:
        return self.prices.get(model)


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc


def load_settings(**flags: Any) -> Settings:
    """Resolve settings: non-None ``flags`` first, then environment, then the config file."""
    file = _read_file(config_path())
    unknown = sorted(set(file) - set(Settings.model_fields))
    if unknown:  # a typo ("timout") must not leave the setting silently at its default
        names = ", ".join(repr(k) for k in unknown)
        known = ", ".join(k for k in Settings.model_fields if k != "api_key")
        raise ConfigError(f"{config_path()}: unknown setting {names} (known: {known})")
    env = {
        "base_url": os.environ.get("OPENAI_BASE_URL"),
        "api_key": os.environ.get("OPENAI_API_KEY"),
        "model": os.environ.get("REVIEWER_MODEL"),
    }
    merged: dict[str, Any] = {k: v for k, v in file.items() if k != "prices"}
    merged.update({k: v for k, v in env.items() if v})
    merged.update({k: v for k, v in flags.items() if v is not None})
    merged["prices"] = file.get("prices", {})
    try:
        return Settings(**merged)
    except ValueError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc
