"""Generated reviews to score: ours (``reviews.jsonl``) or any other system's CSV/JSONL.

Both become one ``Prediction`` per paper, so every metric sees the same fields whatever
produced the review: a 1-10 rating, the review's own decision when it has one, comment units
(for matching), evaluative units (for aspect coverage) and the whole text (for ROUGE).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer import load_form
from reviewer.errors import ConfigError, FormError, InputError
from reviewer.references import (
    COMMON_SCALE,
    HumanReview,
    decision_accepts,
    json_objects,
    to_common,
)
from reviewer.references.segment import split_comments, split_items
from reviewer.review import COMMENT_KEYS, SCORE_KEYS, item_text

SUMMARY_KEYS = ("summary", "pith")

MAP_KEYS = ("paper_id", "rating", "decision", "text")


@dataclass(frozen=True)
class Prediction:
    """One system's review of one paper, reduced to what the metrics read."""

    paper_id: str
    rating: float | None = None
    decision: bool | None = None
    comments: tuple[str, ...] = ()
    aspect_units: tuple[str, ...] = ()
    text: str = ""
    sections_filled: float | None = None
    scores: Mapping[str, float] = field(default_factory=dict)  # raw sub-scores, for calibration
    review: Mapping[str, Any] | None = None  # our review's fields, for text quality
    interval: tuple[float, float] | None = None  # a calibrated system's interval


def _as_items(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [t for t in (item_text(v) for v in value) if t.strip()]
    if isinstance(value, Mapping):
        return [item_text(value)]
    return []


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str | list | tuple | dict):
        return len(value) > 0 and (not isinstance(value, str) or bool(value.strip()))
    return True


def _flatten_text(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, Mapping):
        return [t for v in value.values() for t in _flatten_text(v)]
    if isinstance(value, Sequence):
        return [item_text(v) for v in value if item_text(v).strip()]
    return []


def form_fields(form: str | None) -> tuple[str, ...]:
    """The fields a review of ``form`` should fill, read from the form's schema (so a complete
    review fills them all); none for a form this installation does not know."""
    if not form:
        return ()
    try:
        return tuple(load_form(form).schema.model_fields)
    except FormError:
        return ()


def prediction_from_review(
    paper_id: str, review: Mapping[str, Any], form: str | None = None
) -> Prediction:
    """Reduce a review object of any of our forms to a Prediction (``overall`` is 1-10)."""
    comment_items: list[str] = []
    for key in COMMENT_KEYS:
        comment_items.extend(_as_items(review.get(key)))
    evaluative: list[str] = []
    text_parts: list[str] = []
    for key, value in review.items():
        if key in SCORE_KEYS:
            continue
        parts = _flatten_text(value)
        text_parts.extend(parts)
        if key not in SUMMARY_KEYS:
            evaluative.extend(parts)
    expected = form_fields(form) or tuple(review)
    filled = sum(_filled(review.get(k)) for k in expected) / len(expected) if expected else None
    overall = review.get("overall")
    rating = (
        float(overall)
        if isinstance(overall, int | float) and not isinstance(overall, bool)
        else None
    )
    return Prediction(
        paper_id=paper_id,
        rating=rating,
        decision=decision_accepts(review.get("decision")),
        comments=tuple(split_items(comment_items)),
        aspect_units=tuple(split_items(evaluative)),
        text="\n\n".join(text_parts),
        sections_filled=filled,
        scores={
            k: float(v)
            for k, v in review.items()
            if k in SCORE_KEYS and isinstance(v, int | float) and not isinstance(v, bool)
        },
        review=review,
    )


def prediction_from_human(paper_id: str, review: HumanReview) -> Prediction:
    """A human review used as a prediction (the nearest-neighbour baseline)."""
    return Prediction(
        paper_id=paper_id,
        rating=review.rating,
        decision=None,
        comments=tuple(split_comments(review.comment_source)),
        aspect_units=tuple(split_comments(review.evaluative_source)),
        text=review.text,
        sections_filled=None,
    )


@dataclass(frozen=True)
class LoadedPredictions:
    """Predictions by paper id, plus what was skipped and why."""

    name: str
    source: str
    predictions: dict[str, Prediction]
    skipped: int = 0
    duplicates: int = 0
    model: str | None = None  # as the records name them (None for a mapped file)
    form: str | None = None


def parse_mapping(items: Iterable[str]) -> dict[str, list[str]]:
    """``--map rating=Overall --map text=Weaknesses ...`` as {key: [columns]}.

    ``text`` may be given several times (the columns are concatenated); every other key once.
    """
    mapping: dict[str, list[str]] = {}
    for item in items:
        key, sep, column = item.partition("=")
        key, column = key.strip().lower(), column.strip()
        if not sep or not key or not column:
            raise ConfigError(f"bad --map {item!r}: expected KEY=COLUMN, e.g. rating=Overall")
        if key not in MAP_KEYS:
            raise ConfigError(f"bad --map {item!r}: KEY must be one of {', '.join(MAP_KEYS)}")
        if key != "text" and key in mapping:
            raise ConfigError(f"--map {key}= given twice (only text may repeat)")
        mapping.setdefault(key, []).append(column)
    return mapping


