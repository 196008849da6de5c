"""Fitting a score calibration on train-split papers (``reviewer calibrate``, the eval).

Kept apart from :mod:`reviewer.calibration`, which applies a fitted file at review time:
fitting needs scikit-learn and scipy (the ``[eval]`` extra) and the cross-validation that
chooses the penalty and the interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reviewer.errors import ConfigError

if TYPE_CHECKING:  # numpy, sklearn and scipy are the [eval] extra: imported where used
    import numpy as np

from reviewer.calibration import (
    INTERVAL_LEVEL,
    MIN_VENUE_RESIDUALS,
    POOLED,
    SCORE_FEATURES,
    Calibration,
    Prior,
    _score,
)

MIN_PRIOR_PAPERS = 20
# Penalties tried on the score weights; the largest all but zeroes them.

ALPHAS = (0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)


@dataclass
class Sample:
    """One train paper: the model's raw scores, its venue-year, and the human mean rating."""

    scores: Mapping[str, float]
    venue: str
    human: float
    accepted: bool | None = None
    prior: float | None = None  # the abstract prior's out-of-fold value for this paper


def residual_interval(
    residuals: Sequence[float],
    venues: Sequence[str],
    level: float = INTERVAL_LEVEL,
    levels: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Quantiles of held-out residuals (human mean - calibrated): the offsets that put
    ``level`` of them inside ``[overall + low, overall + high]``, pooled and per venue-year
    (when it has at least :data:`MIN_VENUE_RESIDUALS`).

    ``levels`` (each venue-year's level and the pooled one under ``*``, as ``intercepts``) adds
    the interval of a venue-year the calibration has no level for, under ``by_venue["*"]``: the
    residuals as they would be had each paper been scored with the pooled level, each venue-year
    weighted equally as the pooled level weighs them. A paper of an unknown venue-year is as far
    off as a known venue-year's level is from the pooled one, so this interval is wider than a
    known venue-year's.
    """
    import numpy as np

    res = np.asarray(residuals, dtype=float)
    tails = [(1 - level) / 2, (1 + level) / 2]

    def bounds(rows: np.ndarray, weights: np.ndarray | None = None) -> dict[str, float]:
        method = "linear" if weights is None else "inverted_cdf"
        low, high = np.quantile(rows, tails, weights=weights, method=method)
        return {"low": round(float(low), 4), "high": round(float(high), 4), "n": int(rows.size)}

    arr = np.asarray(venues)
    by_venue = {
        str(v): bounds(res[arr == v])
        for v in sorted(set(venues))
        if int(np.sum(arr == v)) >= MIN_VENUE_RESIDUALS
    }
    if levels:
        known = np.array([v in levels and v != POOLED for v in venues])
        counts = {v: int(np.sum(arr == v)) for v in set(arr[known])}
        moved = res[known] + np.array([levels[v] - levels[POOLED] for v in arr[known]])
        by_venue[POOLED] = bounds(moved, np.array([1.0 / counts[v] for v in arr[known]]))
    return {"level": level, **bounds(res), "by_venue": by_venue}


def fit_prior(
    ids: Sequence[str],
    texts: Sequence[str],
    humans: Sequence[float],
    venues: Sequence[str],
    *,
    max_terms: int = 5000,
    folds: int = 5,
    seed: int = 0,
) -> tuple[Prior, dict[str, float]]:
    """The abstract prior (alpha by cross-validation) from each paper's text to its human mean
    minus its venue-year's train mean, and every paper's out-of-fold prior value."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge, RidgeCV
    from sklearn.model_selection import KFold, cross_val_predict

    humans_arr = np.asarray(humans, dtype=float)
    means = {v: float(humans_arr[[u == v for u in venues]].mean()) for v in set(venues)}
    target = humans_arr - np.array([means[v] for v in venues])
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), max_features=max_terms, min_df=3, sublinear_tf=True
    )
    if len(texts) < MIN_PRIOR_PAPERS:
        raise ConfigError(f"too few rated train papers for the abstract prior: {len(texts)}")
    try:
        x = vectorizer.fit_transform(texts)
    except ValueError as exc:  # every term pruned: the texts share too few words
        raise ConfigError(f"cannot fit the abstract prior: {exc}") from exc
    cv = KFold(folds, shuffle=True, random_state=seed)
    alpha = float(RidgeCV(alphas=(3.0, 10.0, 30.0, 100.0), cv=cv).fit(x, target).alpha_)
    model = Ridge(alpha=alpha).fit(x, target)
    oof = cross_val_predict(Ridge(alpha=alpha), x, target, cv=cv)
    terms = vectorizer.get_feature_names_out()
    prior = Prior(
        terms=[str(t) for t in terms],
        idf=[round(float(v), 6) for v in vectorizer.idf_],
        coef=[round(float(c), 6) for c in model.coef_],
        bias=float(model.intercept_),
        fitted={
            "n": len(ids),
            "alpha": alpha,
            "features": f"TF-IDF of title and abstract, {len(terms)} uni- and bigrams",
            "cv_spearman_within_venue": _within_venue_spearman(oof, target, venues),
        },
    )
    return prior, {pid: float(v) for pid, v in zip(ids, oof, strict=True)}


