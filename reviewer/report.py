"""The run report: ``DIR/index.html``, one self-contained page to browse a run.

Everything is inline (CSS, JS, the histogram as SVG), so the page works from the file system
with no network. Paper text is untrusted, so every value goes through autoescaping: a title
holding ``<script>`` shows as text. Reviews are rendered from whatever fields their form has
(strings as paragraphs, lists as bullets, lists of objects as numbered items), so a new form
needs no change here.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from reviewer.config import Price
from reviewer.errors import ConfigError
from reviewer.runstore import ERRORS, MANIFEST, REVIEWS, iter_jsonl, safe_filename

INDEX = "index.html"
_SCORE_SKIP = {"overall"}


@dataclass
class Row:
    """One review as the page shows it."""

    index: int
    paper_id: str
    title: str
    form: str
    model: str
    review: dict[str, Any]
    flags: list[str]
    warnings: list[str]
    usage: dict[str, int]
    latency_ms: int | None
    attempts: int | None
    cached: bool
    stages: dict[str, Any]
    cost: float | None
    calibrated: dict[str, Any] | None = None

    @property
    def overall(self) -> int | None:
        """The model's raw overall."""
        value = self.review.get("overall")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def raw_decision(self) -> str:
        return str(self.review.get("decision") or "")

    @property
    def calibrated_overall(self) -> float | None:
        value = (self.calibrated or {}).get("overall")
        return float(value) if isinstance(value, int | float) else None

    @property
    def interval(self) -> str:
        """``5.4–7.0``, or empty when the calibration has no interval."""
        c = self.calibrated or {}
        if not isinstance(c.get("low"), int | float) or not isinstance(c.get("high"), int | float):
            return ""
        return f"{c['low']:.1f}–{c['high']:.1f}"

    @property
    def decision(self) -> str:
        """The decision a person sees: the calibrated one when there is one."""
        if self.calibrated and self.calibrated.get("decision"):
            return str(self.calibrated["decision"])
        return self.raw_decision

    @property
    def tokens(self) -> int:
        return int(self.usage.get("prompt_tokens", 0)) + int(self.usage.get("completion_tokens", 0))

    @property
    def search(self) -> str:
        """What the filter box matches: title, id, form, model, decision and flags."""
        parts = [self.title, self.paper_id, self.form, self.model, self.decision, *self.flags]
        return " ".join(parts).lower()


@dataclass
class Run:
    """A run directory read back: reviews, errors and the manifest."""

    directory: Path
    rows: list[Row]
    errors: list[dict[str, Any]]
    manifest: dict[str, Any]
    score_keys: list[str] = field(default_factory=list)


def _title(run_dir: Path, record: dict[str, Any]) -> str:
    """The record's title, else the first ``# Title`` line of the paper's Markdown, else its id."""
    if isinstance(record.get("title"), str) and record["title"].strip():
        return record["title"].strip()
    paper_id = str(record["paper_id"])
    markdown = run_dir / "reviews" / f"{safe_filename(paper_id)}.md"
    try:
        with markdown.open(encoding="utf-8", errors="replace") as fh:
            first = fh.readline().strip()
    except OSError:
        first = ""
    return first[2:].strip() if first.startswith("# ") and first[2:].strip() else paper_id


def _cost(record: dict[str, Any], price: Price | None) -> float | None:
    if isinstance(record.get("cost_usd"), int | float):
        return float(record["cost_usd"])
    if price is None:
        return None
    usage = record.get("usage") or {}
    spent = (
        usage.get("prompt_tokens", 0) * price.input
        + usage.get("completion_tokens", 0) * price.output
    )
    return round(spent / 1e6, 6)


