"""End to end: another system's CSV scored with --map matches the hand computation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import reviewer.eval.run as run_module
from reviewer.cli.eval import eval_command
from reviewer.eval.registry import GROUP_NAMES as GROUPS
from reviewer.eval.run import EvalConfig, run_eval
from reviewer.references import load_references, select
from tests.eval.conftest import HashEncoder

CSV = (
    "paper_id,Overall,Decision,Weaknesses\n"
    "p1,8,Accept,The p1 ablation of the second stage is missing entirely.\n"
    "p2,5,Accept,\n"
    "p3,7,Accept,\n"
    "p4,6,Reject,\n"
    "p5,2,Reject,\n"
    "p6,3,Accept,\n"
    "unknown,9,Accept,\n"
)
MAP = ["--map", "rating=Overall", "--map", "decision=Decision", "--map", "text=Weaknesses"]


@pytest.fixture
def fake_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds its own Embedder; give it the hash encoder instead of the model."""
    monkeypatch.setattr(run_module, "Embedder", lambda *a, **k: HashEncoder())


def value(metrics: dict, dotted: str) -> float | None:
    node = metrics
    for part in dotted.split("."):
        node = node[part]
    return node["value"]


def test_mapped_csv_matches_the_hand_computation(
    tmp_path: Path, hand_refs: Path, fake_embedder
) -> None:
    csv = tmp_path / "other.csv"
    csv.write_text(CSV)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        eval_command,
        [
            "--references",
            str(hand_refs),
            "--predictions",
            str(csv),
            *MAP,
            "--name",
            "other",
            "--out",
            str(out),
            "--bootstrap",
            "100",
        ],
    )
    assert result.exit_code == 0, result.output
    m = json.loads((out / "metrics.json").read_text())
    assert m["system"] == "other"
    assert set(GROUPS) <= set(m) and "human" in m
    assert set(m["baselines"]) == {"constant", "lexical-neighbour"}  # abstract-prior: too few
    # decision rule overall >= 6: TP=2 FN=1 FP=1 TN=2; AUC 8/9 (see test_metrics)
    assert value(m, "decision.balanced_accuracy") == pytest.approx(2 / 3)
    assert value(m, "decision.f1") == pytest.approx(2 / 3)
    assert value(m, "decision.auc") == pytest.approx(8 / 9)
    assert m["decision"]["auc"]["n_papers"] == 6
    # the Decision column: TP=3 FN=0 FP=1 TN=2
    assert value(m, "decision_field.balanced_accuracy") == pytest.approx(5 / 6)
    assert "auc" not in m["decision_field"]
    assert value(m, "rating.mae") == pytest.approx(7 / 6)
    assert value(m, "rating.rmse") == pytest.approx(math.sqrt(11 / 6))
    assert value(m, "rating.pearson") == pytest.approx(14 / math.sqrt(322))
    assert value(m, "rating.mean_pred") == pytest.approx(31 / 6)
    assert value(m, "rating.exact_match_any_human") == pytest.approx(0.5)
    assert value(m, "human.loo_pearson") == pytest.approx(0.6)
    assert value(m, "human.loo_mae") == pytest.approx(1.0)
    # p1's one weakness is said word for word by both of its reviewers: 2 of 4 human comments
    rows = [json.loads(line) for line in (out / "per_paper.jsonl").read_text().splitlines()]
    p1 = next(r for r in rows if r["paper_id"] == "p1")
    assert p1["systems"]["other"]["hit_rate"] == pytest.approx(0.5)
    assert p1["systems"]["other"]["precision"] == pytest.approx(1.0)
    # constant baseline: train mean of (5.5, 6, 6.5, 5.5) = 5.875 -> every paper rejected
    const = m["baselines"]["constant"]
    assert const["rating"]["mean_pred"]["value"] == pytest.approx(5.875)
    assert const["decision"]["balanced_accuracy"]["value"] == pytest.approx(0.5)
    assert const["rating"]["mae"]["value"] == pytest.approx(8 / 6)
    assert const["comments"]["hit_rate"]["value"] is None
    assert m["predictions"]["n_records"] == 7 and m["predictions"]["n_matched"] == 6
    assert value(m, "coverage.prediction_rate") == 1.0
    for name in ("report.md", "report.html", "plots/roc.png", "plots/scatter.png"):
        assert (out / name).is_file()
    assert "data:image/png;base64," in (out / "report.html").read_text()
    assert "decision.balanced_accuracy" in (out / "report.md").read_text()
    for key in ("value", "ci_low", "ci_high", "n_papers"):
        assert key in m["rating"]["spearman"]


