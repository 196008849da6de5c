"""The eval's figures as tables: one row per metric, one column per system, shared by the
Markdown and the HTML report (and the eval's console summary, through ``fmt``)."""

from __future__ import annotations

from typing import Any

from reviewer.eval import registry

GROUP_TITLES = {g.name: g.title for g in registry.GROUPS}
"""Each group's table title (``reviewer.eval.registry``)."""


def fmt(est: dict[str, Any] | None, digits: int = 3) -> str:
    """``value [low, high] n=N``, or an em dash when the figure does not apply."""
    if not est or est.get("value") is None:
        return "—"
    text = f"{est['value']:.{digits}f}"
    if est.get("ci_low") is not None:
        text += f" [{est['ci_low']:.{digits}f}, {est['ci_high']:.{digits}f}]"
    return f"{text} n={est['n_papers']}"


def by_system(metrics: dict[str, Any]) -> dict[str, dict[str, Any]]:
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


def estimate(groups: dict[str, Any], dotted: str) -> dict[str, Any] | None:
    """The estimate at a dotted path such as ``rating.mae``; None where there is none."""
    node: Any = groups
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node if isinstance(node, dict) else None


def _cell(groups: dict[str, Any], group: str, name: str) -> str:
    """One figure as text: four digits for text quality (goals are tenths of a percent), and
    the nominal level beside an interval's coverage."""
    est = estimate(groups, f"{group}.{name}")
    text = fmt(est, registry.digits(group))
    if est and est.get("nominal") is not None:
        text += f" (nominal {est['nominal']:.2f})"
    return text


def tables(metrics: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table in the report, shared by markdown and HTML."""
    systems = by_system(metrics)
    names = list(systems)
    out = []
    head = [["metric", *names]]
    rows = [
        [m.dotted, *(_cell(systems[n], m.group, m.name) for n in names)]
        for m in registry.headline()
    ]
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