def parse_scale(text: str | None) -> tuple[float, float]:
    """``LO-HI`` (e.g. ``1-5``) as a pair; the default is the common 1-10 scale."""
    if not text:
        return COMMON_SCALE
    lo, sep, hi = text.partition("-")
    try:
        scale = (float(lo), float(hi))
    except ValueError:
        scale = (0.0, 0.0)
    if not sep or scale[1] <= scale[0]:
        raise ConfigError(f"bad rating scale {text!r}: expected LO-HI, e.g. 1-10")
    return scale


def _read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a CSV (header row) or JSONL file, with their line numbers."""
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(raw, newline=""))
        return [(reader.line_num, dict(row)) for row in reader]
    return list(json_objects(raw.splitlines(), path))


def _mapped_prediction(
    row: Mapping[str, Any], mapping: Mapping[str, list[str]], scale: tuple[float, float]
) -> Prediction:
    paper_id = str(row.get(mapping.get("paper_id", ["paper_id"])[0]) or "").strip()
    rating = None
    if "rating" in mapping:
        value = row.get(mapping["rating"][0])
        try:
            rating = to_common(float(value), scale) if value not in (None, "") else None
        except (TypeError, ValueError):
            rating = None
    decision = decision_accepts(row.get(mapping["decision"][0])) if "decision" in mapping else None
    texts = [str(row.get(c) or "") for c in mapping.get("text", [])]
    texts = [t for t in texts if t.strip()]
    units = split_items(texts)
    fields = [c for key in ("rating", "decision", "text") for c in mapping.get(key, [])]
    filled = sum(_filled(row.get(c)) for c in fields) / len(fields) if fields else None
    return Prediction(
        paper_id=paper_id,
        rating=rating,
        decision=decision,
        comments=tuple(units),
        aspect_units=tuple(units),
        text="\n\n".join(texts),
        sections_filled=filled,
    )


def _check_columns(
    rows: list[tuple[int, dict[str, Any]]], mapping: Mapping[str, list[str]], path: Path
) -> None:
    if not rows:
        return
    columns = set().union(*(row.keys() for _, row in rows))
    id_column = mapping.get("paper_id", ["paper_id"])[0]
    wanted = [id_column, *(c for key, cols in mapping.items() if key != "paper_id" for c in cols)]
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise ConfigError(
            f"{path}: no column {missing[0]!r} (columns: {', '.join(sorted(columns))})"
        )


def review_records(path: Path) -> list[dict[str, Any]]:
    """The records of our ``reviews.jsonl`` (a file or a run folder) with a review object."""
    from reviewer.runs.store import iter_jsonl

    p = path / "reviews.jsonl" if path.is_dir() else path
    if not p.is_file():
        raise ConfigError(f"no reviews found: {p}")
    return [r for r in iter_jsonl(p) if "paper_id" in r and isinstance(r.get("review"), Mapping)]


def load_predictions(
    path: str | Path,
    *,
    mapping: Mapping[str, list[str]] | None = None,
    scale: tuple[float, float] = COMMON_SCALE,
    name: str | None = None,
) -> LoadedPredictions:
    """Read our ``reviews.jsonl`` (a file or a run folder) or a mapped CSV/JSONL.

    With no ``mapping`` the file must be our run format (``paper_id`` + ``review``). With one,
    each row is read through it; ``scale`` is the rating scale of the mapped column.
    """
    p = Path(path).expanduser()
    if p.is_dir():
        p = p / "reviews.jsonl"
    if not p.is_file():
        raise ConfigError(f"predictions not found: {p}")
    if p.suffix.lower() not in (".jsonl", ".ndjson", ".csv"):
        raise ConfigError(
            f"unsupported predictions format {p.suffix!r} for {p} (use .jsonl or .csv)"
        )
    rows = _read_rows(p)
    predictions: dict[str, Prediction] = {}
    skipped = duplicates = 0
    if mapping:
        _check_columns(rows, mapping, p)
    elif p.suffix.lower() == ".csv":
        raise ConfigError(
            f"{p}: a CSV needs --map (e.g. --map rating=Overall --map decision=Decision)"
        )
    model = form = None
    for number, row in rows:
        if mapping:
            pred = _mapped_prediction(row, mapping, scale)
        else:
            review = row.get("review")
            if "paper_id" not in row or "review" not in row:
                raise InputError(
                    "not a review record (needs paper_id and review; use --map for other files)",
                    str(p),
                    number,
                )
            if not isinstance(review, Mapping):
                skipped += 1
                continue
            model = model or row.get("model")
            form = form or row.get("form")
            pred = prediction_from_review(str(row["paper_id"]), review, row.get("form"))
        if not pred.paper_id:
            skipped += 1
            continue
        if pred.paper_id in predictions:
            duplicates += 1
            continue
        predictions[pred.paper_id] = pred
    label = name or (
        str(model) if model else p.parent.name if p.name == "reviews.jsonl" else p.stem
    )
    return LoadedPredictions(
        label,
        str(p),
        predictions,
        skipped,
        duplicates,
        str(model) if model else None,
        str(form) if form else None,
    )