def test_the_command_reads_references_and_predictions_once(
    tmp_path: Path, hand_refs: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form-reference check, the calibration choice and the scoring share one read."""
    import reviewer.eval.inputs as inputs_module
    import reviewer.eval.predictions as predictions_module
    import reviewer.references as references_module

    reads: list[str] = []

    def counting(name: str, module: object) -> None:
        real = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            reads.append(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counting("load_references", references_module)
    counting("load_references", inputs_module)
    counting("load_predictions", inputs_module)
    counting("load_predictions", predictions_module)
    csv = tmp_path / "other.csv"
    csv.write_text(CSV)
    args = ["--references", str(hand_refs), "--predictions", str(csv), *MAP]
    result = CliRunner().invoke(
        eval_command, [*args, "--out", str(tmp_path / "o"), "--bootstrap", "20", "--no-report"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(reads) == ["load_predictions", "load_references"]


def test_baseline_as_the_system_under_test(tmp_path: Path, hand_refs: Path) -> None:
    config = EvalConfig(
        out=tmp_path / "o",
        references=hand_refs,
        baselines=("nearest-neighbour", "constant"),
        n_resamples=50,
        report=False,
    )
    m = run_eval(
        config, sentence_encoder=HashEncoder(), abstract_encoder=HashEncoder(), detector=None
    )
    assert m["system"] == "nearest-neighbour"
    assert m["decision"]["balanced_accuracy"]["n_papers"] == 6
    assert m["comments"]["hit_rate"]["n_papers"] == 6
    assert m["comments"]["shuffled_hit_rate"]["value"] is not None
    assert m["text"]["rouge_l"]["value"] > 0
    assert m["coverage"]["detector"]["available"] is False
    # a human review has no decision field: the names are still there, as not applicable
    assert m["decision_field"]["balanced_accuracy"] == {
        "value": None,
        "ci_low": None,
        "ci_high": None,
        "n_papers": 0,
    }
    assert not (tmp_path / "o" / "report.html").exists()


def test_our_reviews_jsonl_with_limit(tmp_path: Path, hand_refs: Path) -> None:
    review = {
        "summary": "s",
        "strengths": ["Strong p2 results on the benchmarks."],
        "weaknesses": ["Missing p2 ablation of the loss function."],
        "overall": 6,
        "decision": "accept",
    }
    first4 = [r.paper_id for r in select(load_references(hand_refs), split="test", limit=4)]
    failed = first4[0]  # a failed review: the run keeps the line, with no review in it
    path = tmp_path / "run" / "reviews.jsonl"
    path.parent.mkdir()
    path.write_text(
        "".join(
            json.dumps({"paper_id": p, "model": "ours", "review": None if p == failed else review})
            + "\n"
            for p in ("p1", "p2", "p3", "p4", "p5", "p6")
        )
    )
    config = EvalConfig(
        out=tmp_path / "o",
        references=hand_refs,
        predictions=path.parent,
        limit=4,
        n_resamples=20,
        report=False,
    )
    m = run_eval(
        config, sentence_encoder=HashEncoder(), abstract_encoder=HashEncoder(), detector=None
    )
    assert m["system"] == "ours"
    assert m["references"]["n_selected"] == 4 and m["references"]["n_papers"] == 3
    assert m["decision"]["pred_accept_rate"]["value"] == 1.0
    assert m["coverage"]["prediction_rate"]["value"] == pytest.approx(3 / 4)
    assert m["coverage"]["prediction_rate"]["n_papers"] == 4
    # the baselines are scored on exactly the papers the system answered
    assert m["baselines"]["constant"]["decision"]["balanced_accuracy"]["n_papers"] == 3
    assert m["baselines"]["constant"]["coverage"]["prediction_rate"]["value"] == 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--predictions", "{tmp}/none.csv", *MAP], "predictions not found"),
        (["--predictions", "{csv}", "--map", "rating"], "bad --map"),
        (["--predictions", "{csv}", "--map", "rating=Nope"], "no column 'Nope'"),
        (["--references", "{tmp}/missing", "--baseline", "constant"], "references not found"),
        ([], "nothing to score"),
        (["--map", "rating=Overall", "--baseline", "constant"], "--map needs --predictions"),
    ],
)
def test_user_errors_exit_2_with_one_line(tmp_path: Path, hand_refs: Path, args, message) -> None:
    csv = tmp_path / "o.csv"
    csv.write_text(CSV)
    args = [a.format(tmp=tmp_path, csv=csv) for a in args]
    if "--references" not in args:
        args = ["--references", str(hand_refs), *args]
    result = CliRunner().invoke(eval_command, [*args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_generate_reviews_papers_without_leaking(
    tmp_path: Path, hand_refs: Path, monkeypatch
) -> None:
    """--generate hands the batch pipeline Papers built by papers_for_generation only."""

    seen = []

    class FakeReviewer:
        def __init__(self, **options):
            seen.append(options)

        @classmethod
        def from_values(cls, values, **extra):
            return cls(**values, **extra)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def batch(self, papers, out, concurrency):
            papers = list(papers)
            seen.append(papers)
            Path(out).mkdir(parents=True, exist_ok=True)
            review = {
                "strengths": ["Fine."],
                "weaknesses": ["Missing ablations of the model."],
                "overall": 6,
                "decision": "accept",
            }
            with (Path(out) / "reviews.jsonl").open("w") as fh:
                for p in papers:
                    fh.write(
                        json.dumps({"paper_id": p.id, "model": "fake", "review": review}) + "\n"
                    )

    monkeypatch.setattr("reviewer.api.Reviewer", FakeReviewer)
    monkeypatch.setattr(run_module, "Embedder", lambda *a, **k: HashEncoder())
    out = tmp_path / "gen"
    result = CliRunner().invoke(
        eval_command,
        [
            "--generate",
            "--references",
            str(hand_refs),
            "--limit",
            "3",
            "--out",
            str(out),
            "--model",
            "x",
            "--bootstrap",
            "10",
            "--no-report",
        ],
    )
    assert result.exit_code == 0, result.output
    papers = seen[1]
    assert len(papers) == 3
    for paper in papers:
        dumped = paper.model_dump_json()
        assert paper.authors is None and paper.metadata == {}
        for secret in ("Secretauthor", "Reject", "Accept", "meta review", "ablation"):
            assert secret not in dumped
    m = json.loads((out / "metrics.json").read_text())
    assert m["references"]["n_papers"] == 3 and m["system"] == "fake"


def test_foreign_references_without_a_train_split_score_everything_else(
    tmp_path: Path, write_jsonl, fake_embedder
) -> None:
    """Another system's file against references with no train split: the baselines that need
    one are skipped with one line each, and the system is still scored."""
    from tests.eval.conftest import HAND_PAPERS, paper_record

    refs = write_jsonl(
        tmp_path / "foreign" / "refs.jsonl",
        [paper_record(pid, r, a, split="test") for pid, r, a in HAND_PAPERS],
    )
    csv = tmp_path / "other.csv"
    csv.write_text(CSV)
    out = tmp_path / "out"
    args = ["--references", str(refs), "--predictions", str(csv), *MAP, "--out", str(out)]
    result = CliRunner().invoke(eval_command, [*args, "--bootstrap", "50", "--no-report"])
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.output.splitlines() if "skipped" in line]
    assert len(skipped) == 3 and all("needs a train split" in line for line in skipped)
    m = json.loads((out / "metrics.json").read_text())
    assert m["baselines"] == {}
    assert set(m["baselines_skipped"]) == {"constant", "lexical-neighbour", "abstract-prior"}
    assert value(m, "rating.mae") == pytest.approx(7 / 6)  # as with a train split: same papers


def test_text_quality_of_our_reviews_is_pooled_against_each_abstract(
    tmp_path: Path, hand_refs: Path
) -> None:
    pytest.importorskip("wordfreq")
    from reviewer.eval import textquality as tq

    review = {
        "summary": "The method reaches 97.5% accuracyof the baseline on 3 tasks.",
        "strengths": ["There are no major weaknesses mentioned in the abstract."],
        "weaknesses": ["The ablation of the second stage is missing entirely."],
        "overall": 6,
        "decision": "accept",
    }
    path = tmp_path / "run" / "reviews.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps({"paper_id": p, "model": "ours", "review": review}) + "\n"
                            for p in ("p1", "p2")))  # fmt: skip
    config = EvalConfig(out=tmp_path / "o", references=hand_refs, predictions=path.parent,
                        n_resamples=20, report=False)  # fmt: skip
    m = run_eval(
        config, sentence_encoder=HashEncoder(), abstract_encoder=HashEncoder(), detector=None
    )
    refs = {r.paper_id: r for r in load_references(hand_refs)}
    counts = [tq.measure(review, tq.paper_source(refs[p].title, refs[p].abstract, refs[p].keywords))
              for p in ("p1", "p2")]  # fmt: skip
    total = counts[0] + counts[1]
    for name, (num, den) in total.pairs().items():
        expected = num / den if den else None  # no names in these reviews
        assert m["text_quality"][name]["value"] == pytest.approx(expected), name
    assert total.glued == 2 and total.non_comments == 2 and total.unsupported_numbers == 4
    assert m["baselines"]["constant"]["text_quality"]["glued_word_rate"]["value"] is None
    assert "text_quality" in GROUPS and m["protocol"]["text_quality"]["version"] == "textquality-v6"
