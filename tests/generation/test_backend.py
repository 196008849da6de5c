"""Which profile a run uses: full for a configured endpoint, compact for the embedded model,
or what --profile / the config file say (requests checked on the FAKE server)."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer import Reviewer
from reviewer.config import Settings, load_settings
from reviewer.generation.backend import choose_profile
from reviewer.generation.forms import load_form
from tests.fake_openai import FakeOpenAI

PAPER = {"id": "p1", "title": "Deep Nets", "abstract": "We train deep nets on 3 datasets."}


def test_profile_follows_the_endpoint_kind_unless_chosen() -> None:
    assert choose_profile(Settings()) == ("compact", False)  # nothing configured: embedded
    assert choose_profile(Settings(base_url="http://x/v1")) == ("full", False)
    assert choose_profile(Settings(api_key="sk-x")) == ("full", False)
    assert choose_profile(Settings(base_url="http://x/v1", profile="compact")) == (
        "compact",
        True,
    )


def test_config_file_chooses_the_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('base_url = "http://x/v1"\nprofile = "compact"\n')
    monkeypatch.setenv("REVIEWER_CONFIG", str(config))
    assert choose_profile(load_settings()) == ("compact", True)
    assert choose_profile(load_settings(profile="full")) == ("full", True)  # the flag wins


def test_configured_endpoint_receives_the_full_depth_prompt(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer], tmp_path: Path
) -> None:
    reviewer = make_reviewer()
    reviewer.batch([PAPER], tmp_path / "run")
    request = fake.requests[0]
    system = request["messages"][0]["content"]
    assert "60-150 words" in system and "3-6 specific strengths" in system
    assert request["max_tokens"] == load_form("sections", "full").max_tokens
    strengths = request["response_format"]["json_schema"]["schema"]["properties"]["strengths"]
    assert strengths["maxItems"] == 6
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["form"]["profile"] == "full" and manifest["config"]["profile"] == "full"


def test_explicit_compact_profile_sends_the_embedded_models_prompt(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    make_reviewer(profile="compact").review(PAPER)
    make_reviewer(profile="full").review(PAPER)
    compact, full = fake.requests  # the second is not a cache hit: the profile is in the key
    assert "at most 30 words" in compact["messages"][0]["content"]
    assert compact["max_tokens"] == load_form("sections").max_tokens
    assert compact["messages"][0] != full["messages"][0]


def test_embedded_cache_keys_name_the_repetition_penalty(monkeypatch: pytest.MonkeyPatch) -> None:
    """A completion made under another DRY setting is another completion: it must not be
    served from the cache after the setting changes (the port never enters the key)."""
    from reviewer.generation.backend import embedded_cache_id
    from reviewer.local import dry

    before = embedded_cache_id("m", "llama-server")
    assert before == embedded_cache_id("m", "llama-server")
    monkeypatch.setattr(dry, "DRY", dry.DryPenalty(multiplier=0.8, allowed_length=3))
    assert embedded_cache_id("m", "llama-server") != before
    monkeypatch.setattr(dry, "DRY", dry.DryPenalty(breakers=("\n",)))
    assert embedded_cache_id("m", "llama-server") != before


@pytest.mark.parametrize("form", ["sections", "conference", "referee"])
def test_embedded_server_is_sized_for_the_profile_it_serves(
    form: str, fake: FakeOpenAI, fake_embedded: list[int]
) -> None:
    """``--profile full`` on the embedded model: its slot holds the full prompt and reply
    (4096 tokens did not: "prompt too large"), while compact keeps the small slot. The
    embedded server here is the FAKE one, so no model runs."""
    from reviewer.generation.backend import EMBEDDED_CONTEXT

    asked = fake_embedded
    with Reviewer(form=form, profile="full") as reviewer:
        outcome = reviewer.review_outcome(PAPER)
    assert outcome.review is not None, outcome.error
    full = load_form(form, "full")
    assert asked[-1] == full.default_context_window
    assert full.max_tokens + full.max_input_tokens < asked[-1]
    with Reviewer(form=form) as reviewer:
        assert reviewer.endpoint.context_window == EMBEDDED_CONTEXT == asked[-1]
