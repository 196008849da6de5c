"""The report people look at: ``report.md`` and a self-contained ``report.html`` with plots.

It reads only the metrics dict and the per-paper rows (what ``metrics.json`` and
``per_paper.jsonl`` hold), so a report can always be rebuilt from a finished run. Plots are
matplotlib PNGs, written to ``plots/`` for the markdown and inlined as base64 in the HTML page
(the ``eval_report.html.j2`` template, with the run report's stylesheet).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewer.eval.plots import PLOTS
from reviewer.eval.tables import tables
from reviewer.reports.pages import render


def _intro(metrics: dict[str, Any]) -> list[str]:
    """How the eval was run, one sentence per line (paths and names as Markdown `code`)."""
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
    """``report.md``: the page's intro and tables, with links to the plot files."""
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


def to_html(metrics: dict[str, Any], images: Sequence[tuple[str, bytes]]) -> str:
    """The page: the intro, every table, the plots inlined as data URIs."""
    return render(
        "eval_report.html.j2",
        system=metrics["system"],
        intro=_intro(metrics),
        tables=tables(metrics),
        images=[
            (title, "data:image/png;base64," + base64.b64encode(png).decode("ascii"))
            for title, png in images
        ],
        timing=str(metrics.get("timing_s")),
    )


def write_eval_report(out: Path, metrics: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
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
