"""The calibration stage: raw model scores -> the human rating scale of a venue-year.

Small (and large) models are lenient and barely vary their scores, so a review's raw
``overall`` says little on its own. A ridge regression fitted on the train split maps the raw
scores, one intercept per venue-year and, optionally, the abstract's embedding to the mean human
rating on the common 1-10 scale. The fitted parameters are a small JSON file (``fit`` writes it
with the command that refits it); the raw scores always stay in the review, the calibrated ones
go beside them in the run record.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reviewer.errors import ConfigError

SCORE_FEATURES = ("overall", "soundness", "presentation", "contribution", "confidence")
POOLED = "*"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "evals" / "score-calibration.json"


def venue_key(venue: str | None, year: int | None) -> str:
    """``neurips-2024``; ``*`` when either is unknown (the pooled intercept is used)."""
    if not venue or not year:
        return POOLED
    return f"{venue.strip().lower()}-{year}"


@dataclass
class Sample:
    """One train paper: the model's raw scores, its venue-year, and the human mean rating."""

    scores: Mapping[str, float]
    venue: str
    human: float
    accepted: bool | None = None
    embedding: np.ndarray | None = None


@dataclass
class Calibration:
    """Fitted ridge parameters; ``predict`` is all the pipeline and the eval need."""

    features: list[str]
    coef: list[float]
    intercepts: dict[str, float]
    accept_at: float
    embedding_coef: list[float] | None = None
    fitted: dict[str, Any] = field(default_factory=dict)

    def predict(
        self, scores: Mapping[str, Any], venue: str, embedding: np.ndarray | None = None
    ) -> float:
        """Calibrated overall on the common 1-10 scale (clipped to it)."""
        x = [_score(scores, f) for f in self.features]
        value = self.intercepts.get(venue, self.intercepts[POOLED])
        value += float(np.dot(self.coef, x))
        if self.embedding_coef is not None:
            if embedding is None:
                raise ConfigError("this calibration uses the abstract embedding; none was given")
            value += float(np.dot(self.embedding_coef, embedding))
        return min(10.0, max(1.0, value))

    def apply(
        self, review: Mapping[str, Any], venue: str, embedding: np.ndarray | None = None
    ) -> dict[str, Any]:
        """What a run record stores beside the raw review."""
        overall = round(self.predict(review, venue, embedding), 2)
        decision = "accept" if overall >= self.accept_at else "reject"
        return {"overall": overall, "decision": decision, "venue": venue}

    @property
    def uses_embedding(self) -> bool:
        return self.embedding_coef is not None

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        p = Path(path).expanduser()
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            calibration = cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(f"cannot read calibration file {p}: {exc}") from exc
        if POOLED not in calibration.intercepts:
            raise ConfigError(f"calibration file {p} has no pooled ('*') intercept")
        return calibration


def resolve(spec: str | None) -> Calibration | None:
    """``none`` -> no calibration; a path -> that file; unset -> the repo's file if present."""
    if spec is not None and spec.lower() == "none":
        return None
    if spec is None:
        return Calibration.load(DEFAULT_PATH) if DEFAULT_PATH.is_file() else None
    return Calibration.load(spec)


def _score(scores: Mapping[str, Any], name: str) -> float:
    value = scores.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


def fit(
    samples: Sequence[Sample],
    *,
    alpha: float = 1.0,
    use_embedding: bool = False,
    folds: int = 5,
    seed: int = 0,
) -> Calibration:
    """Ridge on raw scores (+ venue-year one-hots, + embedding); reports k-fold CV error.

    Score features that are missing from any sample are left out (forms differ in sub-scores).
    ``accept_at`` is the calibrated score above which the train papers' share is their accept
    rate (or, without decisions, the share of human means >= 6): the rule is fitted, not assumed.
    """
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold

    if len(samples) < folds * 2:
        raise ConfigError(f"too few samples to fit a calibration: {len(samples)}")
    features = [
        f for f in SCORE_FEATURES if all(not math.isnan(_score(s.scores, f)) for s in samples)
    ]
    if "overall" not in features:
        raise ConfigError("every sample needs a numeric 'overall'")
    venues = sorted({s.venue for s in samples})
    x, y = _design(samples, features, venues, use_embedding), np.array([s.human for s in samples])
    errors = np.zeros(len(samples))
    for train, held in KFold(folds, shuffle=True, random_state=seed).split(x):
        model = Ridge(alpha=alpha).fit(x[train], y[train])
        errors[held] = np.abs(model.predict(x[held]) - y[held])
    model = Ridge(alpha=alpha).fit(x, y)
    n_scores = len(features)
    venue_coef = model.coef_[n_scores : n_scores + len(venues)]
    intercepts = {v: float(model.intercept_ + c) for v, c in zip(venues, venue_coef, strict=True)}
    counts = np.array([sum(s.venue == v for s in samples) for v in venues], float)
    intercepts[POOLED] = float(np.dot(counts, list(intercepts.values())) / counts.sum())
    fitted = model.predict(x)
    decided = [s.accepted for s in samples if s.accepted is not None]
    accept_share = float(np.mean(decided)) if decided else float(np.mean(y >= 6.0))
    accept_at = float(np.quantile(fitted, 1.0 - accept_share)) if accept_share > 0 else 10.0
    return Calibration(
        features=features,
        coef=[float(c) for c in model.coef_[:n_scores]],
        intercepts=intercepts,
        accept_at=round(accept_at, 4),
        embedding_coef=(
            [float(c) for c in model.coef_[n_scores + len(venues) :]] if use_embedding else None
        ),
        fitted={
            "n": len(samples),
            "alpha": alpha,
            "cv_mae": round(float(errors.mean()), 4),
            "raw_mae": round(float(np.mean(np.abs(x[:, 0] - y))), 4),
            "venues": {v: int(c) for v, c in zip(venues, counts, strict=True)},
        },
    )


def _design(
    samples: Sequence[Sample], features: list[str], venues: list[str], use_embedding: bool
) -> np.ndarray:
    rows = []
    for s in samples:
        row = [_score(s.scores, f) for f in features]
        row += [1.0 if s.venue == v else 0.0 for v in venues]
        if use_embedding:
            if s.embedding is None:
                raise ConfigError("use_embedding needs every sample's abstract embedding")
            row += list(map(float, s.embedding))
        rows.append(row)
    return np.array(rows, dtype=float)
