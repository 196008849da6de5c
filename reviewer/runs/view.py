"""A run directory read back for people: the rows the run report and the batch's score line show.

``runstore`` is the only writer of a run; this module only reads what it wrote (reviews,
errors, the manifest), tolerating a run still in progress or cut short.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.config import Price
from reviewer.errors import ConfigError
from reviewer.redact import redact
from reviewer.runs.store import ERRORS, MANIFEST, REVIEWS, iter_jsonl, safe_filename

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
    related: list[dict[str, Any]] | None = None  # earlier papers found (``--related``)

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


def markdown_path(run_dir: Path, record: dict[str, Any]) -> Path:
    """The record's Markdown file: the one it names, else (runs written before records named
    it) the old name made from its id."""
    named = record.get("markdown")
    if isinstance(named, str) and named:
        return run_dir / "reviews" / Path(named).name  # never outside the run's reviews/
    return run_dir / "reviews" / f"{safe_filename(str(record['paper_id']))}.md"


def _title(run_dir: Path, record: dict[str, Any]) -> str:
    """The record's title, else the first ``# Title`` line of the paper's Markdown, else its id."""
    if isinstance(record.get("title"), str) and record["title"].strip():
        return record["title"].strip()
    paper_id = str(record["paper_id"])
    markdown = markdown_path(run_dir, record)
    try:
        with markdown.open(encoding="utf-8", errors="replace") as fh:
            first = fh.readline().strip()
    except OSError:
        first = ""
    return first[2:].strip() if first.startswith("# ") and first[2:].strip() else paper_id


def _cost(record: dict[str, Any], price: Price | None) -> float | None:
    """What the review's tokens cost at ``price`` (USD per million tokens); None without one."""
    if price is None:
        return None
    usage = record.get("usage") or {}
    spent = (
        usage.get("prompt_tokens", 0) * price.input
        + usage.get("completion_tokens", 0) * price.output
    )
    return round(spent / 1e6, 6)


def load_run(run_dir: str | Path, *, price: Price | None = None) -> Run:
    """Read a run directory; ``price`` (the configured price of the run's model) gives
    per-paper costs."""
    directory = Path(run_dir)
    if not (directory / REVIEWS).exists() and not (directory / MANIFEST).exists():
        raise ConfigError(f"not a run directory (no {REVIEWS} or {MANIFEST}): {directory}")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        manifest = {}
    if not isinstance(manifest, dict):
        manifest = {}
    manifest = redact(manifest)  # runs written before manifests were redacted
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
                related=[r for r in record["related"] if isinstance(r, dict)]
                if isinstance(record.get("related"), list)
                else None,
            )
        )
    scores: dict[str, None] = {}
    for row in rows:
        for key, value in row.review.items():
            if isinstance(value, int) and not isinstance(value, bool) and key not in _SCORE_SKIP:
                scores[key] = None
    errors = [redact(e) for e in iter_jsonl(directory / ERRORS)]
    return Run(directory, rows, errors, manifest, list(scores))
