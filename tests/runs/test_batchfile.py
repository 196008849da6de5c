"""OpenAI Batch files: export, import and the round trip, against the FAKE server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reviewer import Reviewer
from reviewer.cli.app import main
from tests.conftest import papers, write_jsonl
from tests.fake_openai import FakeOpenAI, Reply, placeholder_review

Lines = list[dict[str, Any]]


def read(path: Path) -> Lines:
    return [json.loads(x) for x in path.read_text().splitlines()]


def results_for(requests: Lines, bad: set[str] = frozenset()) -> str:
    """A Batch output file answering ``requests``; papers in ``bad`` get invalid JSON."""
    out = []
    for req in requests:
        paper_id = req["custom_id"].split("|", 3)[3]
        title = req["body"]["messages"][1]["content"].split("Title: ")[1].split("\n")[0]
        content = "not json" if paper_id in bad else json.dumps(placeholder_review(title))
        body = {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "fake-model",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {"prompt_tokens": 90, "completion_tokens": 40, "total_tokens": 130},
        }
        out.append(
            {
                "id": "r",
                "custom_id": req["custom_id"],
                "error": None,
                "response": {"status_code": 200, "request_id": "q", "body": body},
            }
        )
    return "".join(json.dumps(x) + "\n" for x in out)


def test_export_writes_what_a_live_run_would_send(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    counts = make_reviewer().export_requests(papers(3), tmp_path / "req.jsonl")
    assert counts == {"requests": 3, "already_reviewed": 0, "failed": 0}
    requests = read(tmp_path / "req.jsonl")
    assert {r["method"] for r in requests} == {"POST"}
    assert {r["url"] for r in requests} == {"/v1/chat/completions"}
    assert len({r["custom_id"] for r in requests}) == 3
    assert fake.count == 0
    make_reviewer(cache=False).batch(papers(3), tmp_path / "live")
    live = sorted(fake.requests, key=lambda b: b["messages"][1]["content"])
    exported = sorted((r["body"] for r in requests), key=lambda b: b["messages"][1]["content"])
    assert exported == live


def test_import_validates_caches_and_writes_follow_ups(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    make_reviewer().export_requests(papers(4), tmp_path / "req.jsonl")
    (tmp_path / "res.jsonl").write_text(results_for(read(tmp_path / "req.jsonl"), bad={"p2"}))
    out = tmp_path / "run"
    summary = make_reviewer().import_results(papers(4), tmp_path / "res.jsonl", out)
    assert (summary.reviewed, summary.failed, summary.followup_requests) == (3, 1, 1)
    assert {r["paper_id"] for r in read(out / "reviews.jsonl")} == {"p0", "p1", "p3"}
    (pending,) = read(out / "errors.jsonl")
    assert pending["paper_id"] == "p2" and pending["kind"] == "pending"
    (followup,) = read(out / "followup-requests.jsonl")
    assert followup["custom_id"].endswith("|p2")
    assert followup["body"]["messages"][-2]["content"] == "not json"  # the re-ask conversation
    assert fake.count == 0
    # The follow-up's result completes the paper; the rest come from the cache.
    (tmp_path / "res2.jsonl").write_text(results_for([followup]))
    again = make_reviewer().import_results(papers(4), tmp_path / "res2.jsonl", out)
    assert (again.reviewed, again.skipped, again.followup_requests) == (1, 3, 0)
    assert not (out / "errors.jsonl").exists()
    # A live run into a fresh directory is served entirely from what was imported.
    live = make_reviewer().batch(papers(4), tmp_path / "live")
    assert live.reviewed == 4 and fake.count == 0


def test_failed_batch_lines_are_retried_as_follow_ups(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    make_reviewer().export_requests(papers(2), tmp_path / "req.jsonl")
    requests = read(tmp_path / "req.jsonl")
    failed = {
        "id": "r",
        "custom_id": requests[0]["custom_id"],
        "response": None,
        "error": {"code": "server_error", "message": "boom"},
    }
    text = results_for(requests[1:]) + json.dumps(failed) + "\n"
    (tmp_path / "res.jsonl").write_text(text)
    summary = make_reviewer().import_results(papers(2), tmp_path / "res.jsonl", tmp_path / "run")
    assert (summary.reviewed, summary.followup_requests) == (1, 1)
    (error,) = read(tmp_path / "run" / "errors.jsonl")
    assert "boom" in error["reason"]


def test_round_trip_through_the_batch_api(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(Reply(content="garbage"))  # one paper needs a re-ask: a second batch
    statuses: list[str] = []
    summary = make_reviewer().batch_via_openai(
        papers(5), tmp_path / "run", poll_seconds=0, status=statuses.append
    )
    assert summary.reviewed == 5 and summary.ok
    assert len(fake.batches.state) == 2
    assert any("in_progress" in s for s in statuses)
    assert len(read(tmp_path / "run" / "reviews.jsonl")) == 5


def test_cli_export_then_import(tmp_path: Path, fake: FakeOpenAI, monkeypatch) -> None:
    monkeypatch.setenv("REVIEWER_MODEL", "fake-model")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    inp = write_jsonl(tmp_path / "in.jsonl", papers(3))
    runner = CliRunner()
    result = runner.invoke(main, ["batch", str(inp), "--export-requests", str(tmp_path / "r")])
    assert result.exit_code == 0 and "wrote 3 requests" in result.output
    (tmp_path / "res").write_text(results_for(read(tmp_path / "r")))
    args = [
        "batch",
        str(inp),
        "--import-results",
        str(tmp_path / "res"),
        "--out",
        str(tmp_path / "run"),
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert len(read(tmp_path / "run" / "reviews.jsonl")) == 3


@pytest.mark.parametrize("content", ["{}", "not a batch file"])
def test_bad_results_file_is_a_config_error(
    tmp_path: Path, content: str, make_reviewer: Callable[..., Reviewer]
) -> None:
    (tmp_path / "res.jsonl").write_text(content + "\n")
    from reviewer import ConfigError

    with pytest.raises(ConfigError, match="not an OpenAI Batch result line"):
        make_reviewer().import_results(papers(1), tmp_path / "res.jsonl", tmp_path / "run")


class OneShot:
    """A stand-in exemplar source: one fixed human review before every paper."""

    k = 1

    def for_paper(self, paper: Any) -> list[Any]:
        from reviewer.generation.exemplars import Exemplar

        return [Exemplar("t1", "A train paper", 5.0, "EXEMPLAR REVIEW TEXT about pooling.")]


class FlagPlaceholders:
    """A stand-in generic rule: every placeholder comment of the fake endpoint is generic."""

    def flags(self, comments: Any) -> list[bool]:
        return ["placeholder" in c for c in comments]


def test_export_honours_exemplars(tmp_path: Path, make_reviewer: Callable[..., Reviewer]) -> None:
    make_reviewer(exemplars=OneShot()).export_requests(papers(2), tmp_path / "req.jsonl")
    for request in read(tmp_path / "req.jsonl"):
        user = request["body"]["messages"][1]["content"]
        assert "EXEMPLAR REVIEW TEXT" in user and user.index("EXEMPLAR") < user.index("<paper>")


def test_import_honours_the_generic_check(
    tmp_path: Path, make_reviewer: Callable[..., Reviewer]
) -> None:
    make_reviewer().export_requests(papers(2), tmp_path / "req.jsonl")
    (tmp_path / "res.jsonl").write_text(results_for(read(tmp_path / "req.jsonl")))
    summary = make_reviewer(check_generic=FlagPlaceholders()).import_results(
        papers(2), tmp_path / "res.jsonl", tmp_path / "run"
    )
    assert summary.reviewed == 0 and summary.followup_requests == 2  # re-asked, as live


def test_import_honours_no_quote_check(
    tmp_path: Path, make_reviewer: Callable[..., Reviewer]
) -> None:
    make_reviewer().export_requests(papers(1), tmp_path / "req.jsonl")
    requests = read(tmp_path / "req.jsonl")
    quoting = placeholder_review("Paper number 0") | {"weaknesses": ['Says "trained on Mars".']}
    lines = json.loads(results_for(requests))
    lines["response"]["body"]["choices"][0]["message"]["content"] = json.dumps(quoting)
    (tmp_path / "res.jsonl").write_text(json.dumps(lines) + "\n")
    summary = make_reviewer(check_quotes=False).import_results(
        papers(1), tmp_path / "res.jsonl", tmp_path / "run"
    )
    assert summary.reviewed == 1 and summary.followup_requests == 0


def test_import_applies_the_calibration(
    tmp_path: Path, make_reviewer: Callable[..., Reviewer]
) -> None:
    from reviewer.calibration import POOLED, Calibration

    cal = Calibration(["overall"], [0.0], {POOLED: 4.5}, {POOLED: 6.0})
    cal.save(tmp_path / "cal.json")
    make_reviewer().export_requests(papers(2), tmp_path / "req.jsonl")
    (tmp_path / "res.jsonl").write_text(results_for(read(tmp_path / "req.jsonl")))
    make_reviewer(calibration=str(tmp_path / "cal.json")).import_results(
        papers(2), tmp_path / "res.jsonl", tmp_path / "run"
    )
    records = read(tmp_path / "run" / "reviews.jsonl")
    assert len(records) == 2
    for record in records:
        assert record["calibrated"] == {"overall": 4.5, "decision": "reject", "venue": POOLED}


def test_batch_api_has_one_retry_layer(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """A failing upload is tried max_retries + 1 times in all: the SDK adds none of its own."""
    from reviewer import EndpointError

    fake.batches.upload_failures = 100
    with pytest.raises(EndpointError, match="HTTP 500|500"):
        make_reviewer(max_retries=2).batch_via_openai(papers(1), tmp_path / "run", poll_seconds=0)
    assert fake.batches.upload_attempts == 3


def test_batch_api_retries_a_transient_upload_failure(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.batches.upload_failures = 1
    summary = make_reviewer(max_retries=2).batch_via_openai(
        papers(2), tmp_path / "run", poll_seconds=0
    )
    assert summary.reviewed == 2 and fake.batches.upload_attempts == 2


@pytest.mark.parametrize("flag", [["--rpm", "10"], ["--tpm", "1000"]])
def test_live_only_options_are_refused_with_batch_files(
    tmp_path: Path, fake: FakeOpenAI, monkeypatch, flag: list[str]
) -> None:
    monkeypatch.setenv("REVIEWER_MODEL", "fake-model")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    inp = write_jsonl(tmp_path / "in.jsonl", papers(1))
    args = ["batch", str(inp), "--export-requests", str(tmp_path / "r"), *flag]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and flag[0] in result.output
    assert not (tmp_path / "r").exists()


def test_export_refuses_a_prompt_too_large_for_the_configured_context(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    from reviewer.config import Settings

    settings = Settings(base_url=fake.base_url, api_key="k", model="m", context_window=600)
    counts = Reviewer(settings=settings).export_requests(papers(1), tmp_path / "req.jsonl")
    assert counts == {"requests": 0, "already_reviewed": 0, "failed": 1}  # as live: refused


def test_exported_requests_ask_for_full_depth_even_without_an_endpoint_configured(
    tmp_path: Path,
) -> None:
    """Batch files go to a hosted endpoint, never the embedded model: the full profile."""
    Reviewer(model="gpt-4o-mini").export_requests(papers(1), tmp_path / "req.jsonl")
    Reviewer(model="gpt-4o-mini", profile="compact").export_requests(papers(1), tmp_path / "c")
    full, compact = read(tmp_path / "req.jsonl")[0], read(tmp_path / "c")[0]
    assert "60-150 words" in full["body"]["messages"][0]["content"]
    assert "at most 30 words" in compact["body"]["messages"][0]["content"]
