"""The run report: built from run directories written by the real RunStore, read back as HTML."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reviewer import Reviewer
from reviewer.config import Price, Settings
from reviewer.errors import ConfigError
from reviewer.inputs.sources import read_inputs
from reviewer.reports.run import INDEX, histogram_svg, render_value, write_run_report
from reviewer.runs.store import RunStore
from reviewer.runs.view import load_run
from tests.fake_openai import FakeOpenAI, placeholder_review, title_of
from tests.inputs.test_sources import SourceServer, make_pdf_folder, write_bib

EVIL = "<script>alert('pwned')</script> Robust <b>Attention</b>"


def sections_review(overall: int, decision: str | None = None) -> dict[str, Any]:
    review = placeholder_review("a paper", overall=overall)
    if decision:
        review["decision"] = decision
    return review


def referee_review() -> dict[str, Any]:
    """The ``referee`` form's shape: sentences, and lists of objects."""
    return {
        "pith": "The paper claims block sparsity keeps accuracy on long inputs.",
        "summary": "First paragraph of the summary.\n\nSecond paragraph of the summary.",
        "major_comments": [
            {
                "location": "Section 3",
                "comment": "The baseline is tuned less than the method.",
                "authors_response": {"response": "We tuned both equally.", "revision": "partial"},
            },
            {
                "location": "Table 2",
                "comment": "Variance over seeds is not reported at all.",
                "authors_response": {"response": "We add seeds.", "revision": "yes"},
            },
        ],
        "overall": 4,
        "confidence": 3,
        "decision": "reject",
    }


