"""Decision, rating and human-baseline metrics, each with a paired bootstrap interval.

Every figure is a function of per-paper arrays, so its interval comes from resampling papers
with replacement (a fixed seed, the same resamples for every system: the intervals are
paired). Point estimates and resample statistics go through scikit-learn and scipy, and AUC is
always computed from the continuous score. One exception, for speed: the decision figures of
all resamples come at once from their confusion counts (``decision_counts``), with
scikit-learn's own arithmetic, equal to its functions to the bit (tested); a call per resample
cost about 3 s per system on 2 cores.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import sklearn
from scipy import stats
from sklearn.metrics import (
    balanced_accuracy_score,
    mean_absolute_error,
    roc_auc_score,
    root_mean_squared_error,
)

DECISION_THRESHOLD = 6.0
"""The pre-registered rule: accept when overall >= 6 on the 1-10 scale (AI Scientist's rule)."""
N_RESAMPLES = 1000
SEED = 0
CONFIDENCE = 0.95

Stat = Callable[[np.ndarray], dict[str, float]]
ManyStat = Callable[[np.ndarray], dict[str, np.ndarray]]
"""Figures of many index rows at once: ``(resamples, n)`` indices -> one array per name."""

DECISION_NAMES = ("balanced_accuracy", "f1", "fpr", "fnr", "pred_accept_rate", "true_accept_rate")
RATING_NAMES = ("mae", "rmse", "pearson", "spearman", "kendall", "mean_pred", "mean_human",
                "exact_match_any_human")  # fmt: skip
HUMAN_NAMES = ("loo_pearson", "loo_spearman", "loo_mae", "single_reviewer_balanced_accuracy")


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95% bootstrap interval and the number of papers it is computed on."""

    value: float | None
    ci_low: float | None
    ci_high: float | None
    n_papers: int

    def to_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def _clean(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


class Bootstrap:
    """Percentile intervals from resampling papers; resamples depend only on (seed, n)."""

    def __init__(self, n_resamples: int = N_RESAMPLES, seed: int = SEED) -> None:
        self.n_resamples = n_resamples
        self.seed = seed
        self._indices: dict[int, np.ndarray] = {}

    def indices(self, n: int) -> np.ndarray:
        """``(n_resamples, n)`` paper indices, the same for every metric and system."""
        if n not in self._indices:
            rng = np.random.default_rng([self.seed, n])
            self._indices[n] = rng.integers(0, n, size=(self.n_resamples, n))
        return self._indices[n]

    def _interval(self, values: np.ndarray) -> tuple[float | None, float | None]:
        values = values[np.isfinite(values)]
        if values.size == 0 or self.n_resamples == 0:
            return None, None
        alpha = (1 - CONFIDENCE) / 2
        low, high = np.quantile(values, [alpha, 1 - alpha])
        return float(low), float(high)

    def run(
        self, stat: Stat, n: int, names: Sequence[str] = (), many: ManyStat | None = None
    ) -> dict[str, Estimate]:
        """Apply ``stat`` (indices -> figures) to all papers and to every resample, and
        ``many`` (all resamples at once) likewise, when given.

        With no papers, every name in ``names`` is reported as not applicable.
        """
        if n == 0:
            return {name: empty() for name in names}
        everything = np.arange(n)
        point = stat(everything)
        columns: dict[str, np.ndarray] = {}
        with np.errstate(all="ignore"):
            if many is not None:
                point = {**{k: float(v[0]) for k, v in many(everything[None]).items()}, **point}
                columns = many(self.indices(n)) if self.n_resamples else {}
        # The resamples are valid by construction: skip scikit-learn's per-call checks.
        with (
            warnings.catch_warnings(),
            np.errstate(all="ignore"),
            sklearn.config_context(assume_finite=True, skip_parameter_validation=True),
        ):
            warnings.simplefilter("ignore")
            samples = [stat(idx) for idx in self.indices(n)] if self.n_resamples else []
        result = {}
        for name, value in point.items():
            if name not in columns:
                columns[name] = np.array([s[name] for s in samples], dtype=float)
            low, high = self._interval(np.asarray(columns[name], dtype=float))
            result[name] = Estimate(_clean(value), low, high, n)
        return result

    def mean(self, values: np.ndarray) -> Estimate:
        """The mean of per-paper values (NaN = not applicable to that paper, left out)."""
        values = np.asarray(values, dtype=float)
        values = values[np.isfinite(values)]
        n = values.size
        if n == 0:
            return empty()
        means = values[self.indices(n)].mean(axis=1) if self.n_resamples else np.array([])
        low, high = self._interval(means)
        return Estimate(float(values.mean()), low, high, n)


def empty() -> Estimate:
    """A figure that does not apply (for example comment overlap for the constant baseline)."""
    return Estimate(None, None, None, 0)


def _safe(fn: Callable[[], float]) -> float:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            value = float(fn())
        except ValueError:
            return float("nan")
    return value


def decision_counts(y: np.ndarray, pred: np.ndarray) -> dict[str, np.ndarray]:
    """The decision figures of every row of ``y`` and ``pred`` (resamples x papers) at once.

    The confusion counts of each row, then scikit-learn's arithmetic on them:
    ``balanced_accuracy_score`` is the mean of the true-negative and true-positive rates
    (NaN here unless the row has both decisions), ``f1_score(zero_division=0)`` is
    ``2 tp / (true + predicted positives)``."""
    tp = (y & pred).sum(axis=1)
    fp = (~y & pred).sum(axis=1)
    fn = (y & ~pred).sum(axis=1)
    tn = (~y & ~pred).sum(axis=1)
    both = (tp + fn > 0) & (tn + fp > 0)
    ba = np.where(both, (tn / np.where(both, tn + fp, 1) + tp / np.where(both, tp + fn, 1)) / 2,
                  np.nan)  # fmt: skip
    denominator = (tp + fn).astype(float) + (tp + fp).astype(float)
    f1 = np.where(denominator > 0, 2.0 * tp / np.where(denominator > 0, denominator, 1), 0.0)
    return {
        "balanced_accuracy": ba,
        "f1": f1,
        "fpr": np.where(fp + tn > 0, fp / np.where(fp + tn > 0, fp + tn, 1), np.nan),
        "fnr": np.where(fn + tp > 0, fn / np.where(fn + tp > 0, fn + tp, 1), np.nan),
        "pred_accept_rate": pred.mean(axis=1),
        "true_accept_rate": y.mean(axis=1),
    }


def decision_metrics(
    accepted: Sequence[bool],
    score: Sequence[float],
    boot: Bootstrap,
    threshold: float = DECISION_THRESHOLD,
) -> dict[str, Estimate]:
    """The rule ``score >= threshold`` against the real decision, plus the AUC of ``score``."""
    y = np.asarray(accepted, dtype=bool)
    s = np.asarray(score, dtype=float)
    pred = s >= threshold

    def auc(idx: np.ndarray) -> dict[str, float]:
        yy, ss = y[idx], s[idx]
        return {"auc": _safe(lambda: roc_auc_score(yy, ss)) if 0 < yy.sum() < yy.size else np.nan}

    return boot.run(
        auc, y.size, (*DECISION_NAMES, "auc"), many=lambda idx: decision_counts(y[idx], pred[idx])
    )


def decision_field_metrics(
    accepted: Sequence[bool], decision: Sequence[bool], boot: Bootstrap
) -> dict[str, Estimate]:
    """The review's own accept/reject field against the real decision.

    No AUC here: the AUC of a yes/no prediction is balanced accuracy again (the mistake the
    protocol warns about).
    """
    y = np.asarray(accepted, dtype=bool)
    d = np.asarray(decision, dtype=bool)
    return boot.run(
        lambda idx: {}, y.size, DECISION_NAMES, many=lambda idx: decision_counts(y[idx], d[idx])
    )


def _correlations(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    return {
        "pearson": _safe(lambda: stats.pearsonr(a, b).statistic),
        "spearman": _safe(lambda: stats.spearmanr(a, b).statistic),
        "kendall": _safe(lambda: stats.kendalltau(a, b).statistic),
    }


def rating_metrics(
    predicted: Sequence[float],
    human_mean: Sequence[float],
    exact_match: Sequence[bool],
    boot: Bootstrap,
) -> dict[str, Estimate]:
    """Predicted rating against the mean human rating (both on 1-10).

    ``exact_match`` says per paper whether the prediction, rounded on the venue's native
    scale, equals at least one human's rating (see ``exact_match_any``).
    """
    p = np.asarray(predicted, dtype=float)
    h = np.asarray(human_mean, dtype=float)
    e = np.asarray(exact_match, dtype=float)

    def stat(idx: np.ndarray) -> dict[str, float]:
        pp, hh = p[idx], h[idx]
        return {
            "mae": mean_absolute_error(hh, pp),
            "rmse": root_mean_squared_error(hh, pp),
            **_correlations(pp, hh),
            "mean_pred": float(pp.mean()),
            "mean_human": float(hh.mean()),
            "exact_match_any_human": float(e[idx].mean()),
        }

    return boot.run(stat, p.size, RATING_NAMES)


def exact_match_any(
    predicted: float, native_ratings: Sequence[float], to_native: Callable[[float], float]
) -> bool:
    """Whether the prediction, put on the venue's scale and rounded, equals any human rating."""
    value = int(np.floor(to_native(predicted) + 0.5))  # round half up, as a reviewer would
    return any(value == r for r in native_ratings)


@dataclass(frozen=True)
class LeaveOneOut:
    """Held-out reviewer against the mean of the others, one row per (paper, reviewer)."""

    held_out: np.ndarray
    others_mean: np.ndarray
    starts: np.ndarray  # first row of each paper
    counts: np.ndarray  # rows of each paper

    @classmethod
    def build(cls, ratings_per_paper: Sequence[Sequence[float]]) -> LeaveOneOut:
        """Papers with fewer than two rated reviews contribute no row."""
        held, others, counts = [], [], []
        for ratings in ratings_per_paper:
            r = np.asarray(ratings, dtype=float)
            if r.size < 2:
                counts.append(0)
                continue
            held.extend(r)
            others.extend((r.sum() - r) / (r.size - 1))
            counts.append(r.size)
        counts_a = np.asarray(counts, dtype=int)
        starts = np.concatenate([[0], np.cumsum(counts_a)[:-1]]) if counts else np.zeros(0, int)
        return cls(np.asarray(held), np.asarray(others), starts.astype(int), counts_a)

    def rows(self, papers: np.ndarray) -> np.ndarray:
        """Row indices of the given papers (with repeats), for the cluster bootstrap."""
        counts = self.counts[papers]
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=int)
        offsets = np.repeat(np.cumsum(counts) - counts, counts)
        return np.repeat(self.starts[papers], counts) + (np.arange(total) - offsets)


