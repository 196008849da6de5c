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
    timeout: float = 120.0
    max_retries: int = Field(default=4, ge=0)  # transport retries after the first attempt
    backoff_base: float = 1.0
    context_window: int | None = None  # tokens; when known, oversized prompts are refused
    profile: str | None = None  # the forms' depth profile; None: chosen by the endpoint kind
    prices: dict[str, Price] = Field(default_factory=dict)

    @property
    def uses_endpoint(self) -> bool:
        """True when the user configured a remote endpoint or key (so no embedded model)."""
        return bool(self.base_url or self.api_key)

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
