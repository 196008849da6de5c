"""Calibration against the reference data: train only, and both systems in the eval."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.calibration import Calibration, paper_text
from reviewer.errors import ConfigError
from reviewer.eval.calibrate import calibrated_predictions, fit_run, train_samples
from reviewer.eval.predictions import Prediction, load_predictions
from reviewer.eval.run import EvalConfig, run_eval
from reviewer.references import load_references
from tests.eval.conftest import HashEncoder, paper_record


def _run(path: Path, scores: dict[str, int]) -> Path:
    path.mkdir(parents=True)
    lines = [
        json.dumps({"paper_id": pid, "model": "ours", "review": {"overall": s, "decision": "x"}})
        for pid, s in scores.items()
    ]
    (path / "reviews.jsonl").write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def refs(tmp_path: Path, write_jsonl: Callable[..., Path]) -> Path:
    records = [
        paper_record(f"t{i}", [3 + i % 6, 4 + i % 5], i % 3 == 0, split="train") for i in range(30)
    ]
    records += [
        paper_record(f"x{i}", [4 + i % 4, 5], i % 2 == 0, split="test", abstract=f"zebra {i}.")
        for i in range(6)
    ]
    return write_jsonl(tmp_path / "refs" / "papers.jsonl", records).parent


def test_train_samples_refuse_papers_outside_train(tmp_path: Path, refs: Path) -> None:
    references = load_references(refs)
    run = _run(tmp_path / "run", {"t1": 7, "t2": 8, "x0": 8})
    with pytest.raises(ConfigError, match="x0 is in the test split"):
        train_samples(load_predictions(run), references)
    ok = _run(tmp_path / "ok", {"t1": 7, "t2": 8, "unknown": 5})
    samples = train_samples(load_predictions(ok), references)
    assert [s.human for s in samples] == [
        next(r.mean_rating for r in references if r.paper_id == pid) for pid in ("t1", "t2")
    ]
    assert {s.venue for s in samples} == {"neurips-2024"}


def test_fit_run_and_eval_reports_calibrated_beside_raw(tmp_path: Path, refs: Path) -> None:
    references = load_references(refs)
    run = _run(tmp_path / "train-run", {f"t{i}": 8 + i % 2 for i in range(30)})
    calibration = fit_run([run], references, command="reviewer calibrate train-run")
    assert calibration.fitted["n"] == 30 and calibration.fitted["split"] == "train"
    assert calibration.fitted["model"] == "ours" and calibration.fitted["form"] is None
    path = tmp_path / "cal.json"
    calibration.save(path)
    test_run = _run(tmp_path / "test-run", {f"x{i}": 8 for i in range(6)})
    config = EvalConfig(
        out=tmp_path / "o",
        references=refs,
        predictions=test_run,
        n_resamples=20,
        report=False,
        calibration=Calibration.load(path),
    )
    m = run_eval(
        config, sentence_encoder=HashEncoder(), abstract_encoder=HashEncoder(), detector=None
    )
    assert m["system"] == "ours + calibration"
    raw = m["uncalibrated"]["ours"]
    assert raw["rating"]["mean_pred"]["value"] == pytest.approx(8.0)
    expected = calibration.predict({"overall": 8}, "neurips-2024")
    assert m["rating"]["mean_pred"]["value"] == pytest.approx(round(expected, 2))
    assert m["protocol"]["calibration"]["command"] == "reviewer calibrate train-run"


def test_abstract_prior_is_fitted_on_every_rated_train_paper(tmp_path: Path, refs: Path) -> None:
    references = load_references(refs)
    run = _run(tmp_path / "train-run", {f"t{i}": 8 for i in range(12)})
    calibration = fit_run([run], references, use_prior=True)
    assert calibration.prior is not None
    assert calibration.prior.fitted["n"] == 30  # all train papers, not only the 12 reviewed
    assert "zebra" not in calibration.prior.terms  # a word only the test papers have
    papers = [r for r in references if r.split == "test"]
    preds = {p.paper_id: Prediction(paper_id=p.paper_id, rating=8.0) for p in papers}
    out = calibrated_predictions(preds, papers, calibration)
    for paper in papers:
        text = paper_text(paper.title, paper.abstract)
        expected = calibration.predict({"overall": 8.0}, "neurips-2024", text)
        assert out[paper.paper_id].rating == pytest.approx(round(expected, 2))


def test_calibrate_command_writes_the_file_and_refuses_test_papers(
    tmp_path: Path, refs: Path
) -> None:
    from click.testing import CliRunner

    from reviewer.cli.eval import calibrate_command

    run = _run(tmp_path / "run", {f"t{i}": 7 + i % 3 for i in range(30)})
    out = tmp_path / "cal.json"
    result = CliRunner().invoke(calibrate_command, [str(run), "-r", str(refs), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "fitted on 30 train papers" in result.output
    assert Calibration.load(out).fitted["runs"] == [str(run)]
    leaky = _run(tmp_path / "leaky", {"t1": 7, "x1": 8})
    result = CliRunner().invoke(calibrate_command, [str(leaky), "-r", str(refs), "-o", str(out)])
    assert result.exit_code == 2 and "calibration is fitted on train only" in result.output


def test_eval_measures_the_interval_coverage_of_a_calibrated_system(
    tmp_path: Path, refs: Path
) -> None:
    """interval_coverage is the share of papers whose mean human rating lies inside the
    calibrated interval, beside its nominal level; the raw system has none."""
    references = load_references(refs)
    calibration = fit_run([_run(tmp_path / "train", {f"t{i}": 8 for i in range(30)})], references)
    assert calibration.interval is not None
    test_run = _run(tmp_path / "test-run", {f"x{i}": 8 for i in range(6)})
    config = EvalConfig(out=tmp_path / "o", references=refs, predictions=test_run,
                        n_resamples=20, report=False, calibration=calibration)  # fmt: skip
    m = run_eval(
        config, sentence_encoder=HashEncoder(), abstract_encoder=HashEncoder(), detector=None
    )
    inside = []
    for ref in (r for r in references if r.split == "test"):
        got = calibration.score({"overall": 8}, "neurips-2024")
        inside.append(got.low <= ref.mean_rating <= got.high)
    coverage = m["rating"]["interval_coverage"]
    assert coverage["value"] == pytest.approx(sum(inside) / len(inside))
    assert coverage["nominal"] == 0.8 and coverage["n_papers"] == 6
    assert "interval_coverage" not in m["uncalibrated"]["ours"]["rating"]