def human_metrics(
    ratings_per_paper: Sequence[Sequence[float]],
    accepted: Sequence[bool | None],
    boot: Bootstrap,
    threshold: float = DECISION_THRESHOLD,
) -> dict[str, Estimate]:
    """The human baseline on the same papers.

    ``loo_*``: every reviewer in turn held out against the mean of the others (papers with at
    least two ratings), pooled over reviewers, with papers resampled as clusters.
    ``single_reviewer_balanced_accuracy``: one reviewer's rating under the same threshold rule
    against the real decision (papers with a decision), pooled the same way.
    """
    loo = LeaveOneOut.build(ratings_per_paper)
    has_rows = np.flatnonzero(loo.counts > 0)
    acc = np.array([a if a is not None else False for a in accepted], dtype=bool)
    known = np.array([a is not None for a in accepted], dtype=bool)
    paper_of_row = np.repeat(np.arange(loo.counts.size), loo.counts)

    def stat(idx: np.ndarray) -> dict[str, float]:
        rows = loo.rows(has_rows[idx])
        held, others = loo.held_out[rows], loo.others_mean[rows]
        figures = {
            "loo_pearson": _safe(lambda: stats.pearsonr(held, others).statistic),
            "loo_spearman": _safe(lambda: stats.spearmanr(held, others).statistic),
            "loo_mae": mean_absolute_error(others, held) if rows.size else np.nan,
        }
        keep = known[paper_of_row[rows]]
        y = acc[paper_of_row[rows]][keep]
        if y.size and 0 < y.sum() < y.size:
            figures["single_reviewer_balanced_accuracy"] = balanced_accuracy_score(
                y, held[keep] >= threshold
            )
        else:
            figures["single_reviewer_balanced_accuracy"] = np.nan
        return figures

    return boot.run(stat, has_rows.size, HUMAN_NAMES)
