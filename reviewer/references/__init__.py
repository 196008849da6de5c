"""Held-out human reviews: loaders, filters and the per-venue-year rating scale.

The data is read in place (``.jsonl``, ``.jsonl.gz`` or ``.jsonl.xz``) and never copied. Only
what scoring needs is kept: in particular author names are dropped on load, so nothing
downstream can leak them into a generation prompt.

Ratings are mapped to one common 1-10 scale so venues and years can be pooled and compared with
a generated overall score (always 1-10). The mapping is linear, ``1 + (x - lo) * 9 / (hi - lo)``:
NeurIPS 2025 (1-6) becomes 1, 2.8, 4.6, 6.4, 8.2, 10, so its "borderline accept" (4 -> 6.4)
stays on the accept side of the pre-registered ``overall >= 6`` rule and "borderline reject"
(3 -> 4.6) stays below it, as 5 and 4 do in the 1-10 years.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import lzma
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reviewer.errors import ConfigError, InputError
from reviewer.inputs.paper import Paper
from reviewer.references.segment import comment_text, evaluative_text

COMMON_SCALE = (1.0, 10.0)
"""The scale every rating is normalised to (and the one generated ``overall`` uses)."""

DEFAULT_SCALE = (1.0, 10.0)
VENUE_YEAR_SCALES: dict[tuple[str, int], tuple[float, float]] = {("neurips", 2025): (1.0, 6.0)}
"""Native rating scales that differ from ``DEFAULT_SCALE``; a record's ``rating_scale`` wins."""

CHECKOUT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
"""The shared datasets beside a checkout (``<repo>/../shared/data``)."""

SPLITS = ("train", "dev", "test")
"""The splits of every dataset's ``splits.tsv``: fit on train, choose on dev, report test once."""

_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.xz", ".ndjson")


def data_dir() -> Path:
    """Where the shared datasets are: ``REVIEWER_DATA_DIR``, else ``<repo>/../shared/data``."""
    env = os.environ.get("REVIEWER_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return CHECKOUT_DATA


def references_home() -> Path:
    """Where ``reviewer data fetch`` writes references sets: the user's data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("reviewer")) / "references"


def search_dirs() -> list[Path]:
    """Folders whose sub-folders are references sets, in the order a name is looked up:
    ``REVIEWER_DATA_DIR`` (it wins), the user's fetched sets, the checkout's ``../shared/data``."""
    dirs = (
        [Path(os.environ["REVIEWER_DATA_DIR"]).expanduser()]
        if os.environ.get("REVIEWER_DATA_DIR")
        else []
    )
    dirs += [references_home(), CHECKOUT_DATA]
    return list(dict.fromkeys(dirs))


def native_scale(venue: str | None, year: int | None) -> tuple[float, float]:
    """The rating scale a venue used in a year."""
    return VENUE_YEAR_SCALES.get(((venue or "").lower(), year or 0), DEFAULT_SCALE)


def to_common(value: float, scale: tuple[float, float]) -> float:
    """Map a rating on ``scale`` linearly onto the common 1-10 scale."""
    lo, hi = scale
    c_lo, c_hi = COMMON_SCALE
    return c_lo + (value - lo) * (c_hi - c_lo) / (hi - lo)


def from_common(value: float, scale: tuple[float, float]) -> float:
    """Inverse of ``to_common``: a 1-10 rating expressed on a venue's native scale."""
    lo, hi = scale
    c_lo, c_hi = COMMON_SCALE
    return lo + (value - c_lo) * (hi - lo) / (c_hi - c_lo)


@dataclass(frozen=True, slots=True)
class HumanReview:
    """One human review: its rating on the native and the common scale, and its text."""

    raw_rating: float | None
    rating: float | None
    text: str

    @property
    def comment_source(self) -> str:
        """The strengths/weaknesses text the comment metrics compare against."""
        return comment_text(self.text)

    @property
    def evaluative_source(self) -> str:
        return evaluative_text(self.text)


@dataclass(frozen=True, slots=True)
class Reference:
    """A paper with its held-out human reviews and decision (no authors, on purpose)."""

    paper_id: str
    title: str
    abstract: str
    venue: str | None = None
    year: int | None = None
    keywords: tuple[str, ...] = ()
    decision: str | None = None
    accepted: bool | None = None
    split: str | None = None
    scale: tuple[float, float] = DEFAULT_SCALE
    reviews: tuple[HumanReview, ...] = field(default_factory=tuple)
    # A form reference set (seed_001_sections): one review in a form's fields, no ratings.
    form_review: tuple[tuple[str, str], ...] = ()

    @property
    def ratings(self) -> list[float]:
        """Common-scale ratings of the reviews that have one."""
        return [r.rating for r in self.reviews if r.rating is not None]

    @property
    def mean_rating(self) -> float | None:
        ratings = self.ratings
        return sum(ratings) / len(ratings) if ratings else None

    @property
    def sort_key(self) -> str:
        """sha256 of the id: the fixed, result-blind order subsets are taken in."""
        return hashlib.sha256(self.paper_id.encode("utf-8")).hexdigest()


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "accept", "accepted"):
        return True
    if text in ("false", "0", "no", "reject", "rejected"):
        return False
    return None


