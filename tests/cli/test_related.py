"""``reviewer related`` end to end, with the real packaged MiniLM on a small corpus, and
``--related`` on ``reviewer review`` against the FAKE server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.cli.app import main
from reviewer.embed import model_available
from tests.related.conftest import RECORDS

pytestmark = pytest.mark.skipif(not model_available(), reason="needs the [eval] extra (MiniLM)")
pytest.importorskip("bm25s")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    papers = tmp_path / "papers.jsonl"
    lines = [{"id": "g25", "title": "Graph networks for molecules at scale", "year": 2025,
              "abstract": "We scale graph neural networks with message passing."},
             {"id": "new", "title": "Streaming speech, faster", "year": 2024,
              "abstract": "A faster streaming speech transducer."},
             {"id": "bad", "title": "No abstract"}]  # fmt: skip
    papers.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return corpus, papers


def test_related_writes_one_line_a_paper_best_first(files: tuple[Path, Path], tmp_path: Path):
    corpus, papers = files
    out = tmp_path / "related.jsonl"
    result = CliRunner().invoke(main, ["related", str(papers), "--corpus", str(corpus),
                                       "-k", "2", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 3, result.output  # the paper without an abstract was rejected
    assert "rejected" in result.output and "abstract" in result.output
    assert f"related work: corpus {corpus} (5 papers), BM25 + MiniLM" in result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["paper_id"] for x in lines] == ["g25", "new"]
    first = lines[0]["related"]
    assert [r["paper_id"] for r in first][0] in ("g23", "g24") and len(first) == 2
    assert set(first[0]) == {"paper_id", "title", "year", "venue", "score", "url"}
    assert first[0]["score"] >= first[1]["score"]
    second = lines[1]["related"]  # a 2024 paper: the three 2023 papers, speech first
    assert second[0]["paper_id"] == "s23" and all(r["year"] == 2023 for r in second)


def test_related_without_out_prints_jsonl_and_says_what_is_wrong(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, _ = files
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"id": "x", "title": "Speech", "abstract": "Streaming speech."}))
    result = CliRunner().invoke(main, ["related", str(one), "--corpus", str(corpus), "-k", "1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["related"][0]["paper_id"] == "s23"
    missing = CliRunner().invoke(main, ["related", str(one), "--corpus", str(tmp_path / "no")])
    assert missing.exit_code == 2 and "not found" in missing.output


def test_review_with_related_lists_them_in_markdown(run, files: tuple[Path, Path]) -> None:
    corpus, _ = files
    result = run("review", "--title", "Graph networks for molecules at scale", "--abstract",
                 "We scale graph neural networks.", "--related", "2", "--related-corpus",
                 corpus)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "## Related work" in result.stdout and "· similarity" in result.stdout


def test_the_generation_commands_offer_related_work() -> None:
    for command in ("batch", "review"):
        shown = CliRunner().invoke(main, [command, "--help"]).output
        assert "--related INTEGER RANGE" in shown and "--related-corpus NAME|FILE" in shown
