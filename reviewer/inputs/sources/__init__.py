"""Inputs beyond JSONL/CSV: arXiv and OpenReview id files, BibTeX exports and PDFs.

``read_inputs`` picks the reader from the path and, like ``reviewer.inputs.paper.read_papers``,
yields a ``Paper`` or an ``InputError`` per record, so one bad id, entry or PDF costs that
record only. The readers' libraries (httpx, pypdf, bibtexparser: the ``[inputs]`` extra) are
imported only when such an input is read, so JSONL and CSV runs never need them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from reviewer.errors import ConfigError, InputError
from reviewer.inputs.paper import Paper, dedupe, read_papers

if TYPE_CHECKING:
    from reviewer.inputs.sources.fetch import Fetcher

__all__ = ["read_inputs"]

ID_SUFFIXES = {".txt", ".ids"}


def _reader(module: str, what: str) -> ModuleType:
    """Import a reader module, or say which extra is missing (one line, exit code 2)."""
    try:
        return importlib.import_module(f"reviewer.inputs.sources.{module}")
    except ImportError as exc:
        raise ConfigError(
            f"reading {what} needs {exc.name or 'a missing package'}: "
            "pip install 'reviewer[inputs]'"
        ) from None


def read_inputs(
    path: str | Path,
    *,
    full_text: bool = False,
    full_text_tokens: int = 6000,
    fetcher: Fetcher | None = None,
) -> Iterator[Paper | InputError]:
    """Papers from any supported input; a missing path or a bad combination is a ConfigError.

    ``.txt``/``.ids``: arXiv and OpenReview ids; ``.bib``: BibTeX; ``.pdf`` or a folder:
    PDFs (``full_text`` keeps the body, cut to ``full_text_tokens``); anything else goes to
    ``read_papers`` (.jsonl, .csv, .json). A given ``fetcher`` stays open; else one is made
    and closed when the iterator ends.
    """
    p = Path(path)
    is_pdf = p.is_dir() or p.suffix.lower() == ".pdf"
    if not p.exists():
        raise ConfigError(f"input not found: {p}")
    if full_text and not is_pdf:
        raise ConfigError(f"--full-text reads PDFs: give a .pdf file or a folder of PDFs, not {p}")
    if full_text_tokens < 1:
        raise ConfigError(
            f"the full-text budget must be a positive number of tokens: {full_text_tokens}"
        )
    if is_pdf:
        if p.is_dir() and not any(f.suffix.lower() == ".pdf" for f in p.iterdir()):
            raise ConfigError(f"no .pdf files in {p}")
        pdf = _reader("pdf", "PDFs")
        return dedupe(pdf.read_pdfs(p, with_full_text=full_text, tokens=full_text_tokens), str(p))
    suffix = p.suffix.lower()
    if suffix == ".bib":
        return dedupe(_reader("bibtex", "BibTeX").read_bibtex(p), str(p))
    if suffix in ID_SUFFIXES:
        idfile = _reader("idfile", "arXiv and OpenReview ids")
        return dedupe(idfile.read_id_file(p, fetcher), str(p))
    return read_papers(p)
