"""The eval report's plots as matplotlib PNGs: ratings against humans, calibration, ROC, and
every system's key metrics with their intervals. matplotlib is imported only when drawing."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from reviewer.eval import registry
from reviewer.eval.tables import by_system, estimate

COLORS = ("#1f77b4", "#7f7f7f", "#ff7f0e", "#2ca02c", "#9467bd")


def _series(
    rows: Sequence[dict[str, Any]], system: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(predicted rating, human mean, accepted) over papers where all are known."""
    pred, human, acc = [], [], []
    for row in rows:
        rating = row["systems"].get(system, {}).get("rating")
        if rating is None or row.get("human_mean") is None:
            continue
        pred.append(rating)
        human.append(row["human_mean"])
        acc.append(np.nan if row.get("accepted") is None else float(row["accepted"]))
    return np.array(pred, float), np.array(human, float), np.array(acc, float)


def _png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _labels(metrics: dict[str, Any]) -> dict[str, str]:
    """Per-paper row key -> display name, system under test first."""
    primary = metrics["system"]
    labels = {primary: primary}
    for name in metrics.get("baselines", {}):
        if name != primary:
            labels[name] = f"baseline: {name}"
    return labels


def plot_scatter(metrics: dict[str, Any], rows: Sequence[dict[str, Any]]) -> bytes:
    import matplotlib.pyplot as plt

    labels = _labels(metrics)
    fig, axes = plt.subplots(1, len(labels), figsize=(4.2 * len(labels), 4), squeeze=False)
    rng = np.random.default_rng(0)
    for ax, (key, label) in zip(axes[0], labels.items(), strict=True):
        pred, human, _ = _series(rows, key)
        if pred.size:
            jitter = rng.uniform(-0.15, 0.15, pred.size)
            ax.scatter(pred + jitter, human, s=6, alpha=0.35)
        ax.plot([1, 10], [1, 10], color="grey", lw=1, ls="--")
        ax.set(
            xlim=(0.5, 10.5),
            ylim=(0.5, 10.5),
            xlabel="predicted rating (1-10, jittered)",
            ylabel="mean human rating (1-10)",
            title=label,
        )
    fig.suptitle("Predicted vs human rating")
    return _png(fig)


def _binned(pred: np.ndarray, target: np.ndarray) -> tuple[list[float], list[float], list[float]]:
    """Mean of ``target`` (and a 95% normal interval) per rounded predicted rating."""
    bins = np.floor(pred + 0.5)
    xs, ys, es = [], [], []
    for b in np.unique(bins):
        sel = target[bins == b]
        sel = sel[np.isfinite(sel)]
        if sel.size:
            xs.append(float(b))
            ys.append(float(sel.mean()))
            es.append(float(1.96 * sel.std(ddof=1) / np.sqrt(sel.size)) if sel.size > 1 else 0.0)
    return xs, ys, es


