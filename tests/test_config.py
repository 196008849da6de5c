"""Settings precedence: flags, then environment, then the config file."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer import ConfigError, Reviewer
from reviewer.config import load_settings
from tests.conftest import papers
from tests.fake_openai import FakeOpenAI


def test_flags_beat_env_beat_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.toml"
    config.write_text('model = "from-file"\nbase_url = "http://file/v1"\ntimeout = 5\n')
    monkeypatch.setenv("REVIEWER_CONFIG", str(config))
    assert load_settings().model == "from-file"
    monkeypatch.setenv("REVIEWER_MODEL", "from-env")
    settings = load_settings()
    assert (settings.model, settings.base_url, settings.timeout) == (
        "from-env",
        "http://file/v1",
        5,
    )
    assert load_settings(model="from-flag", timeout=None).model == "from-flag"


def test_key_is_never_dumped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    settings = load_settings()
    assert settings.api_key == "sk-secret"
    assert "sk-secret" not in settings.model_dump_json() and "sk-secret" not in repr(settings)


def test_broken_config_file_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text("model = \n")
    monkeypatch.setenv("REVIEWER_CONFIG", str(config))
    with pytest.raises(ConfigError, match="cannot read config"):
        load_settings()


def test_cost_from_configured_price(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAI
) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[prices.fake-model]\ninput = 2.0\noutput = 8.0\n")
    monkeypatch.setenv("REVIEWER_CONFIG", str(config))
    reviewer = Reviewer(model="fake-model", base_url=fake.base_url, api_key="k")
    summary = reviewer.batch(papers(3), tmp_path / "run")
    # 3 reviews x (100 prompt, 50 completion) tokens from the fake server
    assert summary.cost_usd == pytest.approx((300 * 2.0 + 150 * 8.0) / 1e6)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["cost_usd"] == summary.cost_usd


def test_endpoint_without_model_is_a_config_error(make_reviewer: Callable[..., Reviewer]) -> None:
    reviewer = make_reviewer(model=None)
    with pytest.raises(ConfigError, match="no model configured"):
        reviewer.review({"id": "a", "title": "T", "abstract": "A"})


def test_unknown_config_key_is_rejected_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text("timout = 3\n")
    monkeypatch.setenv("REVIEWER_CONFIG", str(config))
    with pytest.raises(ConfigError, match="timout"):
        load_settings()
