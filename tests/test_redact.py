"""Credentials out of URLs: where the URL points is kept, what opens it is not."""

import json
from pathlib import Path

import pytest

from reviewer.redact import redact, redact_text, redact_url
from reviewer.reports.run import write_run_report


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:secret@host.example/v1", "https://***@host.example/v1"),
        ("https://secret@host.example:8443/v1", "https://***@host.example:8443/v1"),
        ("https://host.example/v1?api_key=secret&region=eu", "https://host.example/v1?api_key=***&region=eu"),
        ("https://host.example/v1?access_token=secret", "https://host.example/v1?access_token=***"),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
    ],
)  # fmt: skip
def test_urls_lose_user_info_and_secret_query_values(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert redact_url(shown) == shown  # redacting twice changes nothing


def test_urls_inside_text_and_nested_values_are_redacted() -> None:
    line = "APIConnectionError: cannot reach https://u:secret@h/v1?key=secret2 (refused)"
    assert (
        redact_text(line) == "APIConnectionError: cannot reach https://***@h/v1?key=*** (refused)"
    )
    value = {"config": {"base_url": "http://u:secret@h/v1", "n": 3}, "notes": ["http://h?token=s"]}
    assert "secret" not in json.dumps(redact(value)) and redact(value)["config"]["n"] == 3
    assert redact("no url here: user:secret@") == "no url here: user:secret@"


def test_an_old_runs_manifest_with_credentials_is_shown_redacted(tmp_path: Path) -> None:
    """Runs written before manifests were redacted: their report does not repeat the URL."""
    run = tmp_path / "old"
    run.mkdir()
    manifest = {"status": "finished", "config": {"base_url": "https://u:secret@h/v1?api_key=s2"}}
    (run / "manifest.json").write_text(json.dumps(manifest))
    (run / "errors.jsonl").write_text(json.dumps({"reason": "at https://u:secret@h/v1"}) + "\n")
    html = write_run_report(run).read_text()
    assert "secret" not in html and "https://***@h/v1" in html
