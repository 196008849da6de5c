"""Loaders, filters, scale normalisation and the leakage rule for generation."""

from __future__ import annotations

import gzip
import json
import lzma
from pathlib import Path

import pytest

from reviewer.errors import ConfigError, InputError
from reviewer.references import (
    from_common,
    load_references,
    native_scale,
    papers_for_generation,
    resolve_references,
    select,
    to_common,
)
from tests.eval.conftest import SAMPLE, paper_record


def test_neurips_2025_is_mapped_linearly_onto_1_to_10() -> None:
    scale = native_scale("NeurIPS", 2025)
    assert scale == (1.0, 6.0)
    assert [round(to_common(x, scale), 3) for x in range(1, 7)] == [1, 2.8, 4.6, 6.4, 8.2, 10]
    assert native_scale("NeurIPS", 2024) == (1.0, 10.0)
    assert from_common(6.4, scale) == pytest.approx(4.0)


def test_reads_plain_gz_and_xz_in_place_and_skips_sample_files(tmp_path: Path) -> None:
    lines = [json.dumps(paper_record(f"x{i}", [6], True)) + "\n" for i in range(3)]
    (tmp_path / "a.jsonl").write_text(lines[0])
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as fh:
        fh.write(lines[1])
    with lzma.open(tmp_path / "c.jsonl.xz", "wt") as fh:
        fh.write(lines[2])
    (tmp_path / "sample_train.jsonl").write_text(json.dumps(paper_record("dup", [1], False)))
    refs = load_references(tmp_path)
    assert sorted(r.paper_id for r in refs) == ["x0", "x1", "x2"]


def test_record_fields_and_ratings(tmp_path: Path, write_jsonl) -> None:
    rec = paper_record("q", [3, 5], True, year=2025)
    refs = load_references(write_jsonl(tmp_path / "r.jsonl", [rec]))
    ref = refs[0]
    assert ref.scale == (1.0, 6.0)
    assert [r.raw_rating for r in ref.reviews] == [3, 5]
    assert ref.ratings == pytest.approx([4.6, 8.2])
    assert ref.mean_rating == pytest.approx(6.4)
    assert ref.accepted is True
    assert not hasattr(ref, "authors")  # dropped on load: nothing downstream can leak them


def test_custom_rating_scale_and_decision_only_records(tmp_path: Path, write_jsonl) -> None:
    rec = {
        "paper_id": "z",
        "decision": "Reject",
        "rating_scale": [1, 5],
        "reviews": [{"rating": 5}, {"rating": 1, "text": "t"}],
    }
    ref = load_references(write_jsonl(tmp_path / "r.jsonl", [rec]))[0]
    assert ref.accepted is False
    assert ref.ratings == [10.0, 1.0]


def test_filters_split_year_and_limit_in_sha256_order(tmp_path: Path, write_jsonl) -> None:
    recs = [
        paper_record(f"p{i}", [6], True, split=("test" if i % 2 else "train"), year=2023 + i % 3)
        for i in range(12)
    ]
    refs = load_references(write_jsonl(tmp_path / "r.jsonl", recs))
    test = select(refs, split="test")
    assert {r.split for r in test} == {"test"} and len(test) == 6
    assert {r.year for r in select(refs, split="test", years=[2024])} == {2024}
    first3 = select(refs, split="test", limit=3)
    assert first3 == sorted(test, key=lambda r: r.sort_key)[:3]
    assert len(select(refs, split=None)) == 12


def test_missing_path_and_bad_records_are_user_errors(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("REVIEWER_DATA_DIR", str(tmp_path))
    with pytest.raises(ConfigError):
        load_references(tmp_path / "nope")
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    with pytest.raises(InputError, match="bad.jsonl:1"):
        load_references(tmp_path / "bad.jsonl")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.jsonl").write_text(json.dumps({"paper_id": "a"}) + "\n")
    with pytest.raises(InputError, match="not a reference record"):
        load_references(tmp_path / "d")


def test_references_resolve_by_name_under_the_data_dir(
    tmp_path: Path, monkeypatch, write_jsonl
) -> None:
    write_jsonl(tmp_path / "mydata" / "r.jsonl", [paper_record("a", [5], True)])
    monkeypatch.setenv("REVIEWER_DATA_DIR", str(tmp_path))
    assert resolve_references("mydata") == tmp_path / "mydata"
    assert resolve_references(None) == tmp_path / "neurips_2023_2025"


def test_papers_for_generation_carry_title_abstract_keywords_only(
    tmp_path: Path, write_jsonl
) -> None:
    rec = paper_record(
        "leak1", [7, 3], False, texts=["REVIEWTEXT-ALPHA is weak.", "REVIEWTEXT-BETA."]
    )
    refs = load_references(write_jsonl(tmp_path / "r.jsonl", [rec]))
    (paper,) = papers_for_generation(refs)
    assert (paper.id, paper.title, paper.keywords) == ("leak1", rec["title"], ["kw1", "kw2"])
    assert paper.authors is None and paper.metadata == {} and paper.venue is None
    dumped = paper.model_dump_json()
    for secret in ("REVIEWTEXT", "Secretauthor", "Hiddenname", "Reject", "meta review", "DECISION"):
        assert secret not in dumped


def test_leakage_rule_holds_in_the_rendered_generation_prompt(tmp_path: Path, write_jsonl) -> None:
    forms = pytest.importorskip("reviewer.generation.forms")
    try:
        form = forms.load_form("sections")
    except Exception as exc:  # the form set is another module's business
        pytest.skip(f"sections form unavailable: {exc}")
    rec = paper_record(
        "leak2", [7, 3], False, texts=["REVIEWTEXT-ALPHA is weak.", "REVIEWTEXT-BETA."]
    )
    refs = load_references(write_jsonl(tmp_path / "r.jsonl", [rec]))
    (paper,) = papers_for_generation(refs)
    messages = form.render(paper)
    prompt = json.dumps(messages if isinstance(messages, list) else str(messages), default=str)
    assert rec["abstract"] in prompt
    for secret in ("REVIEWTEXT", "Secretauthor", "Hiddenname", "Reject", "secret meta", "DECISION"):
        assert secret not in prompt


@pytest.mark.skipif(not SAMPLE.is_file(), reason="shared sample data not present")
def test_reads_the_shared_sample_in_place() -> None:
    refs = load_references(SAMPLE)
    assert len(refs) == 6
    assert all(r.split == "train" and r.reviews and r.mean_rating for r in refs)
    assert all(r.reviews[0].comment_source.strip() for r in refs)
