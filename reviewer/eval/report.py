"""The report people look at: ``report.md`` and a self-contained ``report.html`` with plots.

It reads only the metrics dict and the per-paper rows (what ``metrics.json`` and
``per_paper.jsonl`` hold), so a report can always be rebuilt from a finished run. Plots are
matplotlib PNGs, written to ``plots/`` for the markdown and inlined as base64 in the HTML.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

GROUP_TITLES = {
    "decision": "Decision (threshold rule on the overall rating)",
    "decision_field": "Decision (the review's own decision field)",
    "rating": "Rating against the mean human rating (1-10)",
    "comments": "Comment overlap with human reviewers",
    "specificity": "Specificity",
    "coverage": "Coverage",
    "text": "Text similarity to the closest human review",
    "text_quality": "Text quality against the paper text the model was shown (textquality-v1)",
}
HEADLINE = (
    ("decision", "balanced_accuracy"),
    ("decision", "auc"),
    ("decision", "pred_accept_rate"),
    ("rating", "mae"),
    ("rating", "pearson"),
    ("rating", "spearman"),
    ("rating", "mean_pred"),
    ("comments", "hit_rate"),
    ("comments", "shuffled_hit_rate"),
    ("specificity", "generic_rate"),
    ("coverage", "aspects_covered"),
    ("text", "rouge_l"),
    ("rating", "interval_coverage"),
    ("text_quality", "glued_word_rate"),
    ("text_quality", "unsupported_number_rate"),
    ("text_quality", "non_comment_rate"),
    ("text_quality", "copy_rate"),
)
BAR_METRICS = (
    ("decision", "balanced_accuracy"),
    ("decision", "auc"),
    ("rating", "pearson"),
    ("rating", "spearman"),
    ("rating", "exact_match_any_human"),
    ("comments", "hit_rate"),
    ("comments", "shuffled_hit_rate"),
    ("comments", "precision"),
    ("specificity", "generic_rate"),
    ("coverage", "aspects_covered"),
    ("text", "rouge_l"),
    ("text", "embedding_similarity"),
)
COLORS = ("#1f77b4", "#7f7f7f", "#ff7f0e", "#2ca02c", "#9467bd")


def fmt(est: dict[str, Any] | None, digits: int = 3) -> str:
    """``value [low, high] n=N``, or an em dash when the figure does not apply."""
    if not est or est.get("value") is None:
        return "—"
    text = f"{est['value']:.{digits}f}"
    if est.get("ci_low") is not None:
        text += f" [{est['ci_low']:.{digits}f}, {est['ci_high']:.{digits}f}]"
    return f"{text} n={est['n_papers']}"


def _systems(metrics: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The system under test first, then every baseline not identical to it."""
    primary = metrics["system"]
    systems = {primary: {g: metrics.get(g, {}) for g in GROUP_TITLES}}
    for name, groups in metrics.get("uncalibrated", {}).items():
        systems[f"uncalibrated: {name}"] = groups
    for name, groups in metrics.get("baselines", {}).items():
        if name != primary:
            systems[f"baseline: {name}"] = groups
    return systems


