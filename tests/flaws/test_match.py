"""The matcher: a cue word plus the flaw's own specifics, or closeness to its description."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reviewer.flaws.match import (
    DESCRIPTION_THRESHOLD,
    MATCHER_VERSION,
    Flaw,
    cued,
    match_units,
    review_units,
    shares_content,
)
from reviewer.flaws.text import anchored
from tests.eval.conftest import HashEncoder

ROOT = Path(__file__).resolve().parents[2]
FLAW = Flaw(
    "p--impossible_number",
    "impossible_number",
    "The accuracy of 109.8% reported for ALBERT on GLUE is impossible, since accuracy cannot "
    "exceed 100%.",
    ("109.8%",),
    "ALBERT reaches 109.8% accuracy on GLUE.",
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("an accuracy of 109.8% on GLUE", True),
        ("109.8 % accuracy", True),
        ("109.8 percent", True),
        ("a bare 109.8 here", True),
        ("1109.8% or 109.85%", False),
        ("no number at all", False),
    ],
)
def test_numeric_anchors_ignore_format_but_not_digits(text: str, expected: bool) -> None:
    assert anchored(text, ["109.8%"]) is expected


def test_phrase_anchors_ignore_case_spacing_and_spelling() -> None:
    assert anchored("It uses No  Labeled data", ["no labelled data"])
    assert anchored("a 7.4x speedup", ["7.4x"]) and anchored("a 7.4-fold speed-up", ["7.4x"])
    assert not anchored("no labelled dataset", ["no labelled data"])


def _match(units: list[str], encoder: HashEncoder, flaw: Flaw = FLAW) -> Any:
    vectors = encoder.encode(units) if units else np.zeros((0, 384), np.float32)
    return match_units(units, vectors, flaw, encoder.encode([flaw.description])[0])


def test_naming_the_number_with_a_cue_catches_it_and_restating_it_does_not(
    encoder: HashEncoder,
) -> None:
    hit = _match(["The reported 109.8% accuracy on GLUE cannot be right."], encoder)
    assert hit.hit and hit.route == "anchor"
    assert not _match(["ALBERT reaches 109.8% accuracy on GLUE, a strong result."], encoder).hit
    assert not _match(["Some numbers in the paper are wrong."], encoder).hit
    assert not _match([], encoder).hit


def test_the_description_route_needs_a_cue_and_the_threshold(encoder: HashEncoder) -> None:
    # identical words to the description: cosine 1 under the bag-of-words encoder
    same = FLAW.description
    no_anchor = Flaw(FLAW.id, FLAW.kind, FLAW.description, (), FLAW.planted)
    assert cued(same, "impossible_number")
    assert _match([same], encoder, no_anchor).route == "description"
    other_kind = Flaw(FLAW.id, "test_leak", FLAW.description, (), FLAW.planted)
    assert not _match([same], encoder, other_kind).hit  # no leak cue in it
    near = "Some reported numbers seem impossible."  # few words shared with the description
    assert cued(near, "impossible_number") and not _match([near], encoder, no_anchor).hit
    # close to the description but sharing no content word with the planted sentence
    vague = "The value reported is impossible, since it cannot exceed its bound."
    assert not shares_content(vague, FLAW.planted) and not _match([vague], encoder, no_anchor).hit


def test_review_units_leave_out_summary_strengths_and_scores() -> None:
    review = {
        "summary": "ALBERT reaches an impossible accuracy, the authors say.",
        "strengths": ["Accuracy of 109.8% is impossible to ignore in a good way."],
        "weaknesses": [
            "The 109.8% accuracy cannot be right.\n\nA second paragraph starts here. "
            "It has two sentences."
        ],
        "questions": [{"text": "Which baseline is the 7.2 point gain against?"}],
        "overall": 6,
    }
    units = review_units(review)
    assert "The 109.8% accuracy cannot be right." in units
    assert "Which baseline is the 7.2 point gain against?" in units
    assert "A second paragraph starts here. It has two sentences." in units  # a paragraph too
    assert not any("impossible" in u for u in units)


@pytest.mark.embedding_model
def test_frozen_threshold_is_the_one_fitted_on_the_hand_labelled_comments(minilm: Any) -> None:
    from reviewer.embed import Embedder
    from reviewer.flaws.fit import choose, features, load_labelled, rates

    frozen = json.loads((ROOT / "evals" / "flaws_matcher_fit.json").read_text())
    assert frozen["matcher"] == MATCHER_VERSION
    items = load_labelled()  # also checks that every label's planted text is current
    fit = features([x for x in items if x.set == "fit"], Embedder(use_cache=False))
    threshold, table = choose(fit)
    assert threshold == DESCRIPTION_THRESHOLD == frozen["chosen_threshold"]
    assert rates(fit, threshold)["balanced_accuracy"] >= 0.85
    for how, floor in (("quoted", 0.9), ("described", 0.7)):  # held out: 0.944 and 0.778
        check = [x for x in items if x.set == "check" and x.why == how]
        assert rates(features(check, Embedder(use_cache=False)), threshold)["tpr"] >= floor
