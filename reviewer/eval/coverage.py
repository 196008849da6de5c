"""Which review aspects a review covers, by a detector validated on DISAPERE.

DISAPERE labels every sentence of 506 ICLR reviews with the aspect it is about. A multinomial
logistic regression on the sentences' MiniLM embeddings (fitted on DISAPERE train, C chosen on
dev) gives each unit a probability per aspect. Coverage is a review-level question, so a review
covers an aspect when some unit's probability reaches that aspect's threshold, tuned on dev for
review-level F1. Both levels are scored on the untouched test split. The fitted weights and
thresholds are frozen in ``evals/aspect_detector.json`` with their measured accuracy, so every
run uses the same detector; refit with ``python -m reviewer.eval.coverage`` (deterministic).
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reviewer.embed import MODEL_NAME, Encoder
from reviewer.references import SPLITS
from reviewer.resources import builtin

ASPECTS = (
    "motivation",
    "originality",
    "soundness",
    "substance",
    "replicability",
    "meaningful_comparison",
    "clarity",
)
NONE = "none"
DISAPERE_ASPECTS = {
    "asp_motivation-impact": "motivation",
    "asp_originality": "originality",
    "asp_soundness-correctness": "soundness",
    "asp_substance": "substance",
    "asp_replicability": "replicability",
    "asp_meaningful-comparison": "meaningful_comparison",
    "asp_clarity": "clarity",
}
"""DISAPERE's aspect labels; every other label (``none``, ``arg_other``) means no aspect."""

C_GRID = (0.3, 1.0, 3.0, 10.0)
THRESHOLD_GRID = tuple(round(t, 3) for t in np.arange(0.05, 0.951, 0.025))
DETECTOR_PATH = builtin("evals") / "aspect_detector.json"


@dataclass
class AspectDetector:
    """Multinomial logistic regression weights over the embedding, with their validation."""

    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    thresholds: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def _model(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression()
        model.classes_ = np.array(self.classes)
        model.coef_ = self.coef
        model.intercept_ = self.intercept
        return model

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """The aspect (or ``none``) of each row vector."""
        if vectors.shape[0] == 0:
            return np.array([], dtype=object)
        return self._model().predict(vectors)

    def unit_scores(self, vectors: np.ndarray) -> np.ndarray:
        """``(units, 7)`` probability of each aspect, columns in ``ASPECTS`` order."""
        if vectors.shape[0] == 0:
            return np.zeros((0, len(ASPECTS)))
        proba = self._model().predict_proba(vectors)
        return proba[:, [self.classes.index(a) for a in ASPECTS]]

    def covered(self, vectors: np.ndarray) -> dict[str, bool]:
        """Which aspects one review (its unit vectors) covers."""
        if vectors.shape[0] == 0:
            return {a: False for a in ASPECTS}
        top = self.unit_scores(vectors).max(axis=0)
        return {a: bool(top[k] >= self.thresholds.get(a, 0.5)) for k, a in enumerate(ASPECTS)}

    def to_json(self) -> dict[str, Any]:
        return {
            "model": MODEL_NAME,
            "classes": self.classes,
            "coef": np.round(self.coef, 6).tolist(),
            "intercept": np.round(self.intercept, 6).tolist(),
            "thresholds": self.thresholds,
            "info": self.info,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AspectDetector:
        return cls(
            list(data["classes"]),
            np.asarray(data["coef"], dtype=np.float64),
            np.asarray(data["intercept"], dtype=np.float64),
            {k: float(v) for k, v in data.get("thresholds", {}).items()},
            dict(data.get("info", {})),
        )


def load_detector(path: Path = DETECTOR_PATH) -> AspectDetector | None:
    """The frozen detector, or None when the file is not there (an install without evals/)."""
    if not path.is_file():
        return None
    return AspectDetector.from_json(json.loads(path.read_text()))


def disapere_sentences(data_dir: Path, split: str) -> tuple[list[str], list[str], list[int]]:
    """(sentence texts, aspect labels, review number) of one DISAPERE split, read in place."""
    path = data_dir / "disapere" / f"disapere_{split}.jsonl.gz"
    texts: list[str] = []
    labels: list[str] = []
    reviews: list[int] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for number, line in enumerate(fh):
            record = json.loads(line)
            for sentence in record["review_sentences"]:
                text = sentence["text"].strip()
                if text:
                    texts.append(text)
                    labels.append(DISAPERE_ASPECTS.get(sentence["aspect"], NONE))
                    reviews.append(number)
    return texts, labels, reviews


def _review_truth(labels: np.ndarray, reviews: np.ndarray) -> np.ndarray:
    """``(reviews, 7)``: does the review have a sentence of each aspect."""
    ids = np.unique(reviews)
    return np.array([[np.any(labels[reviews == r] == a) for a in ASPECTS] for r in ids])


def _review_top(scores: np.ndarray, reviews: np.ndarray) -> np.ndarray:
    """``(reviews, 7)``: the highest unit probability of each aspect per review."""
    return np.array([scores[reviews == r].max(axis=0) for r in np.unique(reviews)])


def _review_scores(truth: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

    majority = np.mean([max(t.mean(), 1 - t.mean()) for t in truth.T])
    return {
        "n_reviews": int(truth.shape[0]),
        "accuracy": float(accuracy_score(truth.ravel(), pred.ravel())),
        "mean_balanced_accuracy": float(
            np.mean([balanced_accuracy_score(truth[:, k], pred[:, k]) for k in range(len(ASPECTS))])
        ),
        "majority_baseline_accuracy": float(majority),
        "macro_f1": float(
            np.mean(
                [f1_score(truth[:, k], pred[:, k], zero_division=0) for k in range(len(ASPECTS))]
            )
        ),
        "true_coverage": {a: float(truth[:, k].mean()) for k, a in enumerate(ASPECTS)},
        "predicted_coverage": {a: float(pred[:, k].mean()) for k, a in enumerate(ASPECTS)},
        "per_aspect_f1": {
            a: float(f1_score(truth[:, k], pred[:, k], zero_division=0))
            for k, a in enumerate(ASPECTS)
        },
    }


def _scores(y_true: Sequence[str], y_pred: Sequence[str], seed: int = 0) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rng = np.random.default_rng(seed)
    n = y_true.size
    boots = [accuracy_score(y_true[i], y_pred[i]) for i in rng.integers(0, n, size=(1000, n))]
    labels = [*ASPECTS]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    # Coverage only asks "is the aspect there?", so the aspect-vs-none decision matters too.
    any_true, any_pred = y_true != NONE, y_pred != NONE
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "accuracy_ci": [float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))],
        "macro_f1_aspects": float(f1_score(y_true, y_pred, labels=labels, average="macro")),
        "majority_baseline_accuracy": float(
            np.mean(y_true == Counter(y_true).most_common(1)[0][0])
        ),
        "aspect_vs_none_accuracy": float(np.mean(any_true == any_pred)),
        "n_sentences": int(n),
        "per_aspect": {
            a: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "n": int(s[i])}
            for i, a in enumerate(labels)
        },
    }