def _leaves(group: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """(dotted name, estimate) pairs of a metric group, nested groups flattened."""
    out = []
    for key, value in group.items():
        if isinstance(value, dict) and "value" in value and "n_papers" in value:
            out.append((prefix + key, value))
        elif isinstance(value, dict) and key != "detector":
            out.extend(_leaves(value, f"{prefix}{key}."))
    return out


def _get(groups: dict[str, Any], dotted: str) -> dict[str, Any] | None:
    node: Any = groups
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node if isinstance(node, dict) else None


def _cell(groups: dict[str, Any], group: str, name: str) -> str:
    """One figure as text: four digits for text quality (goals are tenths of a percent), and
    the nominal level beside an interval's coverage."""
    est = _get(groups, f"{group}.{name}")
    text = fmt(est, 4 if group == "text_quality" else 3)
    if est and est.get("nominal") is not None:
        text += f" (nominal {est['nominal']:.2f})"
    return text


def tables(metrics: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table in the report, shared by markdown and HTML."""
    systems = _systems(metrics)
    names = list(systems)
    out = []
    head = [["metric", *names]]
    rows = [[f"{g}.{m}", *(_cell(systems[n], g, m) for n in names)] for g, m in HEADLINE]
    out.append(("Headline", head[0], rows))
    for group, title in GROUP_TITLES.items():
        leaves = _leaves(systems[names[0]].get(group, {}))
        rows = [[f"{group}.{k}", *(_cell(systems[n], group, k) for n in names)] for k, _ in leaves]
        if rows:
            out.append((title, ["metric", *names], rows))
    human = [[f"human.{k}", fmt(v)] for k, v in _leaves(metrics.get("human", {}))]
    out.append(
        ("Human baseline on the same papers (one reviewer held out)", ["metric", "humans"], human)
    )
    det = metrics.get("coverage", {}).get("detector", {})
    if det.get("available"):
        lo, hi = det.get("test_sentence_accuracy_ci") or (0.0, 0.0)
        rows = [
            [
                "review level: aspect present? accuracy (aspects x reviews)",
                f"{det['test_review_accuracy']:.3f} "
                f"(majority {det['test_review_majority_accuracy']:.3f})",
            ],
            [
                "review level: mean balanced accuracy over aspects",
                f"{det['test_review_mean_balanced_accuracy']:.3f}",
            ],
            ["review level: macro-F1 over aspects", f"{det['test_review_macro_f1']:.3f}"],
            *[
                [f"review level F1: {a}", f"{f:.3f}"]
                for a, f in det["test_review_per_aspect_f1"].items()
            ],
            [
                "sentence level: accuracy (7 aspects + none)",
                f"{det['test_sentence_accuracy']:.3f} [{lo:.3f}, {hi:.3f}] "
                f"(majority {det['test_sentence_majority_accuracy']:.3f})",
            ],
            ["test reviews / sentences", f"{det['test_n_reviews']} / {det['test_n_sentences']}"],
            ["classifier", str(det.get("classifier"))],
            ["rule", str(det.get("rule"))],
        ]
        out.append(("Aspect detector (validated on DISAPERE test)", ["", "value"], rows))
    return out


# --- plots -----------------------------------------------------------------------------------


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


HUMAN_REFERENCE = {
    ("decision", "balanced_accuracy"): "single_reviewer_balanced_accuracy",
    ("rating", "pearson"): "loo_pearson",
    ("rating", "spearman"): "loo_spearman",
    ("comments", "hit_rate"): "loo_comment_hit_rate",
    ("comments", "shuffled_hit_rate"): "loo_comment_shuffled_hit_rate",
}
"""Where the human baseline gives the same figure, it is drawn beside the systems' bars."""


def plot_bars(metrics: dict[str, Any]) -> bytes:
    """Every system's key metrics side by side, with 95% intervals (baseline comparison)."""
    import matplotlib.pyplot as plt

    systems = _systems(metrics)
    names = list(systems)
    height = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(BAR_METRICS) + 1.5))
    y = np.arange(len(BAR_METRICS))[::-1].astype(float)
    for k, (name, color) in enumerate(zip(names, COLORS, strict=False)):
        vals, lo, hi = [], [], []
        for g, m in BAR_METRICS:
            est = _get(systems[name], f"{g}.{m}") or {}
            v = est.get("value")
            vals.append(np.nan if v is None else v)
            lo.append(0 if est.get("ci_low") is None else v - est["ci_low"])
            hi.append(0 if est.get("ci_high") is None else est["ci_high"] - v)
        offset = ((len(names) - 1) / 2 - k) * height
        ax.barh(y + offset, vals, height, xerr=[lo, hi], capsize=2, label=name, color=color)
    human = metrics.get("human", {})
    for j, key in enumerate(BAR_METRICS):
        ref = HUMAN_REFERENCE.get(key)
        est = (human.get(ref) or {}) if ref else {}
        if est.get("value") is not None:
            ax.vlines(est["value"], y[j] - 0.45, y[j] + 0.45, colors="black", lw=2)
    ax.plot([], [], color="black", lw=2, label="human (one reviewer held out)")
    ax.set_yticks(y, [f"{g}.{m}" for g, m in BAR_METRICS], fontsize=8)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set(xlabel="value (bars: 95% bootstrap interval)", title="Key metrics: system vs baselines")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return _png(fig)


