"""The ground truth for related work: earlier papers that human reviews name by full title.

A pair is one reviewed paper and one earlier paper of the same set that its reviews name:
the earlier title, lower-cased with every run of characters other than a-z and 0-9 made one
space, occurs word for word in the review text normalised the same way. Titles of fewer than
``MIN_TITLE_WORDS`` words are too generic to count; the named paper must be of a strictly
earlier year, and a paper with the reviewed paper's own title (a resubmission) is not a pair.
On NeurIPS 2023-2025 this gives the issue's 1,403 pairs (benchmarks/related_pairs.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reviewer.related.corpus import norm_title

MIN_TITLE_WORDS = 5


@dataclass(frozen=True, slots=True)
class Pair:
    """A reviewed paper (``paper_id``, its split and year) and an earlier paper it names."""

    paper_id: str
    named_id: str
    split: str
    year: int
    named_year: int


def _year(record: dict[str, Any]) -> int | None:
    value = str(record.get("year") or "")
    return int(value) if value.isdigit() else None


def review_text(record: dict[str, Any]) -> str:
    """Every review's text of one record, normalised as titles are (meta-review excluded)."""
    texts = [r.get("text") or "" for r in record.get("reviews") or [] if isinstance(r, dict)]
    return norm_title(" ".join(t for t in texts if isinstance(t, str)))


def named_pairs(records: Iterable[dict[str, Any]]) -> list[Pair]:
    """Every pair in ``records`` (reference-set records, reviews included), sorted."""
    rows = [(r, _year(r)) for r in records]
    titles: dict[str, list[tuple[str, int]]] = {}
    for record, year in rows:
        title = norm_title(str(record.get("title") or ""))
        if year is not None and len(title.split()) >= MIN_TITLE_WORDS:
            titles.setdefault(title, []).append((str(record["paper_id"]), year))
    by_start: dict[tuple[str, ...], list[str]] = {}
    for title in titles:
        by_start.setdefault(tuple(title.split()[:3]), []).append(title)
    pairs: set[Pair] = set()
    for record, year in rows:
        if year is None:
            continue
        text = review_text(record)
        words, padded = text.split(), f" {text} "
        own = norm_title(str(record.get("title") or ""))
        starts = {
            t for i in range(len(words) - 2) for t in by_start.get(tuple(words[i : i + 3]), ())
        }
        for title in starts:
            if title == own or f" {title} " not in padded:
                continue
            for named_id, named_year in titles[title]:
                if named_year < year:
                    pairs.add(Pair(str(record["paper_id"]), named_id,
                                   str(record.get("split") or ""), year, named_year))  # fmt: skip
    return sorted(pairs, key=lambda p: (p.paper_id, p.named_id))