def decision_accepts(decision: Any) -> bool | None:
    """Read an accept/reject decision from a bool or text such as ``Accept (poster)``."""
    as_bool = _as_bool(decision)
    if as_bool is not None or decision is None:
        return as_bool
    text = str(decision).strip().lower()
    if text.startswith("accept"):
        return True
    if text.startswith("reject") or "workshop" in text:
        return False
    return None


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def reference_from_record(record: dict[str, Any]) -> Reference:
    """Build a Reference from one record of the shared data (or any JSONL of that shape)."""
    paper_id = record.get("paper_id") or record.get("id")
    if not paper_id:
        raise ValueError("missing paper_id")
    venue = record.get("venue")
    year = record.get("year")
    year = int(year) if isinstance(year, int | str) and str(year).isdigit() else None
    custom = record.get("rating_scale")
    scale = (float(custom[0]), float(custom[1])) if custom else native_scale(venue, year)
    reviews = []
    for review in record.get("reviews") or []:
        if not isinstance(review, dict):
            continue
        raw = _float(review.get("rating"))
        rating = to_common(raw, scale) if raw is not None else None
        reviews.append(HumanReview(raw, rating, str(review.get("text") or "")))
    accepted = _as_bool(record.get("accepted"))
    if accepted is None:
        accepted = decision_accepts(record.get("decision"))
    form_review = record.get("review") if isinstance(record.get("review"), dict) else {}
    keywords = record.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.split(",") if k.strip()]
    return Reference(
        paper_id=str(paper_id),
        title=str(record.get("title") or ""),
        abstract=str(record.get("abstract") or ""),
        venue=venue,
        year=year,
        keywords=tuple(str(k) for k in keywords),
        decision=record.get("decision"),
        accepted=accepted,
        split=record.get("split"),
        scale=scale,
        reviews=tuple(reviews),
        form_review=tuple((str(k), str(v)) for k, v in form_review.items() if isinstance(v, str)),
    )


def _open(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".xz"):
        return lzma.open(path, "rb")
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def reference_files(path: Path) -> list[Path]:
    """The data files of a references path: the file itself, or a folder's JSONL files.

    Files named ``sample_*`` are fixtures that repeat records of the full files, so a folder
    never reads them.
    """
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ConfigError(f"references not found: {path}")
    files = sorted(
        p
        for p in path.iterdir()
        if p.is_file() and p.name.lower().endswith(_SUFFIXES) and not p.name.startswith("sample")
    )
    if not files:
        raise ConfigError(f"no .jsonl, .jsonl.gz or .jsonl.xz files in {path}")
    return files