def plot_errors(metrics: dict[str, Any]) -> bytes:
    """Rating errors (lower is better) and leniency: mean predicted vs mean human rating."""
    import matplotlib.pyplot as plt

    systems = _systems(metrics)
    names = list(systems)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, keys in zip(axes, (("mae", "rmse"), ("mean_pred", "mean_human")), strict=True):
        width = 0.8 / len(names)
        for k, (name, color) in enumerate(zip(names, COLORS, strict=False)):
            ests = [(_get(systems[name], f"rating.{m}") or {}) for m in keys]
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


# --- writers ---------------------------------------------------------------------------------


def _intro(metrics: dict[str, Any]) -> list[str]:
    ref = metrics["references"]
    proto = metrics["protocol"]
    return [
        f"References: `{ref['path']}`, split `{ref['split']}`"
        + (f", years {ref['years']}" if ref["years"] else "")
        + (f", first {ref['limit']} in sha256(paper_id) order" if ref.get("limit") else "")
        + f": {ref['n_papers']} papers, {ref['n_reviews']} human reviews, accept rate "
        + f"{ref['accept_rate']}, venues {', '.join(ref['venues'])}.",
        f"Decision rule (fixed before results): {proto['decision_rule']}. "
        f"Ratings: {proto['rating_scale']}.",
        f"Comments matched by {proto['embedding_model']} cosine >= "
        f"{proto['matcher']['match_threshold']} (matcher {proto['matcher']['version']}); "
        f"generic = matches comments on >= {proto['matcher']['generic_share']:.0%} of "
        f"{proto['matcher']['generic_reference_papers']} reference train papers.",
        f"Every figure: value [95% bootstrap interval] n=papers "
        f"({proto['bootstrap']['resamples']} resamples, seed {proto['bootstrap']['seed']}).",
    ]


def to_markdown(metrics: dict[str, Any], plot_files: Sequence[tuple[str, str]]) -> str:
    lines = [f"# Review eval: {metrics['system']}", ""]
    lines += [f"- {line}" for line in _intro(metrics)]
    for title, header, rows in tables(metrics):
        lines += ["", f"## {title}", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    if plot_files:
        lines += ["", "## Plots", ""]
        lines += [f"![{title}]({path})" for title, path in plot_files]
    lines += ["", f"Timings (s): {metrics.get('timing_s')}", ""]
    return "\n".join(lines)


_CSS = """
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}
td:first-child{font-family:monospace}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
li{margin:.2em 0}
"""


def _code(escaped: str) -> str:
    """Markdown-style `code` spans of an escaped line as <code> elements."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def to_html(metrics: dict[str, Any], images: Sequence[tuple[str, bytes]]) -> str:
    esc = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Review eval: {esc(metrics['system'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>Review eval: {esc(metrics['system'])}</h1><ul>",
        *(f"<li>{_code(esc(line))}</li>" for line in _intro(metrics)),
        "</ul>",
    ]
    for title, header, rows in tables(metrics):
        parts.append(f"<h2>{esc(title)}</h2><table><tr>")
        parts += [f"<th>{esc(h)}</th>" for h in header]
        parts.append("</tr>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
    if images:
        parts.append("<h2>Plots</h2>")
    for title, png in images:
        data = base64.b64encode(png).decode("ascii")
        parts.append(
            f"<h3>{esc(title)}</h3><img alt='{esc(title)}' src='data:image/png;base64,{data}'>"
        )
    parts.append(f"<p><small>Timings (s): {esc(str(metrics.get('timing_s')))}</small></p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(out: Path, metrics: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
    """Write ``report.md``, ``report.html`` and ``plots/*.png`` into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    plots_dir = out / "plots"
    plots_dir.mkdir(parents=True, exist_ok=True)
    images: list[tuple[str, bytes]] = []
    files: list[tuple[str, str]] = []
    for name, title, fn, needs_rows in PLOTS:
        png = fn(metrics, rows) if needs_rows else fn(metrics)
        (plots_dir / f"{name}.png").write_bytes(png)
        images.append((title, png))
        files.append((title, f"plots/{name}.png"))
    (out / "report.md").write_text(to_markdown(metrics, files))
    (out / "report.html").write_text(to_html(metrics, images))
