"""The run report: ``DIR/index.html``, one self-contained page to browse a run.

The page is the ``run_report.html.j2`` template (see ``reviewer.reports.pages``); this module
works out what it shows: the summary (calibrated scores first when the run has them, the model's raw
ones beside), the table's columns and each review's sections. Reviews are rendered from
whatever fields their form has, so a new form needs no change here.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup

from reviewer.config import Price
from reviewer.reports.pages import label, macro, money, render
from reviewer.runs.view import Row, Run, load_run

INDEX = "index.html"


def render_value(value: Any) -> Markup:
    """A review field as HTML: paragraphs, bullet lists, numbered items, nested fields."""
    return macro("macros.html.j2", "field_html")(value)


def review_sections(review: dict[str, Any]) -> list[tuple[str, str, Markup]]:
    """(field key, heading, HTML) for every non-score field, in the form's order."""
    return [
        (key, label(key), render_value(value))
        for key, value in review.items()
        if key != "decision"
        and not (isinstance(value, int | float) and not isinstance(value, bool))
    ]


class Bar(NamedTuple):
    """One histogram bar and where it is drawn."""

    score: int
    count: int
    x: int
    y: int
    width: int
    height: int
    middle: float


def histogram_svg(
    values: list[int], low: int = 1, high: int = 10, what: str = "overall scores"
) -> Markup:
    """Counts of ``values`` per integer from ``low`` to ``high`` as an inline SVG bar chart."""
    counts = Counter(values)
    bins = list(range(low, high + 1))
    top = max([counts[b] for b in bins] + [1])
    width, height, pad, bar = 360, 150, 22, 30
    bars = []
    for i, b in enumerate(bins):
        h = round((height - 2 * pad) * counts[b] / top)
        x = 10 + i * (bar + 5)
        bars.append(Bar(b, counts[b], x, height - pad - h, bar, h, x + bar / 2))
    return macro("macros.html.j2", "histogram")(bars, what, width, height)


def summarize(run: Run) -> dict[str, Any]:
    """The summary block: counts, mean overall and accept rate (calibrated first when the
    run has calibrated scores, the model's raw ones beside), tokens and cost."""
    raw = [r.overall for r in run.rows if r.overall is not None]
    raw_decided = [r.raw_decision.lower() for r in run.rows if r.raw_decision]
    calibrated = [r for r in run.rows if r.calibrated_overall is not None]
    kinds = Counter(str(e.get("kind") or "error") for e in run.errors)
    costs = [r.cost for r in run.rows if r.cost is not None]
    manifest_cost = run.manifest.get("cost_usd")
    if isinstance(manifest_cost, int | float):
        cost: float | None = float(manifest_cost)
    else:
        cost = round(sum(costs), 6) if costs else None
    flags = Counter(f for r in run.rows for f in r.flags)
    cal_values = [float(r.calibrated_overall) for r in calibrated]  # type: ignore[arg-type]
    summary = {
        "reviews": len(run.rows),
        "papers": len({r.paper_id for r in run.rows}),
        "failed": sum(n for k, n in kinds.items() if k != "input"),
        "rejected": kinds.get("input", 0),
        "calibrated": len(calibrated),
        "mean_calibrated": _mean(cal_values),
        "calibrated_accept_rate": _accept_rate([r.decision for r in calibrated]),
        "mean_overall": _mean(raw),
        "accept_rate": _accept_rate(raw_decided),
        "prompt_tokens": sum(r.usage.get("prompt_tokens", 0) for r in run.rows),
        "completion_tokens": sum(r.usage.get("completion_tokens", 0) for r in run.rows),
        "cost": cost,
        "flags": dict(sorted(flags.items())),
        "histogram": histogram_svg(raw, what="the model's raw overall scores"),
        "calibrated_histogram": histogram_svg(
            [math.floor(v + 0.5) for v in cal_values], what="calibrated overall scores"
        ),
        "calibration_note": _calibration_note(calibrated, run.manifest),
    }
    return {**summary, "cards": _cards(summary)}


