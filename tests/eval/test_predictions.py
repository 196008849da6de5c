"""Our reviews.jsonl and other systems' mapped CSV/JSONL become the same Prediction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.errors import ConfigError, InputError
from reviewer.eval.predictions import (
    load_predictions,
    parse_mapping,
    parse_scale,
    prediction_from_review,
)
from reviewer.generation.forms import load_form

SECTIONS_REVIEW = {
    "summary": "The paper proposes a thing. It is summarised here.",
    "methodology": "The method is sound but the loss is not motivated well enough.",
    "experiments": "Experiments cover three datasets.",
    "reproducibility": "Code is promised but not released.",
    "limitations": "",
    "impact": "Moderate impact on the subfield.",
    "strengths": ["The idea is simple and effective.", "Results beat strong baselines by far."],
    "weaknesses": ["No ablation of the second stage is given. The variance is not reported."],
    "questions": ["How sensitive is the method to the learning rate?"],
    "soundness": 3,
    "presentation": 3,
    "contribution": 2,
    "overall": 7,
    "confidence": 4,
    "decision": "accept",
}


def record(pid: str, review: dict | None, form: str = "sections") -> dict:
    return {
        "paper_id": pid,
        "form": form,
        "model": "m-1",
        "review": review,
        "usage": {"prompt_tokens": 1, "completion_tokens": 1},
        "latency_ms": 1,
        "cached": False,
        "attempts": 1,
        "flags": [],
        "warnings": [],
    }


def test_sections_review_becomes_a_prediction() -> None:
    p = prediction_from_review("a", SECTIONS_REVIEW, "sections")
    assert p.rating == 7.0 and p.decision is True
    assert p.comments == (
        "The idea is simple and effective.",
        "Results beat strong baselines by far.",
        "No ablation of the second stage is given.",
        "The variance is not reported.",
    )
    assert "Code is promised but not released." in p.aspect_units
    assert not any("summarised" in u for u in p.aspect_units)  # the summary is not evaluative
    assert "summarised here" in p.text
    assert p.sections_filled == pytest.approx(14 / 15)  # limitations is empty


def test_referee_form_comment_objects() -> None:
    review = {
        "pith": "A pith sentence for the paper.",
        "major_comments": [
            {"comment": "The central claim rests on an untested premise.", "level": "x"}
        ],
        "minor_comments": [
            {"text": "Typo in equation three of section two."},
            "Figure 2 is unreadable.",
        ],
        "overall": 4,
        "decision": "reject",
    }
    p = prediction_from_review("r", review, "referee")
    assert p.decision is False and p.rating == 4.0
    assert p.comments == (
        "The central claim rests on an untested premise.",
        "Typo in equation three of section two.",
        "Figure 2 is unreadable.",
    )


PARAGRAPH = "A paragraph long enough for any form's minimum length, about this paper."
COMMENT = {"location": "Section 3", "comment": "The ablation of the second stage is missing."}
RESPONSE = {"response": "We will add the ablation in the revision.", "revision": "yes"}
COMPLETE_SECTIONS = SECTIONS_REVIEW | dict.fromkeys(
    ("experiments", "reproducibility", "limitations", "impact"), PARAGRAPH
)
SECTIONS_ONLY = ("methodology", "experiments", "reproducibility", "impact")
REFEREE_TEXTS = ("pith", "core_claim", "what_carries_the_argument", "load_bearing_premise",
                 "what_would_settle_it", "summary", "significance")  # fmt: skip
COMPLETE = {
    "sections": COMPLETE_SECTIONS,
    "conference": {k: v for k, v in COMPLETE_SECTIONS.items() if k not in SECTIONS_ONLY},
    "referee": dict.fromkeys(REFEREE_TEXTS, PARAGRAPH)
    | {
        "major_comments": [COMMENT | {"authors_response": RESPONSE}],
        "minor_comments": [COMMENT],
        "overall": 4,
        "confidence": 3,
        "decision": "reject",
    },
}


@pytest.mark.parametrize("form", sorted(COMPLETE))
def test_a_complete_review_fills_every_section_of_its_form(form: str) -> None:
    """The expected fields are read from the form's schema, so a valid, complete review of
    any form scores 1.0 (a field the schema lacks can never be filled)."""
    review = load_form(form).schema.model_validate(COMPLETE[form]).model_dump()
    assert prediction_from_review("p", review, form).sections_filled == 1.0


def test_our_reviews_jsonl_from_a_run_folder(tmp_path: Path) -> None:
    lines = [record("a", SECTIONS_REVIEW), record("b", None), record("a", SECTIONS_REVIEW)]
    (tmp_path / "reviews.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    loaded = load_predictions(tmp_path)
    assert list(loaded.predictions) == ["a"]
    assert (loaded.skipped, loaded.duplicates, loaded.name) == (1, 1, "m-1")


def test_mapping_parse_and_errors() -> None:
    assert parse_mapping(["rating=Overall", "text=Weak", "text=Strong", "decision=Decision"]) == {
        "rating": ["Overall"],
        "text": ["Weak", "Strong"],
        "decision": ["Decision"],
    }
    for bad in (["rating"], ["colour=x"], ["rating="], ["rating=a", "rating=b"]):
        with pytest.raises(ConfigError):
            parse_mapping(bad)
    assert parse_scale("1-5") == (1.0, 5.0)
    with pytest.raises(ConfigError):
        parse_scale("5-1")


def test_mapped_csv(tmp_path: Path) -> None:
    csv = tmp_path / "other.csv"
    csv.write_text(
        "paper_id,Overall,Decision,Weaknesses,Strengths\n"
        'p1,8,Accept,"- Missing ablations on the encoder.\n- No error bars on results.",'
        "Strong results overall here.\n"
        "p2,3,reject,,\n"
        "p3,,Accept (poster),,\n"
    )
    mapping = parse_mapping(
        ["rating=Overall", "decision=Decision", "text=Weaknesses", "text=Strengths"]
    )
    preds = load_predictions(csv, mapping=mapping).predictions
    assert preds["p1"].rating == 8.0 and preds["p1"].decision is True
    assert preds["p1"].comments == (
        "Missing ablations on the encoder.",
        "No error bars on results.",
        "Strong results overall here.",
    )
    assert preds["p2"].decision is False and preds["p2"].comments == ()
    assert preds["p3"].rating is None and preds["p3"].decision is True


def test_mapped_rating_scale_is_normalised(tmp_path: Path) -> None:
    path = tmp_path / "o.jsonl"
    path.write_text(json.dumps({"id": "x", "score": 4}) + "\n")
    preds = load_predictions(
        path, mapping=parse_mapping(["paper_id=id", "rating=score"]), scale=(1.0, 5.0)
    ).predictions
    assert preds["x"].rating == pytest.approx(1 + 3 * 9 / 4)


def test_prediction_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_predictions(tmp_path / "none.jsonl")
    csv = tmp_path / "o.csv"
    csv.write_text("paper_id,Overall\np,5\n")
    with pytest.raises(ConfigError, match="needs --map"):
        load_predictions(csv)
    with pytest.raises(ConfigError, match="no column 'Rating'"):
        load_predictions(csv, mapping=parse_mapping(["rating=Rating"]))
    other = tmp_path / "x.jsonl"
    other.write_text(json.dumps({"paper_id": "p", "Overall": 5}) + "\n")
    with pytest.raises(InputError, match="use --map"):
        load_predictions(other)
