"""Scoring against a form reference set (seed 001's shape): text quality beside the
reference's, and section similarity beside a shuffled control."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import reviewer.eval.run as run_module
from reviewer.cli.eval import eval_command
from reviewer.eval.run import EvalConfig, run_eval
from reviewer.references import UNTITLED, load_references, papers_for_generation
from tests.eval.conftest import HashEncoder

pytest.importorskip("wordfreq")

TOPICS = ["sparse attention kernels", "protein folding energy", "graph neural diffusion",
          "speech codec tokens", "robot grasp planning", "tabular data imputation"]  # fmt: skip
SECTIONS = ("summary", "methodology", "experiments", "reproducibility", "limitations", "impact")


def _review(topic: str) -> dict[str, str]:
    return {s: f"The {s} of this work on {topic} is described with care for {topic} here."
            for s in SECTIONS}  # fmt: skip


@pytest.fixture
def seed_like(tmp_path: Path) -> Path:
    folder = tmp_path / "seed_like"
    folder.mkdir()
    lines = [
        json.dumps({"paper_id": f"s{i}", "abstract": f"We study {t} in depth.",
                    "review": _review(t), "split": "dev" if i < 4 else "test"})
        for i, t in enumerate(TOPICS)
    ]  # fmt: skip
    (folder / "seed.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def _run(tmp_path: Path, reviews: dict[str, dict]) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    (run / "reviews.jsonl").write_text("".join(
        json.dumps({"paper_id": k, "model": "ours", "form": "sections", "review": v}) + "\n"
        for k, v in reviews.items()))  # fmt: skip
    return run


def test_references_without_ratings_load_and_generate_without_invented_titles(
    seed_like: Path,
) -> None:
    refs = load_references(seed_like)
    assert refs[0].form_review[0] == ("summary", _review(TOPICS[0])["summary"])
    papers = papers_for_generation(refs)
    assert len(papers) == 6 and {p.title for p in papers} == {UNTITLED}


def test_form_eval_scores_ours_beside_the_reference(tmp_path: Path, seed_like: Path) -> None:
    ours = {f"s{i}": {**_review(t), "weaknesses": ["Further research in this area is needed."],
                      "overall": 6} for i, t in enumerate(TOPICS[:4])}  # fmt: skip
    config = EvalConfig(out=tmp_path / "o", references=seed_like, split="dev",
                        predictions=_run(tmp_path, ours), n_resamples=20)  # fmt: skip
    m = run_eval(config, sentence_encoder=HashEncoder())
    assert m["references"]["n_papers"] == 4
    assert m["text_quality"]["non_comment_rate"]["value"] == pytest.approx(1 / 7)
    assert m["reference_text_quality"]["non_comment_rate"]["value"] == 0
    for section in SECTIONS:
        est = m["section_similarity"][section]
        assert est["embedding_similarity"]["value"] == pytest.approx(1.0, abs=1e-5)
        assert est["shuffled_embedding_similarity"]["value"] < 0.9
        assert est["rouge_l"]["value"] == pytest.approx(1.0)
    rows = [json.loads(x) for x in (tmp_path / "o" / "per_paper.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and rows[0]["section_similarity"]["summary"] == pytest.approx(1.0)
    assert "| text_quality.non_comment_rate |" in (tmp_path / "o" / "report.md").read_text()


def test_cli_scores_a_form_reference_set_alone(
    tmp_path: Path, seed_like: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_module, "Embedder", lambda *a, **k: HashEncoder())
    result = CliRunner().invoke(
        eval_command,
        ["--references", str(seed_like), "--split", "test", "--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 0, result.output
    m = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert m["system"] == "reference: seed_like" and m["references"]["n_papers"] == 2
    assert "text_quality" not in m and m["reference_text_quality"]["glued_word_rate"]["value"] == 0
    assert "reference 0.0000" in result.output
