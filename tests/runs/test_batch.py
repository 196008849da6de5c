"""Batch runs against the FAKE server: one line per paper, resume, errors, manifest."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reviewer import EndpointError, Reviewer, read_papers
from reviewer.runs.store import iter_jsonl
from tests.conftest import papers, write_jsonl
from tests.fake_openai import FakeOpenAI, Reply


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_paper_gets_one_review_line_with_usage(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    out = tmp_path / "run"
    summary = make_reviewer().batch(papers(12), out, concurrency=4)
    assert summary.ok and summary.reviewed == 12
    records = lines(out / "reviews.jsonl")
    assert sorted(r["paper_id"] for r in records) == sorted(f"p{i}" for i in range(12))
    first = records[0]
    assert set(first) >= {
        "paper_id",
        "form",
        "model",
        "review",
        "usage",
        "latency_ms",
        "cached",
        "attempts",
    }
    assert first["usage"] == {"prompt_tokens": 100, "completion_tokens": 50}
    assert first["review"]["methodology"] and first["review"]["impact"]
    md = (out / "reviews" / f"{first['paper_id']}.md").read_text()
    assert "## Methodology" in md and "Paper number" in md
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "finished"
    assert manifest["counts"]["reviewed"] == 12
    assert manifest["tokens"] == {"prompt": 1200, "completion": 600}
    assert manifest["form"]["schema_hash"] and manifest["form"]["template_hash"]
    assert "api_key" not in json.dumps(manifest)


def test_rerun_resumes_and_new_dir_is_served_from_cache(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    make_reviewer().batch(papers(5), tmp_path / "a", limit=3)
    assert fake.count == 3
    summary = make_reviewer().batch(papers(5), tmp_path / "a")
    assert (summary.skipped, summary.reviewed) == (3, 2)
    assert fake.count == 5
    assert len(lines(tmp_path / "a" / "reviews.jsonl")) == 5
    fresh = make_reviewer().batch(papers(5), tmp_path / "b")
    assert fake.count == 5 and fresh.cached == 5 and fresh.requests == 0


def test_resuming_with_another_model_says_the_kept_reviews_were_made_another_way(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    out = tmp_path / "a"
    make_reviewer().batch(papers(4), out, limit=2)
    same = make_reviewer().batch(papers(4), out, limit=3)
    assert (same.skipped, same.reviewed) == (2, 1) and same.notes == []
    other = make_reviewer(model="other-model").batch(papers(4), out)
    assert (other.skipped, other.reviewed) == (3, 1)
    (note,) = other.notes
    assert note.startswith("3 reviews already in this directory were made another way")
    assert "model fake-model -> other-model" in note and "new --out" in note
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"] == "other-model" and manifest["notes"] == [note]
    prompts = make_reviewer(model="other-model", profile="compact").batch(papers(4), out)
    assert "prompts changed" in prompts.notes[0] and "profile full -> compact" in prompts.notes[0]


def test_failed_papers_go_to_errors_and_are_retried_on_rerun(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(*[Reply(content="garbage")] * 3)
    out = tmp_path / "run"
    summary = make_reviewer(max_reasks=2).batch(papers(3), out, concurrency=1)
    assert (summary.reviewed, summary.failed) == (2, 1)
    (error,) = lines(out / "errors.jsonl")
    assert error["paper_id"] == "p0" and error["kind"] == "invalid_review"
    assert "not valid JSON" in error["reason"] and error["raw_excerpt"] == "garbage"
    assert "p0" not in {r["paper_id"] for r in lines(out / "reviews.jsonl")}
    again = make_reviewer(max_reasks=3).batch(papers(3), out)
    assert (again.reviewed, again.skipped, again.failed) == (1, 2, 0)
    assert not (out / "errors.jsonl").exists()


def test_input_errors_are_recorded_with_file_and_line(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [*papers(2), {"id": "x", "title": "no abstract"}])
    summary = make_reviewer().batch(read_papers(path), tmp_path / "run")
    assert (summary.reviewed, summary.rejected, summary.ok) == (2, 1, False)
    (error,) = lines(tmp_path / "run" / "errors.jsonl")
    assert error["kind"] == "input" and error["line"] == 3 and error["source"] == str(path)


def test_endpoint_failure_for_one_paper_is_recorded(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(*[Reply(status=500)] * 2)
    summary = make_reviewer(max_retries=1).batch(papers(2), tmp_path / "run", concurrency=1)
    assert (summary.reviewed, summary.failed) == (1, 1)
    (error,) = lines(tmp_path / "run" / "errors.jsonl")
    assert error["kind"] == "endpoint" and "HTTP 500" in error["reason"]


def test_fatal_endpoint_error_stops_the_run(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(*[Reply(status=401)] * 50)
    with pytest.raises(EndpointError):
        make_reviewer().batch(papers(50), tmp_path / "run", concurrency=2)
    assert fake.count <= 4
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "aborted"


def test_torn_last_line_from_a_crash_is_cut(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    out = tmp_path / "run"
    make_reviewer().batch(papers(2), out)
    with (out / "reviews.jsonl").open("a") as fh:
        fh.write('{"paper_id": "p2", "review": {"summ')
    summary = make_reviewer().batch(papers(3), out)
    assert (summary.skipped, summary.reviewed) == (2, 1)
    records = lines(out / "reviews.jsonl")
    assert [r["paper_id"] for r in records].count("p2") == 1
    assert len(records) == len(list(iter_jsonl(out / "reviews.jsonl"))) == 3


def test_paper_ids_cannot_escape_the_markdown_folder(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    out = tmp_path / "run"
    make_reviewer().batch([{"id": "../../evil", "title": "T", "abstract": "A"}], out)
    names = [p.name for p in (out / "reviews").iterdir()]
    assert len(names) == 1 and names[0].startswith("evil~") and names[0].endswith(".md")
    assert not (tmp_path / "evil.md").exists() and not (out / "evil.md").exists()


def test_a_crash_mid_run_leaves_the_manifest_aborted_not_running(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """Any exception (here a broken progress callback), not only the tool's own errors."""

    def broken(paper_id: str, summary: object) -> None:
        raise RuntimeError("progress display broke")

    with pytest.raises(Exception) as info:
        make_reviewer().batch(papers(3), tmp_path / "run", concurrency=1, progress=broken)
    assert "progress display broke" in repr(info.value)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "aborted"


def test_inputs_read_slowly_do_not_stall_the_reviews_in_flight(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """Issue 33, finding 10: ids read over the network block while they are fetched (pauses,
    retries); reading them on the event loop held every review in flight until then."""
    import time

    times: dict[str, float] = {}

    def slow_inputs() -> Iterator[dict[str, str]]:
        yield {"id": "first", "title": "First paper", "abstract": "We study one thing."}
        time.sleep(1.5)  # a blocking fetch of the next id
        times["second read"] = time.monotonic()
        yield {"id": "second", "title": "Second paper", "abstract": "We study another."}

    def progress(paper_id: str, summary: object) -> None:
        times.setdefault(paper_id, time.monotonic())

    summary = make_reviewer().batch(slow_inputs(), tmp_path / "run", progress=progress)
    assert summary.reviewed == 2
    assert times["first"] < times["second read"]  # reviewed while the next input was read
