"""The run store: one Markdown file per paper id, whatever the id; old runs still read."""

import json
from collections.abc import Callable
from pathlib import Path

from reviewer import Reviewer
from reviewer.runs.store import review_filename, safe_filename
from reviewer.runs.view import load_run
from tests.fake_openai import FakeOpenAI

IDS = ["a/b", "a:b", "日本語", "Paper", "paper"]


def test_ids_that_slug_alike_or_differ_in_case_get_their_own_markdown_files(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    out = tmp_path / "run"
    items = [{"id": i, "title": f"Title of {i}", "abstract": "An abstract."} for i in IDS]
    summary = make_reviewer().batch(items, out, concurrency=2)
    assert summary.reviewed == 5
    files = sorted((out / "reviews").iterdir())
    assert len(files) == 5
    assert len({f.name.lower() for f in files}) == 5  # distinct on a case-insensitive disk too
    records = [json.loads(x) for x in (out / "reviews.jsonl").read_text().splitlines()]
    for record in records:  # each record names its own file, and that file is its paper's
        text = (out / record["markdown"]).read_text(encoding="utf-8")
        assert f"Title of {record['paper_id']}" in text
    assert {r.paper_id: r.title for r in load_run(out).rows} == {i: f"Title of {i}" for i in IDS}


def test_file_names_are_stable_readable_and_plain_ids_keep_their_name() -> None:
    assert review_filename("paper") == "paper.md"
    assert review_filename("2205.01068") == "2205.01068.md"
    assert review_filename("a/b") == review_filename("a/b")  # a rerun finds the same file
    assert review_filename("a/b").startswith("a_b") and review_filename("a/b") != "a_b.md"
    assert review_filename("Paper").lower() != review_filename("paper").lower()
    assert review_filename("日本語").endswith(".md") and "/" not in review_filename("日本語")
    assert review_filename("../x").startswith("x") and ".." not in review_filename("../x")


def test_an_old_run_without_file_names_in_its_records_still_finds_its_markdown(
    tmp_path: Path,
) -> None:
    """Runs written before records named their file: the old name is looked up."""
    out = tmp_path / "old"
    (out / "reviews").mkdir(parents=True)
    record = {"paper_id": "a/b", "form": "sections", "review": {"overall": 6}}
    (out / "reviews.jsonl").write_text(json.dumps(record) + "\n")
    (out / "reviews" / f"{safe_filename('a/b')}.md").write_text("# The old title\n")
    assert load_run(out).rows[0].title == "The old title"
