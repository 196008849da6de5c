"""The input stage: a ``Paper`` and readers that turn JSONL or CSV files into papers.

Readers never stop at a bad record: they yield an ``InputError`` naming the file and line
in its place, so one broken line costs that line only and the caller decides what to do.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewer.errors import ConfigError, InputError

CHARS_PER_TOKEN = 4
"""Characters per token, a conservative average for English text with BPE tokenizers: how
prompt sizes are estimated before any tokenizer is at hand."""


class Paper(BaseModel):
    """What a review is written from: the paper's public front matter, never its reviews."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    abstract: str = Field(min_length=1)
    authors: list[str] | None = None
    venue: str | None = None
    year: int | None = None
    keywords: list[str] = Field(default_factory=list)
    url: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id", "title", "abstract", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return value.strip() if isinstance(value, str) else value

    @field_validator("keywords", mode="before")
    @classmethod
    def _split_keywords(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [k.strip() for k in value.replace(";", ",").split(",") if k.strip()]
        return value

    @field_validator("authors", mode="before")
    @classmethod
    def _split_authors(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [a.strip() for a in value.replace(";", ",").split(",") if a.strip()] or None
        return value


_KNOWN = set(Paper.model_fields)


def paper_from_record(record: Any) -> Paper:
    """Build a Paper from a loose dict: ``paper_id`` means ``id``; unknown keys go to metadata."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    data = dict(record)
    if "id" not in data and "paper_id" in data:
        data["id"] = data.pop("paper_id")
    extra = {k: data.pop(k) for k in list(data) if k not in _KNOWN}
    if extra:
        data["metadata"] = {**extra, **(data.get("metadata") or {})}
    return Paper.model_validate(data)


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        msg = "missing" if err["type"] == "missing" else err["msg"]
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)


def _check(record: Any, source: str, line: int) -> Paper | InputError:
    try:
        return paper_from_record(record)
    except ValidationError as exc:
        return InputError(_describe(exc), source, line)
    except ValueError as exc:
        return InputError(str(exc), source, line)


def _decoded_lines(path: Path) -> Iterator[tuple[int, str | InputError]]:
    """Yield (line number, text) reading bytes, so one non-UTF-8 line does not sink the file."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, InputError(f"not valid UTF-8 ({exc.reason})", str(path), number)


Numbered = Iterator[tuple[int | None, Paper | InputError]]  # (line, item)


def _jsonl(path: Path) -> Numbered:
    """Papers from a JSON Lines file, one object per line; blank lines are skipped."""
    for number, text in _decoded_lines(path):
        if isinstance(text, InputError):
            yield number, text
            continue
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            error = InputError(f"invalid JSON ({exc.msg} at column {exc.colno})", str(path), number)
            yield number, error
            continue
        yield number, _check(record, str(path), number)


def _csv(path: Path) -> Numbered:
    """Papers from a CSV file with a header row (``id`` or ``paper_id``, title, abstract...)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield 1, InputError(f"not valid UTF-8 ({exc.reason})", str(path))
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        record = {k: v for k, v in row.items() if k and v not in (None, "")}
        yield reader.line_num, _check(record, str(path), reader.line_num)


def read_papers(path: str | Path) -> Iterator[Paper | InputError]:
    """Dispatch on the file extension; a missing or unknown file is a configuration error."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"input file not found: {p}")
    suffix = p.suffix.lower()
    readers = {".jsonl": _jsonl, ".ndjson": _jsonl, ".csv": _csv, ".json": _json}
    if suffix in readers:
        return dedupe(readers[suffix](p), str(p))
    raise ConfigError(f"unsupported input format {suffix!r} for {p} (use .jsonl, .csv or .json)")


def _json(path: Path) -> Numbered:
    """One paper object, or a list of them, in a plain JSON file (``reviewer review``)."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield 1, InputError(f"invalid JSON: {exc}", str(path), 1)
        return
    records = data if isinstance(data, list) else [data]
    for i, record in enumerate(records, start=1):
        yield i, _check(record, str(path), i)


def dedupe(items: Numbered, source: str) -> Iterator[Paper | InputError]:
    """Reject a repeated id: reviews are keyed by paper id, so a duplicate is ambiguous."""
    seen: set[str] = set()
    for number, item in items:
        if isinstance(item, Paper):
            if item.id in seen:
                yield InputError(f"duplicate id {item.id!r}", source, number)
                continue
            seen.add(item.id)
        yield item
