"""End to end in a real browser: headless Chromium opens a run's index.html from the file system.

The run is made from real inputs (arXiv ids from a loopback fixture server, two PDFs with full
text, a BibTeX file) reviewed through the fake endpoint. Needs Debian's ``chromium`` and the
``playwright`` package (the [browser] extra; its own browser download is never used) and skips
cleanly without them. ``REVIEWER_SCREENSHOT=docs/report-screenshot.png`` also copies the
screenshot there (the README's picture).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reviewer.reports.run import INDEX
from tests.fake_openai import FakeOpenAI
from tests.inputs.test_sources import SourceServer
from tests.reports.test_run import build_demo_run, varied_responder

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = os.environ.get("REVIEWER_CHROMIUM") or shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if CHROMIUM is None:
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[browser]')"
)


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    with SourceServer() as server, FakeOpenAI(responder=varied_responder) as fake:
        monkeypatch.setenv("REVIEWER_ARXIV_URL", f"{server.base}/api/query")
        monkeypatch.setenv("REVIEWER_FETCH_DELAY", "0")
        return build_demo_run(tmp_path, server, fake)


@pytest.fixture
def page(run_dir: Path) -> Iterator[Page]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.set_default_timeout(5000)
            yield tab
        finally:
            browser.close()


def _ids(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "#papers-table tbody.paper", "els => els.map(e => e.dataset.id)"
    )


def _visible_ids(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "#papers-table tbody.paper", "els => els.filter(e => !e.hidden).map(e => e.dataset.id)"
    )


def _overall(page: Page) -> list[int]:
    return page.eval_on_selector_all(
        "#papers-table tbody.paper td.overall", "els => els.map(e => Number(e.dataset.sort))"
    )


def test_report_sorts_filters_and_renders_a_review_in_chromium(
    run_dir: Path, page: Page, tmp_path: Path
) -> None:
    p = page
    requests: list[str] = []
    errors: list[str] = []
    p.on("request", lambda r: requests.append(r.url))
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.goto((run_dir / INDEX).resolve().as_uri())

    assert len(_ids(p)) == 6
    assert p.inner_text("#shown") == "6 of 6 shown"

    # Sorting: Overall ascending, then descending; Title alphabetically.
    overall_header = p.locator("th", has_text="Overall")
    overall_header.locator("button.sort").click()
    assert overall_header.get_attribute("aria-sort") == "ascending"
    ascending = _overall(p)
    assert ascending == sorted(ascending) and len(set(ascending)) > 1
    overall_header.locator("button.sort").click()
    assert _overall(p) == sorted(ascending, reverse=True)
    p.locator("th", has_text="Title").locator("button.sort").click()
    titles = p.eval_on_selector_all(
        "#papers-table tbody.paper .title", "els => els.map(e => e.textContent.toLowerCase())"
    )
    assert titles == sorted(titles)

    # Filtering: the text box hides rows that do not match; the decision filter too.
    p.fill("#filter", "attention")
    assert sorted(_visible_ids(p)) == ["sparse", "vaswani2017"]
    assert p.inner_text("#shown") == "2 of 6 shown"
    assert p.locator('tbody[data-id="arxiv:2205.01068"]').is_hidden()
    p.fill("#filter", "")
    p.select_option("#decision-filter", "reject")
    rejected = _visible_ids(p)
    decisions = p.eval_on_selector_all(
        "#papers-table tbody.paper:not([hidden])", "els => els.map(e => e.dataset.decision)"
    )
    assert rejected and set(decisions) == {"reject"} and len(rejected) < 6
    p.select_option("#decision-filter", "")
    p.select_option("#flag-filter", "prompt_injection")  # the routing PDF's hidden instruction
    assert _visible_ids(p) == ["routing"]
    p.select_option("#flag-filter", "")
    assert len(_visible_ids(p)) == 6

    # A review opens with its sections, flags and usage.
    body = p.locator('tbody[data-id="sparse"]')
    review = body.locator("tr.review")
    assert review.is_hidden()
    body.locator("button.toggle").click()
    assert review.is_visible()
    assert body.locator("button.toggle").get_attribute("aria-expanded") == "true"
    for heading in ("Summary", "Methodology", "Strengths", "Weaknesses", "Questions"):
        assert review.locator("h4", has_text=heading).first.is_visible()
    assert review.locator('section[data-field="strengths"] li').count() >= 1
    assert "out tokens" in review.locator(".usage").inner_text()

    p.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / "report-screenshot.png"
    p.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    if target := os.environ.get("REVIEWER_SCREENSHOT"):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)

    assert errors == []
    assert all(url.startswith(("file://", "data:", "about:")) for url in requests), requests
