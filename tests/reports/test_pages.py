"""The HTML pages are package templates sharing one stylesheet; no markup lives in Python."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import Any

from reviewer.eval.report import to_html
from reviewer.reports.pages import environment
from reviewer.reports.run import write_run_report
from tests.reports.test_run import make_run

PAGES = ("base.html.j2", "run_report.html.j2", "eval_report.html.j2", "macros.html.j2")
ASSETS = ("report.css", "run_report.js")
MARKUP = re.compile(r"<(html|head|body|style|script|svg|div|table|tr|td|ul|ol|li|p)[\s>]")


def test_the_package_loader_finds_every_template_and_asset() -> None:
    listed = set(environment().list_templates())
    assert set(PAGES) | set(ASSETS) <= listed
    folder = files("reviewer.reports") / "templates"  # where the wheel's package data puts them
    assert all((folder / name).is_file() for name in (*PAGES, *ASSETS))


def test_no_html_css_or_javascript_in_the_python_modules() -> None:
    package = Path(__file__).resolve().parents[2] / "reviewer"
    found = [
        f"{path.relative_to(package)}: {match.group(0)!r}"
        for path in sorted(package.rglob("*.py"))
        for match in MARKUP.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def minimal_metrics() -> dict[str, Any]:
    """What the eval page reads, with no figures computed (every cell an em dash)."""
    return {
        "system": "ours <b>",
        "references": {"path": "refs/<i>", "split": "test", "years": None, "n_papers": 2,
                       "n_reviews": 4, "accept_rate": 0.5, "venues": ["ICLR 2024"]},
        "protocol": {"decision_rule": "accept if overall >= 6", "rating_scale": "1-10",
                     "embedding_model": "m", "bootstrap": {"resamples": 10, "seed": 0},
                     "matcher": {"match_threshold": 0.5, "version": "v", "generic_share": 0.15,
                                 "generic_reference_papers": 3}},
        "timing_s": {"total": 1.0},
    }  # fmt: skip


def style_of(html: str) -> str:
    return html.split("<style>", 1)[1].split("</style>", 1)[0]


def test_the_run_and_eval_reports_share_one_stylesheet(tmp_path: Path) -> None:
    run_page = write_run_report(make_run(tmp_path / "run")).read_text(encoding="utf-8")
    eval_page = to_html(minimal_metrics(), [("ROC", b"png bytes")])
    css = (files("reviewer.reports") / "templates" / "report.css").read_text(encoding="utf-8")
    assert style_of(run_page).strip() == style_of(eval_page).strip() == css.strip()
    assert "<title>Review eval: ours &lt;b&gt;</title>" in eval_page
    assert "References: <code>refs/&lt;i&gt;</code>, split <code>test</code>" in eval_page
    assert "accept if overall &gt;= 6" in eval_page
    assert "<td>decision.auc</td><td>—</td>" in eval_page
    assert '<img alt="ROC" src="data:image/png;base64,cG5nIGJ5dGVz">' in eval_page