def load_run(run_dir: str | Path, *, price: Price | None = None) -> Run:
    """Read a run directory; ``price`` (or the manifest's ``price``) gives per-paper costs."""
    directory = Path(run_dir)
    if not (directory / REVIEWS).exists() and not (directory / MANIFEST).exists():
        raise ConfigError(f"not a run directory (no {REVIEWS} or {MANIFEST}): {directory}")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        manifest = {}
    if not isinstance(manifest, dict):
        manifest = {}
    if price is None and isinstance(manifest.get("price"), dict):
        price = Price.model_validate(manifest["price"])
    rows: list[Row] = []
    for record in iter_jsonl(directory / REVIEWS):
        if "paper_id" not in record or not isinstance(record.get("review"), dict):
            continue
        rows.append(
            Row(
                index=len(rows),
                paper_id=str(record["paper_id"]),
                title=_title(directory, record),
                form=str(record.get("form") or ""),
                model=str(record.get("model") or ""),
                review=record["review"],
                flags=[str(f) for f in record.get("flags") or []],
                warnings=[str(w) for w in record.get("warnings") or []],
                usage={
                    k: int(v)
                    for k, v in (record.get("usage") or {}).items()
                    if isinstance(v, int | float)
                },
                latency_ms=record.get("latency_ms"),
                attempts=record.get("attempts"),
                cached=bool(record.get("cached")),
                stages=record.get("stages") or {},
                cost=_cost(record, price),
                calibrated=record["calibrated"]
                if isinstance(record.get("calibrated"), dict)
                else None,
            )
        )
    scores: dict[str, None] = {}
    for row in rows:
        for key, value in row.review.items():
            if isinstance(value, int) and not isinstance(value, bool) and key not in _SCORE_SKIP:
                scores[key] = None
    errors = list(iter_jsonl(directory / ERRORS))
    return Run(directory, rows, errors, manifest, list(scores))


def label(key: str) -> str:
    """``load_bearing_premise`` -> ``Load bearing premise``."""
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def render_value(value: Any) -> Markup:
    """A review field as HTML: paragraphs, bullet lists, numbered items, nested fields."""
    if isinstance(value, str):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value) if p.strip()]
        return Markup("").join(Markup("<p>{}</p>").format(p) for p in paragraphs)
    if isinstance(value, dict):
        items = (
            Markup('<div class="field"><span class="key">{}</span> {}</div>').format(
                label(str(k)), render_value(v)
            )
            for k, v in value.items()
        )
        return Markup('<div class="item">{}</div>').format(Markup("").join(items))
    if isinstance(value, list):
        if all(isinstance(v, str | int | float) for v in value):
            lis = (Markup("<li>{}</li>").format(v) for v in value)
            return Markup("<ul>{}</ul>").format(Markup("").join(lis))
        lis = (Markup("<li>{}</li>").format(render_value(v)) for v in value)
        return Markup("<ol>{}</ol>").format(Markup("").join(lis))
    return Markup("<p>{}</p>").format(value)


def review_sections(review: dict[str, Any]) -> list[tuple[str, str, Markup]]:
    """(field key, heading, HTML) for every non-score field, in the form's order."""
    return [
        (key, label(key), render_value(value))
        for key, value in review.items()
        if key != "decision"
        and not (isinstance(value, int | float) and not isinstance(value, bool))
    ]


