"""The aspect detector: frozen file, review-level rule, and its recorded validation."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.eval.coverage import ASPECTS, DETECTOR_PATH, AspectDetector, load_detector


def toy_detector() -> AspectDetector:
    """Unit vector e_k means aspect k (k < 7); e_7 means none."""
    classes = sorted([*ASPECTS, "none"])
    coef = np.zeros((len(classes), 8))
    for row, name in enumerate(classes):
        col = ASPECTS.index(name) if name in ASPECTS else 7
        coef[row, col] = 20.0
    return AspectDetector(classes, coef, np.zeros(len(classes)), {a: 0.5 for a in ASPECTS})


def test_review_covers_an_aspect_when_some_unit_is_confident() -> None:
    det = toy_detector()
    units = np.eye(8)[[ASPECTS.index("clarity"), 7, ASPECTS.index("soundness")]]
    covered = det.covered(units)
    assert {a for a, yes in covered.items() if yes} == {"clarity", "soundness"}
    assert det.covered(np.zeros((0, 8))) == {a: False for a in ASPECTS}
    assert list(det.predict(units)) == ["clarity", "none", "soundness"]


def test_json_round_trip() -> None:
    det = toy_detector()
    back = AspectDetector.from_json(det.to_json())
    units = np.eye(8)
    assert np.allclose(back.unit_scores(units), det.unit_scores(units), atol=1e-5)
    assert back.thresholds == det.thresholds


def test_frozen_detector_records_its_validation() -> None:
    det = load_detector()
    if det is None:
        pytest.skip(f"{DETECTOR_PATH} not present")
    assert det.coef.shape == (len(ASPECTS) + 1, 384)
    assert set(det.thresholds) == set(ASPECTS)
    review = det.info["review_level"]["test"]
    sentence = det.info["sentence_level"]["test"]
    assert review["n_reviews"] == 167 and sentence["n_sentences"] > 3000
    assert review["accuracy"] > review["majority_baseline_accuracy"]
    assert sentence["accuracy"] > sentence["majority_baseline_accuracy"]
