"""A corpus keeps id, title, abstract, year, venue and link: never reviews, decisions, authors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from reviewer.errors import ConfigError
from reviewer.related.corpus import CorpusPaper, load_corpus, norm_title
from tests.related.conftest import RECORDS, record


def test_a_corpus_record_holds_six_fields_and_nothing_of_the_reviews(corpus_file: Path) -> None:
    corpus = load_corpus(corpus_file)
    assert [f.name for f in dataclasses.fields(CorpusPaper)] == [
        "paper_id", "title", "abstract", "year", "venue", "url"]  # fmt: skip
    dumped = json.dumps([dataclasses.asdict(p) for p in corpus.papers])
    for leak in ("MUST NOT LEAK", "Secretauthor", "Hiddenname", "Accept", "DECISION"):
        assert leak not in dumped
    first = corpus.papers[0]
    assert (first.paper_id, first.year, first.venue) == ("g23", 2023, "NeurIPS")
    assert first.url == "https://openreview.net/forum?id=g23"  # a reference set is OpenReview's


def test_a_papers_file_keeps_its_own_link_and_skips_papers_without_an_abstract(
    tmp_path: Path,
) -> None:
    lines = [{"id": "a", "title": "A paper", "abstract": "About a thing.", "year": 2022,
              "url": "https://example.org/a", "authors": "Ada Secretauthor"},
             {"id": "b", "title": "No abstract", "abstract": ""},
             {"id": "a", "title": "A repeated id", "abstract": "Kept once."}]  # fmt: skip
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    corpus = load_corpus(path)
    assert [p.paper_id for p in corpus.papers] == ["a"]
    assert corpus.papers[0].url == "https://example.org/a" and corpus.skipped == 2
    assert "Secretauthor" not in repr(corpus.papers)


def test_a_csv_corpus(tmp_path: Path) -> None:
    path = tmp_path / "papers.csv"
    path.write_text("id,title,abstract,year,authors\nc1,A title,An abstract.,2021,Ada Secret\n")
    (paper,) = load_corpus(path).papers
    assert (paper.paper_id, paper.year, paper.url) == ("c1", 2021, None)
    assert "Ada Secret" not in repr(paper)


def test_the_digest_follows_the_content_not_the_path(corpus_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere.jsonl"
    copy.write_bytes(corpus_file.read_bytes())
    assert load_corpus(copy).digest == load_corpus(corpus_file).digest
    changed = [*RECORDS[:-1], record("g25", 2025, "Another title", "Another abstract.")]
    copy.write_text("".join(json.dumps(r) + "\n" for r in changed), encoding="utf-8")
    assert load_corpus(copy).digest != load_corpus(corpus_file).digest


def test_an_empty_or_missing_corpus_is_one_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text(json.dumps({"id": "x", "title": "", "abstract": ""}) + "\n")
    with pytest.raises(ConfigError, match="no papers"):
        load_corpus(empty)
    with pytest.raises(ConfigError, match="not found"):
        load_corpus(tmp_path / "nowhere")


def test_titles_compare_without_case_and_punctuation() -> None:
    assert norm_title("QLoRA: Efficient Fine-Tuning!") == "qlora efficient fine tuning"


def test_a_reference_set_is_found_by_name_and_read_compressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lzma

    folder = tmp_path / "data" / "myset"
    folder.mkdir(parents=True)
    with lzma.open(folder / "myset_2023.jsonl.xz", "wt", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in RECORDS))
    monkeypatch.setenv("REVIEWER_DATA_DIR", str(tmp_path / "data"))
    corpus = load_corpus("myset")
    assert len(corpus) == len(RECORDS) and corpus.name == "myset"
