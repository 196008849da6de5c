"""The papers related work is looked up in: a reference set or any papers file, reduced to
what a listing needs.

A corpus record keeps the id, title, abstract, year, venue and link and nothing else: reviews,
ratings, decisions and author names in the file are dropped as it is read, so nothing that
comes from a corpus can carry them into a prompt or an output. Its ``digest`` hashes exactly
those fields, so an index built from it is cached by content, not by path or file date.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import lzma
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from reviewer.errors import ConfigError, InputError
from reviewer.inputs.paper import read_papers
from reviewer.references import json_objects, reference_files, resolve_references

OPENREVIEW_FORUM = "https://openreview.net/forum?id={}"
"""The reference sets come from OpenReview: a record's id there is its forum id."""
_PUNCT = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class CorpusPaper:
    """One earlier paper as related work lists it: never reviews, decisions or authors."""

    paper_id: str
    title: str
    abstract: str
    year: int | None = None
    venue: str | None = None
    url: str | None = None

    @property
    def text(self) -> str:
        """What both retrievers read: the title, then the abstract."""
        return f"{self.title}. {self.abstract}".strip()


def norm_title(title: str) -> str:
    """A title compared as the pairs were matched: lower case, punctuation as spaces."""
    return " ".join(_PUNCT.sub(" ", title.lower()).split())


def _year(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text[:4]) if text[:4].isdigit() else None


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def corpus_paper(record: dict[str, Any], *, from_reference_set: bool) -> CorpusPaper | None:
    """The listing of one record (a reference-set line or a papers line); None without an
    id, a title or an abstract. Only the six fields are read."""
    paper_id = str(record.get("paper_id") or record.get("id") or "").strip()
    title, abstract = _text(record.get("title")), _text(record.get("abstract"))
    if not (paper_id and title and abstract):
        return None
    url = record.get("url") if isinstance(record.get("url"), str) else None
    if url is None and from_reference_set:
        url = OPENREVIEW_FORUM.format(paper_id)
    venue = record.get("venue")
    return CorpusPaper(
        paper_id=paper_id,
        title=title,
        abstract=abstract,
        year=_year(record.get("year")),
        venue=str(venue) if venue else None,
        url=url,
    )


@dataclass(frozen=True)
class Corpus:
    """Papers to search, in file order, with the name they were loaded by."""

    name: str
    papers: tuple[CorpusPaper, ...]
    skipped: int = 0  # records without an id, title or abstract

    @property
    def digest(self) -> str:
        """sha256 of every record's six fields in order: the index's cache key."""
        digest = hashlib.sha256()
        for p in self.papers:
            fields = [p.paper_id, p.title, p.abstract, p.year, p.venue, p.url]
            digest.update(json.dumps(fields, ensure_ascii=False).encode("utf-8"))
            digest.update(b"\n")
        return digest.hexdigest()

    def __len__(self) -> int:
        return len(self.papers)


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".xz"):
        return cast(IO[bytes], lzma.open(path, "rb"))
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def read_records(root: Path) -> Iterator[dict[str, Any]]:
    """The raw records under ``root`` (a file or a folder of them), as the files hold them:
    for the pairs' ground truth, which reads the reviews; a corpus keeps six fields of each."""
    for file in reference_files(root):
        try:
            with _open(file) as fh:
                for _, record in json_objects(fh, file):
                    yield record
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise ConfigError(f"cannot read corpus file {file}: {exc}") from exc


def load_corpus(spec: str | Path) -> Corpus:
    """A corpus by reference-set name (``neurips_2023_2025``), folder or file: JSON Lines
    (plain, .gz or .xz), CSV or JSON papers. A repeated id keeps its first record."""
    path = Path(spec).expanduser()
    if path.suffix.lower() in (".csv", ".json"):
        found = [corpus_paper(p.model_dump(), from_reference_set=False)
                 for p in read_papers(path) if not isinstance(p, InputError)]  # fmt: skip
        rows: list[CorpusPaper | None] = found
    else:
        root = resolve_references(spec)
        rows = [corpus_paper(r, from_reference_set="reviews" in r) for r in read_records(root)]
    papers, seen = [], set()
    for paper in rows:
        if paper is not None and paper.paper_id not in seen:
            seen.add(paper.paper_id)
            papers.append(paper)
    if not papers:
        raise ConfigError(f"corpus {spec}: no papers with an id, a title and an abstract")
    return Corpus(str(spec), tuple(papers), skipped=len(rows) - len(papers))