def plot_calibration(metrics: dict[str, Any], rows: Sequence[dict[str, Any]]) -> bytes:
    """Per rounded predicted rating: the mean human rating, and the share of papers accepted."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    base_rate = None
    for (key, label), color in zip(_labels(metrics).items(), COLORS, strict=False):
        pred, human, acc = _series(rows, key)
        if pred.size == 0:
            continue
        left.errorbar(*_binned(pred, human), marker="o", capsize=3, label=label, color=color)
        xs, ys, es = _binned(pred, acc)
        right.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=label, color=color)
        base_rate = float(np.nanmean(acc)) if np.isfinite(acc).any() else base_rate
    left.plot([1, 10], [1, 10], color="grey", lw=1, ls="--", label="perfect calibration")
    left.set(xlabel="predicted rating (rounded)", ylabel="mean human rating (95% CI)")
    left.set(xlim=(0.5, 10.5), ylim=(0.5, 10.5), title="Rating calibration")
    if base_rate is not None:
        right.axhline(base_rate, color="grey", lw=1, ls=":", label="base accept rate")
    threshold = metrics["protocol"]["decision_threshold"]
    right.axvline(threshold - 0.5, color="black", lw=1, ls="--", label="decision threshold")
    right.set(xlabel="predicted rating (rounded)", ylabel="share accepted (95% CI)")
    right.set(xlim=(0.5, 10.5), ylim=(-0.05, 1.05), title="Accept rate by predicted rating")
    left.legend(fontsize=8)
    right.legend(fontsize=8)
    return _png(fig)


def plot_roc(metrics: dict[str, Any], rows: Sequence[dict[str, Any]]) -> bytes:
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    fig, ax = plt.subplots(figsize=(5, 4.5))
    baselines = metrics.get("baselines", {})
    for (key, label), color in zip(_labels(metrics).items(), COLORS, strict=False):
        pred, _, acc = _series(rows, key)
        keep = np.isfinite(acc)
        if keep.sum() == 0 or len(np.unique(acc[keep])) < 2:
            continue
        fpr, tpr, _ = roc_curve(acc[keep], pred[keep])
        groups = metrics if key == metrics["system"] else baselines.get(key, {})
        auc = (groups.get("decision", {}).get("auc") or {}).get("value")
        text = f"{label} (AUC {auc:.3f})" if auc is not None else label
        ax.plot(fpr, tpr, label=text, color=color)
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--")
    ax.set(
        xlabel="false positive rate",
        ylabel="true positive rate",
        title="ROC of the overall rating for accept",
    )
    ax.legend(fontsize=8, loc="lower right")
    return _png(fig)


def plot_bars(metrics: dict[str, Any]) -> bytes:
    """Every system's key metrics side by side, with 95% intervals (baseline comparison)."""
    import matplotlib.pyplot as plt

    systems = by_system(metrics)
    names = list(systems)
    shown = registry.bars()
    height = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(shown) + 1.5))
    y = np.arange(len(shown))[::-1].astype(float)
    for k, (name, color) in enumerate(zip(names, COLORS, strict=False)):
        vals, lo, hi = [], [], []
        for metric in shown:
            est = estimate(systems[name], metric.dotted) or {}
            v = est.get("value")
            vals.append(np.nan if v is None else v)
            lo.append(0 if est.get("ci_low") is None else v - est["ci_low"])
            hi.append(0 if est.get("ci_high") is None else est["ci_high"] - v)
        offset = ((len(names) - 1) / 2 - k) * height
        ax.barh(y + offset, vals, height, xerr=[lo, hi], capsize=2, label=name, color=color)
    human = metrics.get("human", {})
    for j, metric in enumerate(shown):  # the human baseline's same figure, where it has one
        est = (human.get(metric.human) or {}) if metric.human else {}
        if est.get("value") is not None:
            ax.vlines(est["value"], y[j] - 0.45, y[j] + 0.45, colors="black", lw=2)
    ax.plot([], [], color="black", lw=2, label="human (one reviewer held out)")
    ax.set_yticks(y, [m.dotted for m in shown], fontsize=8)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set(xlabel="value (bars: 95% bootstrap interval)", title="Key metrics: system vs baselines")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return _png(fig)


def plot_errors(metrics: dict[str, Any]) -> bytes:
    """Rating errors (lower is better) and leniency: mean predicted vs mean human rating."""
    import matplotlib.pyplot as plt

    systems = by_system(metrics)
    names = list(systems)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, keys in zip(axes, (("mae", "rmse"), ("mean_pred", "mean_human")), strict=True):
        width = 0.8 / len(names)
        for k, (name, color) in enumerate(zip(names, COLORS, strict=False)):
            ests = [(estimate(systems[name], f"rating.{m}") or {}) for m in keys]
            vals = [np.nan if e.get("value") is None else e["value"] for e in ests]
            err = [
                [0 if e.get("ci_low") is None else e["value"] - e["ci_low"] for e in ests],
                [0 if e.get("ci_high") is None else e["ci_high"] - e["value"] for e in ests],
            ]
            ax.bar(
                np.arange(2) + (k - (len(names) - 1) / 2) * width,
                vals,
                width,
                yerr=err,
                capsize=2,
                label=name,
                color=color,
            )
        ax.set_xticks(np.arange(2), [f"rating.{m}" for m in keys])
    axes[0].set_title("Rating error (lower is better)")
    axes[1].set_title("Leniency: mean predicted vs mean human")
    axes[1].legend(fontsize=8)
    return _png(fig)


PLOTS = (
    ("scatter", "Predicted vs human rating", plot_scatter, True),
    ("calibration", "Calibration", plot_calibration, True),
    ("roc", "ROC", plot_roc, True),
    ("metrics", "Metrics with intervals (baseline comparison)", plot_bars, False),
    ("rating_errors", "Rating errors and leniency", plot_errors, False),
)
