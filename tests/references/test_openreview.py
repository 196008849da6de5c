"""`reviewer data fetch` against the FAKE OpenReview API v2 on loopback (no network)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reviewer.errors import ConfigError, EndpointError
from reviewer.references import load_references, resolve_references
from reviewer.references.openreview import fetch_venue, number, set_name
from tests.fake_openreview import DESK_REJECTED, UNDECIDED, VENUE, WITHDRAWN, FakeOpenReview

pytest.importorskip("openreview", reason="needs the [data] extra (openreview-py)")


@pytest.fixture
def api() -> Iterator[FakeOpenReview]:
    with FakeOpenReview(papers=25) as server:
        yield server


def records(folder: Path) -> dict[str, dict[str, Any]]:
    with gzip.open(folder / f"{folder.name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        return {r["paper_id"]: r for r in map(json.loads, fh)}


def fetch(api: FakeOpenReview, out: Path, **kwargs: Any):
    return fetch_venue(VENUE, out_dir=out, api_url=api.url, page_size=10, delay=0, **kwargs)


def test_a_venue_becomes_a_references_set(api: FakeOpenReview, tmp_path: Path) -> None:
    result = fetch(api, tmp_path)
    assert result.folder == tmp_path / "iclr_2024"
    assert (result.papers, result.requests) == (25, 3)  # pages of 10: 10, 10, 5
    data = records(result.folder)
    assert len(data) == 25
    withdrawn, desk = data[f"forum{WITHDRAWN:03d}"], data[f"forum{DESK_REJECTED:03d}"]
    assert (withdrawn["status"], withdrawn["decision"], withdrawn["accepted"]) == (
        "withdrawn", "Withdrawn", False,
    )  # fmt: skip
    assert (desk["status"], desk["reviews"]) == ("desk_rejected", [])
    assert data[f"forum{UNDECIDED:03d}"]["accepted"] is None
    accepted, rejected = data["forum001"], data["forum002"]
    assert (accepted["decision"], accepted["accepted"], accepted["status"]) == (
        "Accept (poster)", True, "accepted",
    )  # fmt: skip
    assert rejected["accepted"] is False
    review = accepted["reviews"][0]
    assert review["rating"] == number("3: reject") and review["confidence"] == 4
    assert review["scores"] == {"soundness": 3.0}
    assert review["text"].startswith("SUMMARY:\nThe paper 1 studies")
    assert "WEAKNESSES:\n- The ablation of stage 0 of paper 1" in review["text"]
    assert accepted["meta_review"]["text"].startswith("META-REVIEW SECRET")
    assert accepted["rating_scale"] == [1, 10]
    with gzip.open(result.folder / "iclr_2024.jsonl.gz", "rt") as fh:
        raw = fh.read()
    assert "Secretauthor" not in raw and "Hiddenname" not in raw  # authors never written
    for record in data.values():  # the meta-review is kept apart from the reviews
        assert not any("META-REVIEW" in r["text"] for r in record["reviews"])
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert manifest["venue_id"] == VENUE and manifest["papers"] == 25


def test_splits_are_deterministic_and_stratified(api: FakeOpenReview, tmp_path: Path) -> None:
    first = records(fetch(api, tmp_path / "a").folder)
    second = records(fetch(api, tmp_path / "b").folder)
    assert {k: r["split"] for k, r in first.items()} == {k: r["split"] for k, r in second.items()}
    by_status: dict[str, list[str]] = {}
    for record in first.values():
        by_status.setdefault(record["status"], []).append(record["split"])
    # 10 accepted and 10 rejected papers: one test and one dev each, the rest train
    for status in ("accepted", "rejected"):
        splits = by_status[status]
        assert (splits.count("test"), splits.count("dev")) == (1, 1), status
    assert (tmp_path / "a" / "iclr_2024" / "iclr_2024.jsonl.gz").read_bytes() == (
        tmp_path / "b" / "iclr_2024" / "iclr_2024.jsonl.gz"
    ).read_bytes()


def test_the_set_loads_as_references_on_its_own_scale(api: FakeOpenReview, tmp_path: Path) -> None:
    folder = fetch(api, tmp_path).folder
    refs = {r.paper_id: r for r in load_references(folder)}
    assert len(refs) == 25
    paper = refs["forum001"]
    assert paper.scale == (1.0, 10.0) and paper.split in ("train", "dev", "test")
    assert paper.reviews[0].raw_rating == 3.0 and paper.reviews[0].rating == 3.0
    assert "ablation of stage 0" in paper.reviews[0].comment_source


def test_an_interrupted_fetch_resumes_without_asking_again(
    api: FakeOpenReview, tmp_path: Path
) -> None:
    api.fail_from = 1  # the second page fails
    with pytest.raises(EndpointError, match="rerun to resume"):
        fetch(api, tmp_path)
    assert [offset for offset, _ in api.note_requests] == [0]
    api.fail_from = None
    result = fetch(api, tmp_path)
    assert [offset for offset, _ in api.note_requests] == [0, 10, 20]  # page 0 not asked again
    assert (result.pages_reused, result.papers) == (1, 25)


def test_requests_are_spaced_by_the_delay(api: FakeOpenReview, tmp_path: Path) -> None:
    fetch_venue(VENUE, out_dir=tmp_path, api_url=api.url, page_size=10, delay=0.3)
    times = [t for _, t in api.note_requests]
    assert len(times) == 3
    assert all(b - a >= 0.3 for a, b in zip(times, times[1:], strict=False))


def test_an_unknown_venue_is_one_clear_error(api: FakeOpenReview, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no public venue 'XYZ.cc/2024/Conference'"):
        fetch_venue("XYZ.cc/2024/Conference", out_dir=tmp_path, api_url=api.url, delay=0)


def test_set_names() -> None:
    assert set_name("ICLR.cc/2024/Conference") == "iclr_2024"
    assert set_name("NeurIPS.cc/2023/Track/Datasets_and_Benchmarks") == (
        "neurips_2023_track_datasets_and_benchmarks"
    )


def test_fetched_sets_are_found_by_name_and_the_data_dir_wins(
    api: FakeOpenReview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.references import references_home

    fetched = fetch_venue(VENUE, api_url=api.url, page_size=10, delay=0).folder
    assert fetched.parent == references_home()
    monkeypatch.delenv("REVIEWER_DATA_DIR", raising=False)
    assert resolve_references("iclr_2024") == fetched
    mine = tmp_path / "mine" / "iclr_2024"
    mine.mkdir(parents=True)
    monkeypatch.setenv("REVIEWER_DATA_DIR", str(tmp_path / "mine"))
    assert resolve_references("iclr_2024") == mine


def test_no_author_name_is_written_not_even_in_the_kept_raw_pages(
    api: FakeOpenReview, tmp_path: Path
) -> None:
    """The raw pages a fetch keeps to resume lose authors, author ids and the BibTeX entry
    (which names the authors) before they are written."""
    result = fetch(api, tmp_path)
    files = [p for p in result.folder.rglob("*") if p.is_file()]
    assert any(p.parent.name == "raw" and p.name.startswith("page-") for p in files)
    for file in files:
        data = file.read_bytes()
        if file.suffix == ".gz":
            data = gzip.decompress(data)
        for name in (b"Secretauthor", b"Hiddenname"):
            assert name not in data, file
    page = json.loads((result.folder / "raw" / "page-00000.json").read_text())
    assert not {"authors", "authorids", "_bibtex"} & set(page[0]["content"])
    assert page[0]["content"]["title"]  # what the set is built from is kept


def test_kept_pages_of_another_page_size_are_refused_not_misaligned(
    api: FakeOpenReview, tmp_path: Path
) -> None:
    """Page 0 kept at 10 a page; resuming at 20 a page would take it for the last page (10
    papers, silently). It is refused; the kept size, or none given, resumes."""
    api.fail_from = 1
    with pytest.raises(EndpointError):
        fetch(api, tmp_path)
    api.fail_from = None
    with pytest.raises(ConfigError, match=r"10 to a page.*--refresh"):
        fetch_venue(VENUE, out_dir=tmp_path, api_url=api.url, page_size=20, delay=0)
    result = fetch_venue(VENUE, out_dir=tmp_path, api_url=api.url, delay=0)  # the kept size
    assert (result.pages_reused, result.papers) == (1, 25)
    assert [offset for offset, _ in api.note_requests] == [0, 10, 20]
