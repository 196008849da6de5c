"""The calibration stage: raw model scores -> the human rating scale of a venue-year.

Small (and large) models are lenient and barely vary their scores, so a review's raw
``overall`` says little on its own. A ridge regression fitted on the train split maps the raw
scores and one intercept per venue-year to the mean human rating on the common 1-10 scale.
Optionally an abstract prior is added: a second ridge, from the abstract's embedding to how far a
paper's human mean sits from its venue-year's, fitted on every rated train paper (thousands, no
model calls needed). It already predicts in rating units, so it enters as a fixed offset rather
than a weight learned from the few reviewed papers (which shrank it to noise); the first ridge is
fitted on what the prior leaves, using each paper's out-of-fold prior value. The fitted
parameters are a small JSON file (``fit`` writes it with the command that refits it); the raw
scores always stay in the review, the calibrated ones go beside them in the run record.
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


def embedding_text(title: str, abstract: str) -> str:
    """What the abstract embedding is taken of (the same text the eval's baselines embed)."""
    return f"{title}. {abstract}".strip()


@dataclass
class Sample:
    """One train paper: the model's raw scores, its venue-year, and the human mean rating."""

    scores: Mapping[str, float]
    venue: str
    human: float
    accepted: bool | None = None
    prior: float | None = None  # the abstract prior's out-of-fold value for this paper


@dataclass
class Prior:
    """Ridge from the abstract embedding to (human mean - venue-year mean), with the
    out-of-fold value for every paper it was fitted on."""

    coef: np.ndarray
    bias: float
    oof: dict[str, float]
    fitted: dict[str, Any]

    def predict(self, embedding: np.ndarray) -> float:
        return float(np.dot(self.coef, embedding)) + self.bias


@dataclass
class Calibration:
    """Fitted ridge parameters; ``predict`` is all the pipeline and the eval need."""

    features: list[str]
    coef: list[float]
    intercepts: dict[str, float]
    accept_at: float
    embedding_coef: list[float] | None = None
    embedding_bias: float = 0.0
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
            value += float(np.dot(self.embedding_coef, embedding)) + self.embedding_bias
        return min(10.0, max(1.0, value))

    def apply(
        self, review: Mapping[str, Any], venue: str, embedding: np.ndarray | None = None
    ) -> dict[str, Any]:
        """What a run record stores beside the raw review."""
        overall = round(self.predict(review, venue, embedding), 2)
        decision = "accept" if overall >= self.accept_at else "reject"
        return {"overall": overall, "decision": decision, "venue": venue}

    def matches(self, model: str | None, form: str | None) -> bool:
        """Whether reviews by ``model`` in ``form`` are what this calibration was fitted on
        (another model's scores mean something else)."""
        return self.fitted.get("model") in (None, model) and self.fitted.get("form") in (None, form)

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


def resolve(
    spec: str | None, model: str | None = None, form: str | None = None
) -> Calibration | None:
    """``none`` -> no calibration; a path -> that file; unset -> the repo's file, but only for
    reviews by the model and form it was fitted on."""
    if spec is not None and spec.lower() == "none":
        return None
    if spec is None:
        if not DEFAULT_PATH.is_file():
            return None
        calibration = Calibration.load(DEFAULT_PATH)
        return calibration if calibration.matches(model, form) else None
    return Calibration.load(spec)


def _score(scores: Mapping[str, Any], name: str) -> float:
    value = scores.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


def fit_prior(
    ids: Sequence[str],
    vectors: np.ndarray,
    humans: Sequence[float],
    venues: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
) -> Prior:
    """The abstract prior: ridge (alpha by leave-one-out) from embedding to the paper's human
    mean minus its venue-year's train mean; ``oof`` holds each paper's out-of-fold value."""
    from sklearn.linear_model import Ridge, RidgeCV
    from sklearn.model_selection import KFold, cross_val_predict

    humans_arr = np.asarray(humans, dtype=float)
    means = {v: float(humans_arr[[u == v for u in venues]].mean()) for v in set(venues)}
    target = humans_arr - np.array([means[v] for v in venues])
    model = RidgeCV(alphas=(0.3, 1.0, 3.0, 10.0, 30.0, 100.0)).fit(vectors, target)
    alpha = float(model.alpha_)
    oof = cross_val_predict(
        Ridge(alpha=alpha), vectors, target, cv=KFold(folds, shuffle=True, random_state=seed)
    )
    return Prior(
        coef=model.coef_.astype(float),
        bias=float(model.intercept_),
        oof={pid: float(v) for pid, v in zip(ids, oof, strict=True)},
        fitted={
            "n": len(ids),
            "alpha": alpha,
            "cv_spearman_within_venue": _within_venue_spearman(oof, target, venues),
        },
    )


def fit(
    samples: Sequence[Sample],
    *,
    alpha: float = 1.0,
    prior: Prior | None = None,
    folds: int = 5,
    seed: int = 0,
) -> Calibration:
    """Ridge on raw scores and venue-year one-hots (+ the abstract prior as an offset); reports
    k-fold CV error and within-venue Spearman.

    Score features that are missing from any sample are left out (forms differ in sub-scores).
    With ``prior``, every sample needs its out-of-fold prior value (``Sample.prior``).
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
    if prior is not None and any(s.prior is None for s in samples):
        raise ConfigError("the abstract prior needs every sample's out-of-fold prior value")
    venues = sorted({s.venue for s in samples})
    x, y = _design(samples, features, venues), np.array([s.human for s in samples])
    offset = np.array([s.prior or 0.0 for s in samples]) if prior is not None else np.zeros(len(y))
    n_features = len(features)
    # cv: held-out predictions; cv_rank: the same without the venue intercepts, which differ
    # from fold to fold and would otherwise swamp (and bias) the within-venue ranking
    cv, cv_rank = np.zeros(len(samples)), np.zeros(len(samples))
    for train, held in KFold(folds, shuffle=True, random_state=seed).split(x):
        model = Ridge(alpha=alpha).fit(x[train], y[train] - offset[train])
        cv[held] = model.predict(x[held]) + offset[held]
        cv_rank[held] = x[held, :n_features] @ model.coef_[:n_features] + offset[held]
    model = Ridge(alpha=alpha).fit(x, y - offset)
    venue_coef = model.coef_[n_features:]
    intercepts = {v: float(model.intercept_ + c) for v, c in zip(venues, venue_coef, strict=True)}
    counts = np.array([sum(s.venue == v for s in samples) for v in venues], float)
    intercepts[POOLED] = float(np.dot(counts, list(intercepts.values())) / counts.sum())
    fitted = model.predict(x) + offset
    decided = [s.accepted for s in samples if s.accepted is not None]
    accept_share = float(np.mean(decided)) if decided else float(np.mean(y >= 6.0))
    accept_at = float(np.quantile(fitted, 1.0 - accept_share)) if accept_share > 0 else 10.0
    sample_venues = [s.venue for s in samples]
    return Calibration(
        features=features,
        coef=[float(c) for c in model.coef_[:n_features]],
        intercepts=intercepts,
        accept_at=round(accept_at, 4),
        embedding_coef=None if prior is None else [float(c) for c in prior.coef],
        embedding_bias=0.0 if prior is None else prior.bias,
        fitted={
            "n": len(samples),
            "alpha": alpha,
            "cv_mae": round(float(np.abs(cv - y).mean()), 4),
            "raw_mae": round(float(np.mean(np.abs(x[:, 0] - y))), 4),
            "cv_spearman_within_venue": _within_venue_spearman(cv_rank, y, sample_venues),
            "raw_spearman_within_venue": _within_venue_spearman(x[:, 0], y, sample_venues),
            "venues": {v: int(c) for v, c in zip(venues, counts, strict=True)},
            **({"prior": prior.fitted} if prior is not None else {}),
        },
    )


def _within_venue_spearman(
    pred: np.ndarray, human: np.ndarray, venues: Sequence[str]
) -> float | None:
    """Mean over venue-years (weighted by papers) of Spearman(pred, human): the ranking a
    venue intercept cannot supply."""
    from scipy.stats import spearmanr

    total, weight = 0.0, 0
    for v in set(venues):
        idx = [i for i, u in enumerate(venues) if u == v]
        if len(idx) < 3 or np.ptp(pred[idx]) == 0:
            continue
        total += len(idx) * float(spearmanr(pred[idx], human[idx]).statistic)
        weight += len(idx)
    return round(total / weight, 4) if weight else None


def _design(samples: Sequence[Sample], features: list[str], venues: list[str]) -> np.ndarray:
    rows = []
    for s in samples:
        row = [_score(s.scores, f) for f in features]
        row += [1.0 if s.venue == v else 0.0 for v in venues]
        rows.append(row)
    return np.array(rows, dtype=float)