def _tune_thresholds(truth: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Per aspect, the grid threshold with the best review-level balanced accuracy."""
    from sklearn.metrics import balanced_accuracy_score

    return np.array(
        [
            THRESHOLD_GRID[
                int(
                    np.argmax(
                        [
                            balanced_accuracy_score(truth[:, k], top[:, k] >= t)
                            for t in THRESHOLD_GRID
                        ]
                    )
                )
            ]
            for k in range(len(ASPECTS))
        ]
    )


def fit_detector(data_dir: Path, encoder: Encoder) -> AspectDetector:
    """Fit on DISAPERE train; choose C and the thresholds on dev; report test. Deterministic."""
    from sklearn.linear_model import LogisticRegression

    splits = {s: disapere_sentences(data_dir, s) for s in SPLITS}
    vectors = {s: encoder.encode(texts) for s, (texts, _, _) in splits.items()}
    y = {s: np.asarray(labels) for s, (_, labels, _) in splits.items()}
    review = {s: np.asarray(numbers) for s, (_, _, numbers) in splits.items()}
    truth = {s: _review_truth(y[s], review[s]) for s in ("dev", "test")}
    best: tuple[float, AspectDetector, float] | None = None
    dev_by_c = {}
    for c in C_GRID:
        model = LogisticRegression(C=c, max_iter=3000).fit(vectors["train"], y["train"])
        candidate = AspectDetector([str(k) for k in model.classes_], model.coef_, model.intercept_)
        top = _review_top(candidate.unit_scores(vectors["dev"]), review["dev"])
        limits = _tune_thresholds(truth["dev"], top)
        candidate.thresholds = {a: float(t) for a, t in zip(ASPECTS, limits, strict=True)}
        score = _review_scores(truth["dev"], top >= limits)["mean_balanced_accuracy"]
        dev_by_c[str(c)] = score
        if best is None or score > best[0]:
            best = (score, candidate, c)
    assert best is not None
    _, detector, c = best
    limits = np.array([detector.thresholds[a] for a in ASPECTS])
    top = {s: _review_top(detector.unit_scores(vectors[s]), review[s]) for s in ("dev", "test")}
    detector.info = {
        "data": "DISAPERE (ICLR 2019-2020), sentence-level aspect labels; none/arg_other = none",
        "features": f"{MODEL_NAME} sentence embeddings (L2-normalised, 256 tokens)",
        "classifier": f"sklearn LogisticRegression(C={c}, lbfgs, multinomial)",
        "coverage_rule": "aspect covered when some unit's probability >= the aspect's threshold",
        "selection": "C and thresholds maximise dev review-level mean balanced accuracy",
        "dev_mean_balanced_accuracy_by_c": dev_by_c,
        "train_sentences": int(y["train"].size),
        "sentence_level": {s: _scores(y[s], detector.predict(vectors[s])) for s in ("dev", "test")},
        "review_level": {s: _review_scores(truth[s], top[s] >= limits) for s in ("dev", "test")},
        "refit": "python -m reviewer.eval.coverage  (writes evals/aspect_detector.json)",
    }
    return detector


def main(argv: Sequence[str] | None = None) -> int:
    """Refit the detector from the shared DISAPERE data and freeze it in evals/."""
    from reviewer.embed import Embedder
    from reviewer.references import data_dir

    out = Path(argv[0]) if argv else DETECTOR_PATH
    detector = fit_detector(data_dir(), Embedder())
    out.write_text(json.dumps(detector.to_json(), indent=1) + "\n")
    sentence = detector.info["sentence_level"]["test"]
    review = detector.info["review_level"]["test"]
    print(
        f"wrote {out}: test sentence accuracy {sentence['accuracy']:.3f} "
        f"({sentence['n_sentences']} sentences); review level: accuracy {review['accuracy']:.3f}, "
        f"mean balanced accuracy {review['mean_balanced_accuracy']:.3f}, "
        f"macro-F1 {review['macro_f1']:.3f} ({review['n_reviews']} reviews)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