def json_objects(lines: Iterable[Any], path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of JSON Lines; a bad line is an InputError naming file and line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON ({exc.msg})", str(path), number) from exc
        if not isinstance(record, dict):
            raise InputError("expected a JSON object", str(path), number)
        yield number, record


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        with _open(path) as fh:
            yield from json_objects(fh, path)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise ConfigError(f"cannot read references file {path}: {exc}") from exc


DEFAULT_SET = "neurips_2023_2025"


def resolve_references(path: str | Path | None) -> Path:
    """A references path as given, else a set of that name in :func:`search_dirs` (the first
    that has it), else, when none is given, the NeurIPS default."""
    given = Path(path).expanduser() if path is not None else None
    if given is not None and given.exists():
        return given
    if given is None and os.environ.get("REVIEWER_DATA_DIR"):
        return data_dir() / DEFAULT_SET  # the data folder the user set wins
    name = given if given is not None else Path(DEFAULT_SET)
    for root in search_dirs():
        if (root / name).exists():
            return root / name
    where = ", ".join(str(d) for d in search_dirs())
    if given is None:
        raise ConfigError(
            f"no references given and no {DEFAULT_SET} in {where}: pass -r PATH or NAME, or "
            "fetch a venue's reviews with `reviewer data fetch VENUE_ID`"
        )
    raise ConfigError(f"references not found: {given} (not a path, nor a set in {where})")


def load_references(path: str | Path | None = None) -> list[Reference]:
    """Every reference record under ``path``; a repeated ``paper_id`` keeps its first record."""
    root = resolve_references(path)
    references: list[Reference] = []
    seen: set[str] = set()
    for file in reference_files(root):
        for number, record in _records(file):
            if "reviews" not in record and not isinstance(record.get("review"), dict):
                raise InputError(
                    "not a reference record (no 'reviews' list or 'review' object)",
                    str(file),
                    number,
                )
            try:
                ref = reference_from_record(record)
            except (TypeError, ValueError) as exc:
                raise InputError(str(exc), str(file), number) from exc
            if ref.paper_id not in seen:
                seen.add(ref.paper_id)
                references.append(ref)
    if not references:
        raise ConfigError(f"no reference records in {root}")
    return references


def select(
    references: Iterable[Reference],
    *,
    split: str | None = None,
    years: Iterable[int] = (),
    limit: int | None = None,
) -> list[Reference]:
    """Filter by split and year; ``limit`` keeps the first N in sha256(paper_id) order.

    The sha256 order is fixed before any result is seen, so a subset stays the same across
    systems and runs.
    """
    wanted_years = set(years)
    chosen = [
        r
        for r in references
        if (split in (None, "all") or r.split == split)
        and (not wanted_years or r.year in wanted_years)
    ]
    chosen.sort(key=lambda r: r.sort_key)
    return chosen[:limit] if limit is not None else chosen


def papers_for_generation(references: Iterable[Reference]) -> list[Paper]:
    """Papers to review, built from the id, title, abstract and keywords only.

    The leakage rule: no review text, rating, decision, meta-review, venue outcome or author
    name may reach a generation prompt, so nothing else is copied.
    """
    papers = []
    for ref in references:
        # a form reference set has no titles (seed 001): say so rather than invent one
        title = ref.title.strip() or (UNTITLED if ref.form_review else "")
        if not title or not ref.abstract.strip():
            continue
        papers.append(
            Paper(id=ref.paper_id, title=title, abstract=ref.abstract, keywords=list(ref.keywords))
        )
    return papers


UNTITLED = "(no title given)"
"""The title shown for a paper of a form reference set that has none."""


def is_form_reference_set(references: Iterable[Reference]) -> bool:
    """Reviews in a form's fields and no human ratings (``seed_001_sections``)."""
    refs = list(references)
    return bool(refs) and all(r.form_review and not r.reviews for r in refs)