def _mean(values: list[int] | list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _accept_rate(decisions: list[str]) -> float | None:
    """Accepted among the papers decided (a withheld decision is none of them)."""
    decided = [d.lower() for d in decisions if d and d.lower() in ("accept", "reject")]
    return round(decided.count("accept") / len(decided), 3) if decided else None


def _calibration_note(rows: list[Row], manifest: dict[str, Any]) -> str:
    """What the calibrated scores are, in a sentence or two (empty without any)."""
    if not rows:
        return ""
    first = rows[0].calibrated or {}
    venues = sorted({str((r.calibrated or {}).get("venue")) for r in rows})
    named = ", ".join("all venue-years pooled" if v == "*" else v for v in venues)
    fitted = ((manifest.get("config") or {}).get("calibration")) or {}
    source = (
        f" (fitted on {fitted['n']} train reviews by {fitted.get('model') or 'the model'})"
        if isinstance(fitted, dict) and fitted.get("n")
        else ""
    )
    parts = [f"Scores calibrated to human ratings of {named}{source}."]
    if first.get("ranking"):
        parts.append(f"The calibration {first['ranking']}.")
    if isinstance(first.get("level"), int | float):
        parts.append(
            f"Ranges are {first['level']:.0%} intervals: the human mean rating of train papers "
            f"fell inside such a range around their calibrated score {first['level']:.0%} of the "
            "time."
        )
    parts.append("Raw columns are the model's own scores.")
    return " ".join(parts)


def _cards(s: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(element id, value, caption) of the summary cards: calibrated first when present."""
    mean, rate = s["mean_overall"], s["accept_rate"]
    cards = [
        ("count-reviews", str(s["reviews"]), "reviews"),
        ("count-failed", str(s["failed"]), "failed"),
        ("count-rejected", str(s["rejected"]), "input errors"),
    ]
    if s["calibrated"]:
        cmean, crate = s["mean_calibrated"], s["calibrated_accept_rate"]
        cards += [
            ("mean-calibrated", "—" if cmean is None else f"{cmean:.2f}",
             "mean calibrated overall"),
            ("calibrated-accept-rate", "—" if crate is None else f"{crate:.0%}",
             "calibrated accept rate"),
        ]  # fmt: skip
    raw = "raw " if s["calibrated"] else ""
    cards += [
        ("mean-overall", "—" if mean is None else f"{mean:.2f}", f"mean {raw}overall"),
        ("accept-rate", "—" if rate is None else f"{rate:.0%}", f"{raw}accept rate"),
        ("tokens", f"{s['prompt_tokens']:,} / {s['completion_tokens']:,}", "tokens in / out"),
        ("cost", money(s["cost"]), "cost"),
    ]
    return cards


def score_line(run: Run) -> str:
    """One line for the end of a batch: calibrated mean and accept rate, raw ones beside."""
    s = summarize(run)
    raw = (
        f"mean {s['mean_overall']:.2f}, accept {s['accept_rate']:.0%}"
        if s["mean_overall"] is not None and s["accept_rate"] is not None
        else "none"
    )
    if not s["calibrated"] or s["mean_calibrated"] is None:
        return f"scores (raw, uncalibrated): {raw}"
    venues = sorted({str((r.calibrated or {}).get("venue")) for r in run.rows if r.calibrated})
    rate = s["calibrated_accept_rate"]
    decided = (f"accept {rate:.0%}" if rate is not None
               else "no decisions (no calibrated level for these venue-years)")  # fmt: skip
    return (
        f"calibrated scores ({', '.join(venues)}; {s['calibrated']} of {s['reviews']} reviews): "
        f"mean overall {s['mean_calibrated']:.2f}, {decided} · model's raw scores: {raw}"
    )


def _package_version() -> str:
    try:
        return version("reviewer")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "dev"


def render_run_report(run: Run) -> str:
    """The page's HTML for a loaded run."""
    manifest = run.manifest
    calibrated = any(r.calibrated for r in run.rows)
    if calibrated:
        columns = [("Title", False), ("Calibrated overall", True), ("Decision", False)]
        columns += [("Raw overall", True), ("Raw decision", False)]
    else:
        columns = [("Title", False), ("Overall (raw)", True), ("Decision (raw)", False)]
    columns += [(label(key), True) for key in run.score_keys]
    columns += [("Flags", False), ("Tokens", True), ("Cost", True)]
    return render(
        "run_report.html.j2",
        run=run,
        columns=columns,
        calibrated=calibrated,
        name=run.directory.resolve().name,
        summary=summarize(run),
        decisions=sorted({r.decision for r in run.rows if r.decision}),
        flags=sorted({f for r in run.rows for f in r.flags}),
        sections=review_sections,
        manifest_json=json.dumps(manifest, indent=2, ensure_ascii=False) if manifest else "",
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        package_version=_package_version(),
    )


def write_run_report(run_dir: str | Path, *, price: Price | None = None) -> Path:
    """Write ``run_dir/index.html`` (atomically) and return its path."""
    run = load_run(run_dir, price=price)
    target = run.directory / INDEX
    tmp = run.directory / f".{INDEX}.{os.getpid()}.tmp"
    tmp.write_text(render_run_report(run), encoding="utf-8")
    tmp.replace(target)
    return target