def histogram_svg(
    values: list[int], low: int = 1, high: int = 10, what: str = "overall scores"
) -> Markup:
    """Counts of ``values`` per integer from ``low`` to ``high`` as an inline SVG bar chart."""
    counts = Counter(values)
    bins = list(range(low, high + 1))
    top = max([counts[b] for b in bins] + [1])
    width, height, pad, bar = 360, 150, 22, 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="Histogram of {what}">'
    ]
    for i, b in enumerate(bins):
        h = round((height - 2 * pad) * counts[b] / top)
        x, y = 10 + i * (bar + 5), height - pad - h
        parts.append(
            f'<rect class="bar" x="{x}" y="{y}" width="{bar}" height="{h}" '
            f'data-score="{b}" data-count="{counts[b]}"><title>{b}: {counts[b]}</title></rect>'
            f'<text x="{x + bar / 2}" y="{height - 6}" text-anchor="middle">{b}</text>'
        )
        if counts[b]:
            parts.append(
                f'<text x="{x + bar / 2}" y="{y - 4}" text-anchor="middle">{counts[b]}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


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
    decided = [d.lower() for d in decisions if d]
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
        ("cost", _money(s["cost"]), "cost"),
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
    return (
        f"calibrated scores ({', '.join(venues)}; {s['calibrated']} of {s['reviews']} reviews): "
        f"mean overall {s['mean_calibrated']:.2f}, "
        f"accept {s['calibrated_accept_rate']:.0%} · model's raw scores: {raw}"
    )


def _money(value: float | None) -> str:
    """Dollars, with enough decimals that a fraction of a cent does not show as zero."""
    if value is None:
        return "—"
    if value < 0.01:
        return "$" + (f"{value:.6f}".rstrip("0").rstrip(".") or "0")
    return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


def _package_version() -> str:
    try:
        return version("reviewer")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "dev"


def render_report(run: Run) -> str:
    """The page's HTML for a loaded run."""
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(
        money=_money,
        label=label,
        dash=lambda v: "—" if v is None or v == "" else v,
        sortkey=lambda v: "" if v is None else v,
        thousands=lambda v: f"{int(v):,}",
        seconds=lambda ms: f"{ms / 1000:.1f} s",
        basename=lambda path: Path(str(path)).name if path else "",
    )
    env.globals["sections"] = review_sections
    decisions = sorted({r.decision for r in run.rows if r.decision})
    flags = sorted({f for r in run.rows for f in r.flags})
    manifest = run.manifest
    calibrated = any(r.calibrated for r in run.rows)
    if calibrated:
        columns = [("Title", False), ("Calibrated overall", True), ("Decision", False)]
        columns += [("Raw overall", True), ("Raw decision", False)]
    else:
        columns = [("Title", False), ("Overall (raw)", True), ("Decision (raw)", False)]
    columns += [(label(key), True) for key in run.score_keys]
    columns += [("Flags", False), ("Tokens", True), ("Cost", True)]
    return env.from_string(PAGE).render(
        run=run,
        columns=columns,
        calibrated=calibrated,
        name=run.directory.resolve().name,
        summary=summarize(run),
        decisions=decisions,
        flags=flags,
        manifest_json=json.dumps(manifest, indent=2, ensure_ascii=False) if manifest else "",
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        package_version=_package_version(),
        css=Markup(CSS),
        js=Markup(JS),
    )


def write_report(run_dir: str | Path, *, price: Price | None = None) -> Path:
    """Write ``run_dir/index.html`` (atomically) and return its path."""
    run = load_run(run_dir, price=price)
    target = run.directory / INDEX
    tmp = run.directory / f".{INDEX}.{os.getpid()}.tmp"
    tmp.write_text(render_report(run), encoding="utf-8")
    tmp.replace(target)
    return target


CSS = """
:root { --fg:#1d2330; --muted:#5d6678; --line:#dde1e8; --bg:#f6f7f9; --accent:#2857c5;
  --ok:#1f7a3d; --bad:#b3261e; --warn:#8a5a00; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 1320px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 1.45rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 26px 0 10px; }
.meta, .pid, footer, figcaption { color: var(--muted); font-size: .85rem; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px;
  min-width: 120px; }
.card b { display: block; font-size: 1.25rem; }
.summary { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 8px; }
svg .bar { fill: var(--accent); } svg text { font-size: 11px; fill: var(--muted); }
.controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-bottom: 10px; }
.controls input { flex: 1 1 260px; padding: 7px 10px; border: 1px solid var(--line);
  border-radius: 6px; font: inherit; }
.controls select, .controls button { padding: 6px 8px; font: inherit; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { padding: 6px 7px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { background: #eef1f5; white-space: nowrap;
  font-size: .85rem; }
.table-wrap { overflow-x: auto; }
#papers-table td:first-child { min-width: 240px; }
th button.sort { all: unset; cursor: pointer; font-weight: 600; }
th button.sort::after { content: " \\2195"; color: var(--muted); }
th[aria-sort="ascending"] button.sort::after { content: " \\25B2"; color: var(--fg); }
th[aria-sort="descending"] button.sort::after { content: " \\25BC"; color: var(--fg); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.row:hover { background: #f3f6fc; }
button.toggle { border: 1px solid var(--line); background: #fff; border-radius: 4px;
  cursor: pointer; margin-right: 6px; }
.title { font-weight: 600; }
.decision { font-weight: 600; text-transform: capitalize; }
.decision.accept { color: var(--ok); } .decision.reject { color: var(--bad); }
.raw { opacity: .75; }
.interval { color: var(--muted); font-size: .78rem; white-space: nowrap; }
.flag { display: inline-block; font-size: .75rem; padding: 1px 7px; margin: 1px 2px;
  border-radius: 10px; background: #fff3d6; color: var(--warn); border: 1px solid #f0d9a0; }
.flag.prompt_injection { background: #fde7e5; color: var(--bad); border-color: #f3b8b2; }
tr.review > td { background: #fbfcfe; padding: 14px 22px 18px; }
.review h4 { margin: 14px 0 4px; font-size: .95rem; }
.review p { margin: 4px 0; white-space: pre-wrap; }
.review ul, .review ol { margin: 4px 0; padding-left: 22px; }
.item .key { font-weight: 600; }
.usage { color: var(--muted); font-size: .85rem; margin-top: 14px; }
.warnings { color: var(--warn); font-size: .85rem; }
pre { background: #fff; border: 1px solid var(--line); padding: 10px; overflow: auto;
  font-size: .8rem; }
.errors td { font-size: .88rem; }
footer { padding: 24px 20px 40px; }
"""

JS = """
(() => {
  const table = document.getElementById("papers-table");
  const headers = [...table.tHead.rows[0].cells];
  const box = document.getElementById("filter");
  const decision = document.getElementById("decision-filter");
  const flag = document.getElementById("flag-filter");
  const shown = document.getElementById("shown");
  const empty = document.getElementById("no-match");

  function key(body, col, numeric) {
    const cell = body.rows[0].cells[col];
    const raw = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
    if (!numeric) return raw.toLowerCase();
    const n = parseFloat(raw);
    return Number.isNaN(n) ? null : n;
  }

  function sortBy(th) {
    const col = th.cellIndex;
    const numeric = th.dataset.type === "num";
    const dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    headers.forEach((h) => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", dir);
    const sign = dir === "ascending" ? 1 : -1;
    const bodies = [...table.tBodies];
    bodies.sort((a, b) => {
      const x = key(a, col, numeric), y = key(b, col, numeric);
      if (x === null || y === null) return x === y ? 0 : (x === null ? 1 : -1);
      return (x < y ? -1 : x > y ? 1 : 0) * sign || a.dataset.index - b.dataset.index;
    });
    bodies.forEach((b) => table.appendChild(b));
  }

  function applyFilter() {
    const q = box.value.trim().toLowerCase();
    const d = decision.value, f = flag.value;
    let count = 0;
    for (const body of table.tBodies) {
      const flags = body.dataset.flags ? body.dataset.flags.split(" ") : [];
      const ok = (!q || body.dataset.search.includes(q))
        && (!d || body.dataset.decision === d)
        && (!f || (f === "*" ? flags.length > 0 : flags.includes(f)));
      body.hidden = !ok;
      count += ok ? 1 : 0;
    }
    shown.textContent = count + " of " + table.tBodies.length + " shown";
    empty.hidden = count > 0;
  }

  function toggle(body, open) {
    const button = body.querySelector("button.toggle");
    const detail = body.rows[1];
    const next = open === undefined ? detail.hidden : open;
    detail.hidden = !next;
    button.setAttribute("aria-expanded", String(next));
    button.textContent = next ? "\\u25BE" : "\\u25B8";
  }

  headers.forEach((th) => {
    const button = th.querySelector("button.sort");
    if (button) button.addEventListener("click", () => sortBy(th));
  });
  for (const body of table.tBodies) {
    body.querySelector("button.toggle").addEventListener("click", () => toggle(body));
    body.querySelector(".title").addEventListener("click", () => toggle(body));
  }
  document.getElementById("expand-all").addEventListener("click", () => {
    for (const body of table.tBodies) if (!body.hidden) toggle(body, true);
  });
  document.getElementById("collapse-all").addEventListener("click", () => {
    for (const body of table.tBodies) toggle(body, false);
  });
  [box, decision, flag].forEach((el) => el.addEventListener("input", applyFilter));
  applyFilter();
})();
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reviews: {{ name }}</title>
<style>{{ css }}</style>
</head>
<body>
<header>
  <h1>Reviews: {{ name }}</h1>
  <div class="meta">
    {% if run.manifest.model %}model <b>{{ run.manifest.model }}</b> · {% endif %}
    {% if run.manifest.form %}form <b>{{ run.manifest.form.name }}</b> · {% endif %}
    {% if run.manifest.status %}status {{ run.manifest.status }} · {% endif %}
    {% if run.manifest.finished_at %}finished {{ run.manifest.finished_at }}{% endif %}
  </div>
</header>
<main>
<section id="summary">
  <h2>Summary</h2>
  <div class="summary">
    <div class="cards">
      {% for id, value, what in summary.cards %}
      <div class="card" id="{{ id }}"><b>{{ value }}</b>{{ what }}</div>
      {% endfor %}
      {% for name, count in summary.flags.items() %}
      <div class="card flagged"><b>{{ count }}</b>flagged
        <span class="flag {{ name }}">{{ name }}</span></div>
      {% endfor %}
    </div>
    {% if calibrated %}
    <figure id="calibrated-histogram">{{ summary.calibrated_histogram }}
      <figcaption>Calibrated overall (1–10, rounded)</figcaption></figure>
    {% endif %}
    <figure id="histogram">{{ summary.histogram }}
      <figcaption>{{ "Model's raw overall (1–10)" if calibrated
        else "Overall scores (1–10, the model's raw scores)" }}</figcaption></figure>
  </div>
  {% if summary.calibration_note %}
  <p id="calibration-note" class="meta">{{ summary.calibration_note }}</p>
  {% endif %}
</section>

<section id="papers">
  <h2>Papers</h2>
  <div class="controls">
    <input id="filter" type="search" aria-label="Filter papers"
      placeholder="Filter by title, id, model or flag">
    <select id="decision-filter" aria-label="Decision">
      <option value="">every decision</option>
      {% for d in decisions %}<option value="{{ d }}">{{ d }}</option>{% endfor %}
    </select>
    <select id="flag-filter" aria-label="Flag">
      <option value="">flagged or not</option>
      <option value="*">any flag</option>
      {% for f in flags %}<option value="{{ f }}">{{ f }}</option>{% endfor %}
    </select>
    <button type="button" id="expand-all">Expand all</button>
    <button type="button" id="collapse-all">Collapse all</button>
    <span id="shown" class="meta"></span>
  </div>
  <div class="table-wrap">
  <table id="papers-table">
    <thead><tr>
      {% for title, numeric in columns %}
      <th{% if numeric %} class="num"{% endif %} data-type="{{ 'num' if numeric else 'text' }}">
        <button type="button" class="sort">{{ title }}</button></th>
      {% endfor %}
    </tr></thead>
    {% for row in run.rows %}
    <tbody class="paper" data-index="{{ row.index }}" data-id="{{ row.paper_id }}"
      data-decision="{{ row.decision }}" data-flags="{{ row.flags | join(' ') }}"
      data-search="{{ row.search }}">
      <tr class="row">
        <td data-sort="{{ row.title }}">
          <button type="button" class="toggle" aria-expanded="false"
            aria-controls="review-{{ row.index }}" aria-label="Show review">&#x25B8;</button>
          <span class="title">{{ row.title }}</span>
          <div class="pid">{{ row.paper_id }}{% if row.form %} · {{ row.form }}{% endif %}</div>
        </td>
        {% if calibrated %}
        <td class="num calibrated" data-sort="{{ row.calibrated_overall | sortkey }}">
          {%- if row.calibrated_overall is not none %}{{ "%.1f" | format(row.calibrated_overall) }}
          {%- if row.interval %}<div class="interval">{{ row.interval }}</div>{% endif %}
          {%- else %}—{% endif %}</td>
        <td class="decision {{ row.decision }}">{{ row.decision }}</td>
        <td class="num overall raw" data-sort="{{ row.overall | sortkey }}">
          {{- row.overall | dash }}</td>
        <td class="decision raw {{ row.raw_decision }}">{{ row.raw_decision }}</td>
        {% else %}
        <td class="num overall" data-sort="{{ row.overall | sortkey }}">
          {{- row.overall | dash }}</td>
        <td class="decision {{ row.decision }}">{{ row.decision }}</td>
        {% endif %}
        {% for key in run.score_keys %}
        {% set value = row.review.get(key) %}
        <td class="num" data-sort="{{ value | sortkey }}">{{ value | dash }}</td>
        {% endfor %}
        <td data-sort="{{ row.flags | join(' ') }}">
          {%- for f in row.flags %}<span class="flag {{ f }}">{{ f }}</span>{% endfor %}</td>
        <td class="num" data-sort="{{ row.tokens }}">{{ row.tokens | thousands }}</td>
        <td class="num" data-sort="{{ row.cost | sortkey }}">{{ row.cost | money }}</td>
      </tr>
      <tr class="review" id="review-{{ row.index }}" hidden>
        <td colspan="{{ columns | length }}">
          <div class="review">
            {% if row.calibrated_overall is not none %}
            <p class="calibrated-score"><b>Calibrated overall
              {{ "%.1f" | format(row.calibrated_overall) }}/10
              {%- if row.interval %} ({{ "%.0f" | format(row.calibrated.level * 100) }}% interval
              {{ row.interval }}){% endif %} · {{ row.decision }}</b>
              · calibrated to {{ "all venue-years pooled" if row.calibrated.venue == "*"
                else row.calibrated.venue }} · model's raw overall {{ row.overall | dash }}/10
              · {{ row.raw_decision }}</p>
            {% endif %}
            {% for key, heading, html in sections(row.review) %}
            <section class="section" data-field="{{ key }}">
              <h4>{{ heading }}</h4>{{ html }}</section>
            {% endfor %}
            {% if row.warnings %}
            <h4>Warnings</h4>
            <ul class="warnings">{% for w in row.warnings %}<li>{{ w }}</li>{% endfor %}</ul>
            {% endif %}
            <div class="usage">
              {{ row.model }} · {{ row.usage.get("prompt_tokens", 0) | thousands }} in /
              {{ row.usage.get("completion_tokens", 0) | thousands }} out tokens
              {% if row.latency_ms is number %} · {{ row.latency_ms | seconds }}{% endif %}
              {% if row.attempts %} · {{ row.attempts }} attempt(s){% endif %}
              {% if row.cached %} · cached{% endif %}
              · cost {{ row.cost | money }}
              {% for stage, info in row.stages.items() %}
              <br>stage {{ stage }}:
              {% for k, v in info.items() %}{{ k }} {{ v }}{{ ", " if not loop.last }}{% endfor %}
              {% endfor %}
            </div>
          </div>
        </td>
      </tr>
    </tbody>
    {% endfor %}
  </table>
  </div>
  <p id="no-match" class="meta" hidden>No paper matches the filter.</p>
</section>

<section id="errors">
  <h2>Errors ({{ run.errors | length }})</h2>
  {% if run.errors %}
  <table class="errors">
    <thead><tr><th>Paper</th><th>Kind</th><th>Reason</th><th>Where</th></tr></thead>
    <tbody>
    {% for e in run.errors %}
    <tr><td>{{ e.paper_id or "—" }}</td><td>{{ e.kind }}</td>
      <td>{{ e.reason }}
        {%- if e.raw_excerpt %}<details><summary>last reply</summary>
        <pre>{{ e.raw_excerpt }}</pre></details>{% endif %}</td>
      <td title="{{ e.source or '' }}">{{ e.source | basename }}
        {{- ":%s" % e.line if e.source and e.line }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}
  <p class="meta">None: every paper read has a review.</p>
  {% endif %}
</section>

{% if manifest_json %}
<section id="manifest">
  <h2>Run configuration</h2>
  <details><summary>manifest.json</summary><pre>{{ manifest_json }}</pre></details>
</section>
{% endif %}
</main>
<footer>Made by reviewer {{ package_version }} on {{ generated }}.
  This page is self-contained and works offline.</footer>
<script>{{ js }}</script>
</body>
</html>
"""
