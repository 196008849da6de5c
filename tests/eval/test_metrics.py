"""Decision, rating and human-baseline metrics on cases small enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reviewer.eval.metrics import (
    Bootstrap,
    LeaveOneOut,
    decision_counts,
    decision_field_metrics,
    decision_metrics,
    exact_match_any,
    human_metrics,
    rating_metrics,
)

ACCEPTED = [True, True, True, False, False, False]
OVERALL = [8, 5, 7, 6, 2, 3]
HUMAN_MEAN = [7, 6, 6, 4, 4, 3]


def values(group: dict) -> dict[str, float | None]:
    return {k: v.value for k, v in group.items()}


def test_decision_rule_metrics_by_hand() -> None:
    # rule overall >= 6 -> accept: [T, F, T, T, F, F]; TP=2 FN=1 FP=1 TN=2
    got = values(decision_metrics(ACCEPTED, OVERALL, Bootstrap(50)))
    assert got["balanced_accuracy"] == pytest.approx(2 / 3)
    assert got["f1"] == pytest.approx(2 / 3)
    assert got["fpr"] == pytest.approx(1 / 3)
    assert got["fnr"] == pytest.approx(1 / 3)
    assert got["pred_accept_rate"] == pytest.approx(0.5)
    assert got["true_accept_rate"] == pytest.approx(0.5)
    # AUC of the continuous score: positive>negative pairs: 8 beats 3, 5 beats 2, 7 beats 3 -> 8/9
    assert got["auc"] == pytest.approx(8 / 9)


def test_auc_uses_the_score_not_the_yes_no_prediction() -> None:
    accepted = [False, False, True, True]
    score = [0.1, 0.4, 0.35, 0.8]  # the textbook example: AUC 0.75
    got = values(decision_metrics(accepted, score, Bootstrap(0), threshold=0.5))
    assert got["auc"] == pytest.approx(0.75)
    assert got["balanced_accuracy"] == pytest.approx(0.75)  # threshold 0.5: [F,F,F,T]
    threshold_5 = values(decision_metrics(accepted, [0.1, 0.4, 0.35, 0.8], Bootstrap(0), 0.3))
    assert threshold_5["auc"] == pytest.approx(0.75)  # the threshold cannot change AUC


def test_threshold_is_configurable() -> None:
    got = values(decision_metrics(ACCEPTED, OVERALL, Bootstrap(0), threshold=7))
    # overall >= 7: [T, F, T, F, F, F] -> TPR 2/3, TNR 1 -> 5/6
    assert got["balanced_accuracy"] == pytest.approx(5 / 6)


def test_decision_field_metrics_have_no_auc() -> None:
    decision = [True, True, True, False, False, True]  # TP=3 FN=0 FP=1 TN=2
    got = values(decision_field_metrics(ACCEPTED, decision, Bootstrap(50)))
    assert got["balanced_accuracy"] == pytest.approx(5 / 6)
    assert got["f1"] == pytest.approx(6 / 7)
    assert "auc" not in got


def test_rating_metrics_by_hand() -> None:
    exact = [True, False, True, False, False, True]
    got = values(rating_metrics(OVERALL, HUMAN_MEAN, exact, Bootstrap(50)))
    assert got["mae"] == pytest.approx(7 / 6)
    assert got["rmse"] == pytest.approx(math.sqrt(11 / 6))
    assert got["pearson"] == pytest.approx(14 / math.sqrt(322))
    assert got["mean_pred"] == pytest.approx(31 / 6)
    assert got["mean_human"] == pytest.approx(5.0)
    assert got["exact_match_any_human"] == pytest.approx(0.5)
    # ranks: pred [6,3,5,4,1,2], human [6,4.5,4.5,2.5,2.5,1]
    assert got["spearman"] == pytest.approx(
        np.corrcoef([6, 3, 5, 4, 1, 2], [6, 4.5, 4.5, 2.5, 2.5, 1])[0, 1]
    )
    assert -1 <= got["kendall"] <= 1


def test_constant_prediction_has_no_correlation_but_has_errors() -> None:
    got = values(rating_metrics([5.0] * 6, HUMAN_MEAN, [False] * 6, Bootstrap(50)))
    assert got["pearson"] is None and got["spearman"] is None
    assert got["mae"] == pytest.approx((2 + 1 + 1 + 1 + 1 + 2) / 6)


def test_exact_match_rounds_on_the_venue_scale() -> None:
    to_2025 = lambda v: 1 + (v - 1) * 5 / 9  # noqa: E731  (1-10 -> 1-6)
    assert exact_match_any(6.4, [4, 3], to_2025)  # 6.4 on 1-10 is 4 on 1-6
    assert not exact_match_any(8.0, [4, 3], to_2025)  # 8 -> 4.9 -> 5
    assert exact_match_any(6.5, [7], lambda v: v)  # half rounds up


def test_leave_one_out_by_hand() -> None:
    ratings = [[8, 6], [6, 6], [7, 5], [4, 4], [5, 3], [3, 3]]
    got = values(human_metrics(ratings, ACCEPTED, Bootstrap(50)))
    assert got["loo_mae"] == pytest.approx(1.0)
    assert got["loo_pearson"] == pytest.approx(0.6)
    # one reviewer, rule >= 6: accepted papers' ratings 8,6,6,6,7,5 -> 5/6 accepted; rejected
    # 4,4,5,3,3,3 -> all rejected: (5/6 + 1) / 2
    assert got["single_reviewer_balanced_accuracy"] == pytest.approx(11 / 12)


def test_leave_one_out_uses_the_mean_of_the_others() -> None:
    loo = LeaveOneOut.build([[4, 6, 8], [5], []])
    assert loo.held_out.tolist() == [4, 6, 8]
    assert loo.others_mean.tolist() == [7, 6, 5]
    assert loo.counts.tolist() == [3, 0, 0]
    got = values(human_metrics([[4, 6, 8], [5]], [True, False], Bootstrap(10)))
    assert got["loo_mae"] == pytest.approx(2.0)


def test_cluster_rows_repeat_whole_papers() -> None:
    loo = LeaveOneOut.build([[1, 2], [3, 4, 5], [6, 7]])
    assert loo.rows(np.array([1, 1, 2])).tolist() == [2, 3, 4, 2, 3, 4, 5, 6]


def test_bootstrap_is_deterministic_paired_and_brackets_the_value() -> None:
    rng = np.random.default_rng(1)
    y = rng.random(300) < 0.5
    s = y + rng.normal(0, 1, 300)
    a = decision_metrics(y, s, Bootstrap(100, seed=3))
    b = decision_metrics(y, s, Bootstrap(100, seed=3))
    assert a == b
    for est in a.values():
        assert est.n_papers == 300
        assert est.ci_low <= est.value <= est.ci_high
    assert Bootstrap(10, 3).indices(5).tolist() == Bootstrap(10, 3).indices(5).tolist()


def test_bootstrap_mean_skips_not_applicable_papers() -> None:
    est = Bootstrap(50).mean(np.array([1.0, 0.0, np.nan, 1.0]))
    assert est.value == pytest.approx(2 / 3) and est.n_papers == 3
    assert Bootstrap(10).mean(np.array([np.nan])).value is None


def test_decision_counts_equal_scikit_learn_to_the_bit() -> None:
    """The vectorised figures of every resample are scikit-learn's, value for value."""
    from sklearn.metrics import balanced_accuracy_score, confusion_matrix, f1_score

    rng = np.random.default_rng(3)
    for n, share in [(7, 0.5), (40, 0.9), (120, 0.95), (25, 0.0), (30, 1.0)]:
        y = rng.random(n) < share
        pred = rng.random(n) < 0.7
        pred[: n // 5] = False
        idx = Bootstrap(200, seed=n).indices(n)
        got = decision_counts(y[idx], pred[idx])
        for r, rows in enumerate(idx):
            yy, pp = y[rows], pred[rows]
            tn, fp, fn, tp = confusion_matrix(yy, pp, labels=[False, True]).ravel()
            both = yy.any() and not yy.all()
            want = {
                "balanced_accuracy": balanced_accuracy_score(yy, pp) if both else np.nan,
                "f1": f1_score(yy, pp, zero_division=0.0),
                "fpr": fp / (fp + tn) if fp + tn else np.nan,
                "fnr": fn / (fn + tp) if fn + tp else np.nan,
                "pred_accept_rate": pp.mean(),
                "true_accept_rate": yy.mean(),
            }
            for name, value in want.items():
                assert got[name][r] == value or (np.isnan(value) and np.isnan(got[name][r]))
