from pathlib import Path

import pytest

from reviewer.errors import ConfigError, InputError
from reviewer.inputs.paper import Paper, paper_from_record, read_papers
from tests.conftest import EXAMPLES, write_jsonl


def test_paper_requires_non_empty_title_and_abstract() -> None:
    with pytest.raises(ValueError):
        Paper(id="a", title="T", abstract="   ")
    assert Paper(id=" a ", title=" T ", abstract=" x ").id == "a"


def test_paper_id_alias_and_unknown_keys_go_to_metadata() -> None:
    paper = paper_from_record({"paper_id": 7, "title": "T", "abstract": "A", "upvotes": 3})
    assert paper.id == "7"
    assert paper.metadata == {"upvotes": 3}


def test_keywords_and_authors_split_from_strings() -> None:
    paper = paper_from_record(
        {"id": "a", "title": "T", "abstract": "A", "keywords": "rl; llm, agents", "authors": "X, Y"}
    )
    assert paper.keywords == ["rl", "llm", "agents"]
    assert paper.authors == ["X", "Y"]


def test_jsonl_reader_keeps_going_past_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b'{"id": "a", "title": "T", "abstract": "A"}\n'
        b'{"id": "b", "title": "T"\n'
        b'{"id": "c", "title": "T", "abstract": ""}\n'
        b"\xff\xfe not utf-8\n"
        b'{"id": "a", "title": "dup", "abstract": "A"}\n'
        b"[1, 2]\n"
        b"\n"
        b'{"id": "d", "title": "T", "abstract": "A", "year": "2024"}\n'
    )
    items = list(read_papers(path))
    good = [i.id for i in items if isinstance(i, Paper)]
    bad = [i for i in items if isinstance(i, InputError)]
    assert good == ["a", "d"]
    assert [e.line for e in bad] == [2, 3, 4, 5, 6]
    assert "invalid JSON" in bad[0].reason
    assert "abstract" in bad[1].reason
    assert "UTF-8" in bad[2].reason
    assert "duplicate id 'a'" in bad[3].reason
    assert str(bad[0]).startswith(f"{path}:2: ")


def test_csv_reader_accepts_paper_id_column(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('paper_id,title,abstract,year\nx1,"A, title","An ""abstract""",2023\n')
    (paper,) = list(read_papers(path))
    assert isinstance(paper, Paper)
    assert (paper.id, paper.title, paper.abstract, paper.year) == (
        "x1",
        "A, title",
        'An "abstract"',
        2023,
    )


def test_missing_and_unsupported_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        read_papers(tmp_path / "nope.jsonl")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(ConfigError, match="unsupported"):
        read_papers(tmp_path / "x.txt")


def test_empty_file_yields_nothing(tmp_path: Path) -> None:
    assert list(read_papers(write_jsonl(tmp_path / "e.jsonl", []))) == []


def test_shipped_examples_are_valid() -> None:
    items = list(read_papers(EXAMPLES / "papers.jsonl"))
    assert len(items) >= 50
    assert all(isinstance(i, Paper) for i in items)
    assert all(isinstance(i, Paper) for i in read_papers(EXAMPLES / "papers.csv"))