def fit(
    samples: Sequence[Sample],
    *,
    alpha: float | None = None,
    prior: Prior | None = None,
    folds: int = 5,
    seed: int = 0,
) -> Calibration:
    """Ridge on raw scores within each venue-year (+ the abstract prior as an offset); reports
    k-fold CV error and within-venue Spearman.

    Venue-year levels are fitted exactly and only the score weights are shrunk, so a large
    penalty means "the scores add nothing", never "every venue has the same mean". ``alpha``
    (None: the one of :data:`ALPHAS` with the lowest CV error) is that penalty.
    Score features that are missing from any sample are left out (forms differ in sub-scores).
    With ``prior``, every sample needs its out-of-fold prior value (``Sample.prior``).
    ``accept_at`` holds, per venue-year (and pooled), the calibrated score above which that
    venue's train papers' share is their accept rate (or, without decisions, the share of human
    means >= 6): the rule is fitted per venue, not assumed, since accept rates differ.
    """
    import numpy as np
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
    x = np.array([[_score(s.scores, f) for f in features] for s in samples], dtype=float)
    y = np.array([s.human for s in samples])
    offset = np.array([s.prior or 0.0 for s in samples]) if prior is not None else np.zeros(len(y))
    venues = np.array([s.venue for s in samples])
    splits = list(KFold(folds, shuffle=True, random_state=seed).split(x))

    def cross_validate(a: float) -> tuple[np.ndarray, np.ndarray]:
        # cv: held-out predictions; cv_rank: the same without the venue levels, which differ
        # from fold to fold and would otherwise swamp (and bias) the within-venue ranking
        cv, cv_rank = np.zeros(len(y)), np.zeros(len(y))
        for train, held in splits:
            coef, levels = _fit_within(x[train], y[train] - offset[train], venues[train], a)
            cv_rank[held] = x[held] @ coef + offset[held]
            cv[held] = cv_rank[held] + [levels.get(v, levels[POOLED]) for v in venues[held]]
        return cv, cv_rank

    runs = {a: cross_validate(a) for a in ((alpha,) if alpha is not None else ALPHAS)}
    errors = {a: float(np.abs(cv - y).mean()) for a, (cv, _) in runs.items()}
    chosen = min(errors, key=lambda a: (errors[a], -a))  # ties: the simpler (flatter) model
    cv, cv_rank = runs[chosen]
    coef, intercepts = _fit_within(x, y - offset, venues, chosen)
    interval = residual_interval(y - cv, list(venues), levels=intercepts)
    fitted_values = x @ coef + offset + [intercepts[v] for v in venues]
    accept_at = {
        v: _threshold(fitted_values[venues == v], [samples[i] for i in np.flatnonzero(venues == v)])
        for v in sorted(set(venues))
    }
    accept_at[POOLED] = _threshold(fitted_values, samples)
    return Calibration(
        features=features,
        coef=[float(c) for c in coef],
        intercepts=intercepts,
        accept_at=accept_at,
        prior=prior,
        fitted={
            "n": len(samples),
            "alpha": chosen,
            "cv_mae_by_alpha": {str(a): round(e, 4) for a, e in errors.items()},
            "cv_mae": round(errors[chosen], 4),
            "raw_mae": round(float(np.mean(np.abs(x[:, 0] - y))), 4),
            "cv_spearman_within_venue": _within_venue_spearman(cv_rank, y, list(venues)),
            "raw_spearman_within_venue": _within_venue_spearman(x[:, 0], y, list(venues)),
            "venues": {v: int(np.sum(venues == v)) for v in sorted(set(venues))},
        },
        interval={**interval, "from": f"{folds}-fold CV residuals (human mean - calibrated)"},
    )


def _threshold(calibrated: np.ndarray, samples: Sequence[Sample]) -> float:
    """The score above which the papers' share is their accept rate (or, without decisions,
    their share of human means >= 6)."""
    import numpy as np

    decided = [s.accepted for s in samples if s.accepted is not None]
    share = (
        float(np.mean(decided)) if decided else float(np.mean([s.human >= 6.0 for s in samples]))
    )
    return round(float(np.quantile(calibrated, 1.0 - share)), 4) if share > 0 else 10.0


def _fit_within(
    x: np.ndarray, target: np.ndarray, venues: np.ndarray, alpha: float
) -> tuple[np.ndarray, dict[str, float]]:
    """Ridge weights of the scores on venue-demeaned data, and each venue-year's level (plus
    the paper-weighted pooled level for venues the fit never saw)."""
    import numpy as np
    from sklearn.linear_model import Ridge

    centred_x, centred_t = x.copy(), target.copy()
    means: dict[str, tuple[np.ndarray, float]] = {}
    for v in sorted(set(venues)):
        rows = venues == v
        means[str(v)] = (x[rows].mean(axis=0), float(target[rows].mean()))
        centred_x[rows] -= means[str(v)][0]
        centred_t[rows] -= means[str(v)][1]
    coef = Ridge(alpha=alpha, fit_intercept=False).fit(centred_x, centred_t).coef_
    levels = {v: float(mt - mx @ coef) for v, (mx, mt) in means.items()}
    counts = [int(np.sum(venues == v)) for v in levels]
    levels[POOLED] = float(np.dot(counts, list(levels.values())) / sum(counts))
    return coef, levels


def _within_venue_spearman(
    pred: np.ndarray, human: np.ndarray, venues: Sequence[str]
) -> float | None:
    """Mean over venue-years (weighted by papers) of Spearman(pred, human): the ranking a
    venue intercept cannot supply."""
    import numpy as np
    from scipy.stats import spearmanr

    total, weight = 0.0, 0
    for v in set(venues):
        idx = [i for i, u in enumerate(venues) if u == v]
        if len(idx) < 3 or np.ptp(pred[idx]) == 0:
            continue
        total += len(idx) * float(spearmanr(pred[idx], human[idx]).statistic)
        weight += len(idx)
    return round(total / weight, 4) if weight else None
