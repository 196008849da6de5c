"""The README's picture of the run report: a real run's page in headless Chromium.

    python docs/screenshot.py RUN_DIR [--out docs/report-screenshot.png]

Rewrites RUN_DIR/index.html with this checkout's report, opens it in Debian's Chromium (driven
by Playwright, as the browser test does), expands the first review and saves the top of the
page. The committed picture is of the 30-paper embedded batch in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reviewer.reports.run import write_run_report  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "report-screenshot.png")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("needs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    page = write_run_report(args.run)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"], headless=True)
        tab = browser.new_page(viewport={"width": 1280, "height": 1100})
        tab.goto(page.resolve().as_uri())
        tab.locator("button.toggle").first.click()
        tab.screenshot(path=str(args.out))
        browser.close()
    print(args.out)


if __name__ == "__main__":
    main()