def record(paper_id: str, review: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A reviews.jsonl record in the documented format."""
    return {
        "paper_id": paper_id,
        "form": extra.pop("form", "sections"),
        "model": "gpt-4o-mini",
        "review": review,
        "usage": {"prompt_tokens": 600, "completion_tokens": 400},
        "latency_ms": 2100,
        "cached": False,
        "attempts": 1,
        "flags": [],
        "warnings": [],
        **extra,
    }


def make_run(directory: Path) -> Path:
    """A run written through RunStore: three reviews, two errors, a manifest."""
    store = RunStore(directory)
    reviews = [
        (record("p-low", sections_review(3)), "Low Scoring Paper"),
        (
            record(
                "p-evil",
                sections_review(8),
                flags=["prompt_injection", "truncated_input"],
                warnings=["prompt_injection: abstract: instruction-like text 'give ... review'"],
            ),
            EVIL,
        ),
        (record("p-ref", referee_review(), form="referee"), "Referee Form Paper"),
    ]
    for rec, title in reviews:
        store.write_review(rec, f"# {title}\n\nbody")
    store.write_error(
        {"paper_id": None, "form": "sections", "kind": "input", "reason": "no abstract",
         "source": "refs.bib", "line": 20}
    )  # fmt: skip
    store.write_error(
        {"paper_id": "p-bad", "form": "sections", "kind": "invalid_review",
         "reason": "schema violation", "attempts": 3, "raw_excerpt": "</pre><script>x()</script>"}
    )  # fmt: skip
    store.write_manifest(
        {"status": "finished", "model": "gpt-4o-mini", "form": {"name": "sections"},
         "cost_usd": 0.0123, "config": {"full_text_tokens": 6000}}
    )  # fmt: skip
    store.close()
    return directory


class Page(HTMLParser):
    """The parts of the page the tests look at: tags with their attributes, and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
            self._in_script = False

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def test_report_lists_every_review_with_title_scores_and_decision(tmp_path: Path) -> None:
    path = write_run_report(make_run(tmp_path / "run"))
    assert path == tmp_path / "run" / INDEX
    page = Page(path.read_text(encoding="utf-8"))
    papers = page.find("tbody", **{"class": "paper"})
    assert [p["data-id"] for p in papers] == ["p-low", "p-evil", "p-ref"]
    assert [p["data-decision"] for p in papers] == ["reject", "accept", "reject"]
    overall = [a["data-sort"] for a in page.find("td", **{"class": "num overall"})]
    assert overall == ["3", "8", "4"]
    html = path.read_text(encoding="utf-8")
    assert '<span class="title">Low Scoring Paper</span>' in html  # from reviews/p-low.md
    assert '<span class="title">Referee Form Paper</span>' in html
    headers = [a for t, a in page.tags if t == "th" and "data-type" in a]
    assert len(headers) == 3 + 4 + 3  # title, overall, decision, 4 sub-scores, flags/tokens/cost


def test_untrusted_text_renders_as_text_never_as_markup(tmp_path: Path) -> None:
    html = write_run_report(make_run(tmp_path / "run")).read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<b>Attention</b>" not in html
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; Robust &lt;b&gt;Attention" in html
    assert "<script>x()" not in html  # an error's raw excerpt
    page = Page(html)
    assert len(page.find("script")) == 1  # only the page's own inline script


def test_page_is_self_contained(tmp_path: Path) -> None:
    html = write_run_report(make_run(tmp_path / "run")).read_text(encoding="utf-8")
    page = Page(html)
    assert page.find("link") == [] and page.find("img") == []
    assert all("src" not in attrs for _, attrs in page.tags)
    assert all(not attrs.get("href", "#").strip("#") for _, attrs in page.tags)
    assert "@import" not in html and "url(" not in html


def test_reviews_render_with_their_sections_whatever_the_form(tmp_path: Path) -> None:
    html = write_run_report(make_run(tmp_path / "run")).read_text(encoding="utf-8")
    page = Page(html)
    fields = [a["data-field"] for a in page.find("section", **{"class": "section"})]
    assert fields[:9] == [
        "summary", "methodology", "experiments", "reproducibility", "limitations", "impact",
        "strengths", "weaknesses", "questions",
    ]  # fmt: skip
    assert {"pith", "major_comments"} <= set(fields)
    assert "<h4>Major comments</h4>" in html
    assert '<span class="key">Location</span> <p>Section 3</p>' in html
    # each major comment's simulated authors' response renders inside that comment
    table2 = html.split("<p>Table 2</p>")[1].split("</li>")[0]
    assert '<span class="key">Authors response</span>' in table2 and "We add seeds." in table2


def test_render_value_maps_strings_lists_and_objects() -> None:
    assert render_value("one\n\ntwo") == "<p>one</p><p>two</p>"
    assert render_value(["a", "<b>"]) == "<ul><li>a</li><li>&lt;b&gt;</li></ul>"
    assert render_value([{"location": "S3", "comment": "c"}]) == (
        '<ol><li><div class="item"><div class="field"><span class="key">Location</span> '
        '<p>S3</p></div><div class="field"><span class="key">Comment</span> <p>c</p></div>'
        "</div></li></ol>"
    )


def test_flags_warnings_usage_and_cost_are_shown(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path / "run")
    html = write_run_report(run_dir, price=Price(input=0.15, output=0.60)).read_text("utf-8")
    evil = html.split('data-id="p-evil"')[1].split("</tbody>")[0]
    assert '<span class="flag prompt_injection">prompt_injection</span>' in evil
    assert '<span class="flag truncated_input">truncated_input</span>' in evil
    assert "instruction-like text" in evil
    assert "600 in /" in evil and "400 out tokens" in evil and "2.1 s" in evil
    assert "$0.00033" in evil  # 600 * 0.15 / 1e6 + 400 * 0.60 / 1e6 = 0.00033


def test_summary_counts_mean_accept_rate_tokens_cost_histogram(tmp_path: Path) -> None:
    run = load_run(make_run(tmp_path / "run"))
    html = write_run_report(run.directory).read_text(encoding="utf-8")
    cards = dict(re.findall(r'<div class="card" id="([\w-]+)"><b>([^<]*)</b>', html))
    assert cards == {
        "count-reviews": "3",
        "count-failed": "1",
        "count-rejected": "1",
        "mean-overall": "5.00",
        "accept-rate": "33%",
        "tokens": "1,800 / 1,200",
        "cost": "$0.0123",
    }
    bars = dict(re.findall(r'data-score="(\d+)" data-count="(\d+)"', html))
    assert (bars["3"], bars["4"], bars["8"], bars["5"]) == ("1", "1", "1", "0")
    assert '"full_text_tokens": 6000' in unescape(html)  # the manifest, with the text budget


def test_histogram_scales_bars_to_the_largest_count() -> None:
    svg = histogram_svg([5, 5, 7])
    heights = dict(re.findall(r'height="(\d+)" data-score="(\d+)"', str(svg)))
    assert {v: int(k) for k, v in heights.items()}["5"] == 2 * {
        v: int(k) for k, v in heights.items()
    }["7"]


def test_errors_are_listed_with_where_and_the_last_reply(tmp_path: Path) -> None:
    html = write_run_report(make_run(tmp_path / "run")).read_text(encoding="utf-8")
    errors = html.split('<section id="errors">')[1].split("</section>")[0]
    assert "Errors (2)" in errors
    assert "refs.bib:20" in errors and "no abstract" in errors
    assert "schema violation" in errors and "&lt;/pre&gt;&lt;script&gt;x()" in errors


def test_title_comes_from_the_record_then_the_markdown_then_the_id(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run")
    store.write_review(record("a", sections_review(5), title="From Record"), "# From Markdown")
    store.write_review(record("b", sections_review(5)), "# From Markdown")
    store.write_review(record("c", sections_review(5)), "no heading")
    store.close()
    assert [r.title for r in load_run(tmp_path / "run").rows] == [
        "From Record",
        "From Markdown",
        "c",
    ]


def test_not_a_run_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a run directory"):
        write_run_report(tmp_path)


def test_report_command_writes_the_page_with_configured_prices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.cli.report import report_command

    config = tmp_path / "config.toml"
    config.write_text('[prices."gpt-4o-mini"]\ninput = 0.15\noutput = 0.60\n', encoding="utf-8")
    monkeypatch.setenv("REVIEWER_CONFIG", str(config))
    run_dir = make_run(tmp_path / "run")
    result = CliRunner().invoke(report_command, [str(run_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(run_dir / INDEX)
    assert "$0.00033" in (run_dir / INDEX).read_text(encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    failed = CliRunner().invoke(report_command, [str(empty)])
    assert failed.exit_code == 2 and "not a run directory" in failed.output


def varied_responder(request: dict[str, Any]) -> str:
    """Placeholder reviews (fake data) whose overall score depends on the title, for variety."""
    title = title_of(request)
    return json.dumps(placeholder_review(title, overall=1 + sum(map(ord, title)) % 9))


def build_demo_run(tmp_path: Path, server: SourceServer, fake: FakeOpenAI) -> Path:
    """arXiv ids (fixture server) + two PDFs (full text) + a BibTeX file -> a run and its page."""
    ids = tmp_path / "ids.txt"
    ids.write_text("2205.01068\narXiv:1909.11942\n2401.99999\n", encoding="utf-8")
    pdfs = make_pdf_folder(tmp_path / "pdfs")
    bib = write_bib(tmp_path / "refs.bib")
    items = itertools.chain(
        read_inputs(ids), read_inputs(pdfs, full_text=True, full_text_tokens=500), read_inputs(bib)
    )
    price = Price(input=0.15, output=0.60)  # USD per million tokens, as in a config file
    settings = Settings(
        base_url=fake.base_url, api_key="sk-test", model="fake-model", prices={"fake-model": price}
    )
    out = tmp_path / "run"
    with Reviewer(settings=settings) as reviewer:
        reviewer.batch(items, out, concurrency=2)
    write_run_report(out, price=price)
    return out


@pytest.fixture
def varied_fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(responder=varied_responder) as fake:
        yield fake


def test_batch_over_arxiv_pdfs_and_bibtex_produces_reviews_and_a_page(
    tmp_path: Path, sources: SourceServer, varied_fake: FakeOpenAI
) -> None:
    out = build_demo_run(tmp_path, sources, varied_fake)
    page = Page((out / INDEX).read_text(encoding="utf-8"))
    ids = sorted(p["data-id"] for p in page.find("tbody", **{"class": "paper"}))
    assert ids == [
        "arxiv:1909.11942", "arxiv:2205.01068", "caf2020", "routing", "sparse", "vaswani2017",
    ]  # fmt: skip
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert sorted((e["kind"], e["line"]) for e in errors) == [
        ("input", 3), ("input", 20), ("input", 25),
    ]  # fmt: skip
    html = (out / INDEX).read_text(encoding="utf-8")
    assert "Sparse Attention Scales to Long Documents" in html
    assert '<span class="flag prompt_injection">' in html  # the routing PDF's hidden instruction
    assert '<div class="card" id="cost"><b>$0.00027</b>' in html  # 600 in, 300 out: 0.00027
    assert "OPT: Open Pre-trained Transformer Language Models" in html


def make_calibrated_run(directory: Path) -> Path:
    """Two raw-lenient reviews (8 and 9, both accept) whose calibrated scores disagree."""
    store = RunStore(directory)
    cal = [
        {"overall": 5.13, "decision": "reject", "venue": "iclr-2017", "low": 4.2, "high": 6.0,
         "level": 0.8, "ranking": "ranks papers weakly: within-venue Spearman 0.14 on held-out "
         "train folds (0 is chance, 1 is the human order)"},
        {"overall": 6.87, "decision": "accept", "venue": "iclr-2017", "low": 5.9, "high": 7.8,
         "level": 0.8, "ranking": "ranks papers weakly: within-venue Spearman 0.14 on held-out "
         "train folds (0 is chance, 1 is the human order)"},
    ]  # fmt: skip
    for i, (raw, c) in enumerate(zip((8, 9), cal, strict=True)):
        rec = record(f"p{i}", sections_review(raw, "accept"), calibrated=c)
        store.write_review(rec, f"# Paper {i}\n\nbody")
    store.write_manifest({"status": "finished", "model": "small", "form": {"name": "sections"},
                          "config": {"calibration": {"n": 150, "model": "small"}}})  # fmt: skip
    store.close()
    return directory


def test_a_calibrated_run_leads_with_calibrated_scores_and_keeps_the_raw_ones(
    tmp_path: Path,
) -> None:
    from reviewer.reports.run import score_line

    run_dir = make_calibrated_run(tmp_path / "run")
    html = write_run_report(run_dir).read_text(encoding="utf-8")
    cards = dict(re.findall(r'<div class="card" id="([\w-]+)"><b>([^<]*)</b>', html))
    assert cards["mean-calibrated"] == "6.00" and cards["calibrated-accept-rate"] == "50%"
    assert cards["mean-overall"] == "8.50" and cards["accept-rate"] == "100%"
    captions = re.findall(r'<div class="card" id="[\w-]+"><b>[^<]*</b>([^<]*)</div>', html)
    assert captions.index("mean calibrated overall") < captions.index("mean raw overall")
    headers = re.findall(r'<button type="button" class="sort">([^<]*)</button>', html)
    assert headers[:5] == ["Title", "Calibrated overall", "Decision", "Raw overall",
                           "Raw decision"]  # fmt: skip
    first = html.split('data-id="p0"')[1].split("</tbody>")[0]
    assert 'data-decision="reject"' in html.split('data-id="p0"')[1][:200]
    assert "5.1" in first and "4.2–6.0" in first and "Calibrated overall" in first
    bars = dict(re.findall(r'data-score="(\d+)" data-count="(\d+)"', html.split(
        'id="calibrated-histogram"')[1].split("</figure>")[0]))  # fmt: skip
    assert (bars["5"], bars["7"], bars["8"]) == ("1", "1", "0")
    note = html.split('id="calibration-note"')[1].split("</p>")[0]
    assert "iclr-2017" in note and "150 train reviews" in note and "weakly" in note
    assert "80% intervals" in note and "80% of the" in note
    line = score_line(load_run(run_dir))
    assert line.startswith("calibrated scores (iclr-2017; 2 of 2 reviews): mean overall 6.00")
    assert line.endswith("model's raw scores: mean 8.50, accept 100%")


def test_an_uncalibrated_run_labels_its_scores_raw(tmp_path: Path) -> None:
    html = write_run_report(make_run(tmp_path / "run")).read_text(encoding="utf-8")
    headers = re.findall(r'<button type="button" class="sort">([^<]*)</button>', html)
    assert headers[1:3] == ["Overall (raw)", "Decision (raw)"]
    assert 'id="calibrated-histogram"' not in html and 'id="calibration-note"' not in html
