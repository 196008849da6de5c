"""BibTeX exports (Zotero, Google Scholar, DBLP...): title, abstract, url, year, keywords.

Parsed with ``bibtexparser`` (LaTeX accents and braces decoded), so a broken or duplicate
entry costs that entry only and is named by its key and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
from bibtexparser.middlewares import LatexDecodingMiddleware
from bibtexparser.model import Entry
from pydantic import ValidationError

from reviewer.errors import InputError
from reviewer.inputs.paper import Paper

_SPACE = re.compile(r"\s+")


def _field(entry: Entry, name: str) -> str | None:
    field = entry.fields_dict.get(name)
    if field is None or not isinstance(field.value, str):
        return None
    return _SPACE.sub(" ", field.value).strip() or None


def _url(entry: Entry) -> str | None:
    if url := _field(entry, "url"):
        return url
    if doi := _field(entry, "doi"):
        return f"https://doi.org/{doi}"
    eprint, archive = _field(entry, "eprint"), (_field(entry, "archiveprefix") or "").lower()
    return f"https://arxiv.org/abs/{eprint}" if eprint and archive == "arxiv" else None


def _paper(entry: Entry) -> Paper:
    year = _field(entry, "year") or ""
    authors = _field(entry, "author")
    return Paper(
        id=entry.key,
        title=_field(entry, "title") or "",
        abstract=_field(entry, "abstract") or "",
        authors=[a.strip() for a in authors.split(" and ") if a.strip()] if authors else None,
        venue=_field(entry, "journal") or _field(entry, "booktitle"),
        year=int(year) if year.isdigit() else None,
        keywords=_field(entry, "keywords"),
        url=_url(entry),
        metadata={"source": "bibtex", "entry_type": entry.entry_type},
    )


def read_bibtex(path: Path) -> Iterator[tuple[int | None, Paper | InputError]]:
    """(line, Paper or InputError) for every entry of a ``.bib`` file, in file order."""
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield None, InputError(f"not valid UTF-8 ({exc.reason})", source)
        return
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    items: list[tuple[int, Paper | InputError]] = []
    for block in library.failed_blocks:
        line = block.start_line + 1
        reason = str(block.error).splitlines()[0] if block.error else "unparseable entry"
        items.append((line, InputError(reason, source, line)))
    for entry in library.entries:
        line = entry.start_line + 1
        try:
            items.append((line, _paper(entry)))
        except ValidationError as exc:
            missing = ", ".join(str(e["loc"][0]) for e in exc.errors())
            items.append((line, InputError(f"entry {entry.key!r}: no {missing}", source, line)))
    yield from sorted(items, key=lambda item: item[0])
