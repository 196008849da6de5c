"""Shared by the command-line tests: ``run`` invokes ``reviewer`` against the FAKE server."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.cli.app import main
from tests.fake_openai import FakeOpenAI

CANARY = "sk-canary-do-not-leak-0123456789"


@pytest.fixture
def run(fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text("backoff_base = 0.01\n")
    monkeypatch.setenv("REVIEWER_CONFIG", str(config))
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    monkeypatch.setenv("REVIEWER_MODEL", "fake-model")

    def invoke(*args: str):
        return CliRunner().invoke(main, [str(a) for a in args])

    return invoke
