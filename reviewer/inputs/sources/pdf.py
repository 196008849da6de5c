"""PDFs: text extracted with ``pypdf``; title, abstract and, on request, the full text.

Abstract-only stays the cheap default (only the first pages are read). With ``full_text``
the body after the abstract is kept, section headings are detected (numbered headings and the
usual names), the References are dropped and the text is cut to a token budget, recording
whether it was cut so the run can say so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from reviewer.errors import InputError
from reviewer.inputs.paper import CHARS_PER_TOKEN, Paper

HEAD_PAGES = 2  # the abstract is on the first page, sometimes spilling onto the second
MAX_ABSTRACT_CHARS = 3000
KNOWN_SECTIONS = {
    "abstract", "introduction", "background", "related work", "preliminaries", "method",
    "methods", "methodology", "approach", "model", "setup", "experiments", "experimental setup",
    "experimental results", "evaluation", "results", "discussion", "analysis", "limitations",
    "conclusion", "conclusions", "conclusion and future work", "future work",
    "acknowledgements", "acknowledgments", "references", "bibliography", "appendix",
    "appendices", "supplementary material", "broader impact", "ethics statement",
}  # fmt: skip
_KNOWN = {name.replace(" ", "") for name in KNOWN_SECTIONS}
REFERENCES = {"references", "bibliography"}
APPENDIX = {"appendix", "appendices", "supplementarymaterial"}
NUMBERED = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,2}|[IVX]{1,5})\.?\s+([A-Z][^.!?]{1,80})$")
# "Abstract" alone, "Abstract: We...", "Abstract—We..." or "ABSTRACT We...", but not a line
# that merely starts with the word ("Abstract Syntax Notation One ...").
ABSTRACT = re.compile(r"^\s*a\s?bstract\s*(?:[.:\u2014\u2013-]+\s*(?P<rest>.*)|$)", re.I)
ABSTRACT_CAPS = re.compile(r"^\s*A\s?BSTRACT\s+(?P<rest>.*)$")
END_OF_ABSTRACT = re.compile(r"^\s*(keywords|index terms|ccs concepts)\b", re.I)
ARXIV_STAMP = re.compile(r"^arXiv:\d{4}\.\d{4,5}", re.I)
BAD_TITLES = re.compile(r"^(untitled|microsoft word|title)\b|\.(pdf|docx?|dvi|tex)$", re.I)
_HYPHEN = re.compile(r"(\w)-\n(\w)")
_SPACE = re.compile(r"\s+")

logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed PDFs are our InputErrors


def _name(line: str) -> str:
    """Lower case without trailing punctuation or inner spaces ("A BSTRACT" -> "abstract")."""
    return line.strip().rstrip(":.").replace(" ", "").lower()


def heading(line: str) -> str | None:
    """The section heading on this line ("2.1 Setup", "INTRODUCTION"), or None."""
    text = line.strip()
    if not text or len(text) > 90:
        return None
    if _name(text) in _KNOWN:
        return text.rstrip(":. ")
    match = NUMBERED.match(text)
    if match is None:
        return None
    words = match.group(1).split()
    if len(words) > 8 or any(w.replace(".", "").replace("%", "").isdigit() for w in words):
        return None
    return text


def _join(lines: list[str]) -> str:
    """Lines wrapped by the PDF layout back into running text (hyphenation undone)."""
    return _SPACE.sub(" ", _HYPHEN.sub(r"\1\2", "\n".join(lines))).strip()


def _title(reader: PdfReader, lines: list[str]) -> str | None:
    meta = reader.metadata.title if reader.metadata else None
    meta = _SPACE.sub(" ", meta or "").strip()
    if len(meta.split()) >= 2 and not BAD_TITLES.search(meta):
        return meta
    for line in lines:
        text = line.strip()
        if text and not ARXIV_STAMP.match(text):
            return text[:300]
    return None


def _section(text: str) -> str:
    """A heading's name without its number, lower case: "7 References" -> "references"."""
    return _name(re.sub(r"^(?:\d{1,2}(?:\.\d{1,2})*|[IVX]{1,5})\.?\s+", "", text))


def abstract_heading(line: str) -> str | None:
    """The text after an "Abstract" heading on this line ("" if none), or None if no heading."""
    match = ABSTRACT.match(line) or ABSTRACT_CAPS.match(line)
    return (match.group("rest") or "") if match else None


def _abstract(lines: list[str]) -> tuple[str, int, bool]:
    """(abstract, index of the first line after it, whether an "Abstract" heading was found).

    Without the heading, the text between the first line (the title) and the first section
    stands in for it.
    """
    start = next((i for i, line in enumerate(lines) if abstract_heading(line) is not None), None)
    rest = abstract_heading(lines[start]) if start is not None else None
    body = [rest] if rest else []
    i = (start if start is not None else 0) + 1
    size = len(rest or "")
    while i < len(lines) and not (heading(lines[i]) or END_OF_ABSTRACT.match(lines[i])):
        body.append(lines[i])
        size += len(lines[i])
        i += 1
        if size > MAX_ABSTRACT_CHARS:
            break
    return _join(body)[:MAX_ABSTRACT_CHARS], i, start is not None


def cut_to_budget(text: str, tokens: int) -> tuple[str, bool]:
    """``text`` cut at a word boundary to about ``tokens`` tokens; True when it was cut."""
    limit = tokens * CHARS_PER_TOKEN
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > limit * 0.8 else cut).rstrip(), True


def full_text(lines: list[str], tokens: int) -> dict[str, Any]:
    """The body (References dropped, appendices kept) cut to ``tokens``, with its sections."""
    sections: list[str] = []
    kept: list[str] = []
    in_references = False
    for line in lines:
        found = heading(line)
        if found:
            sections.append(found)
            name = _section(found)
            if name in REFERENCES:
                in_references = True
                continue
            if name in APPENDIX:
                in_references = False
        if not in_references:
            kept.append(line.strip())
    text = re.sub(r"\n{3,}", "\n\n", _HYPHEN.sub(r"\1\2", "\n".join(kept))).strip()
    cut, truncated = cut_to_budget(text, tokens)
    return {
        "full_text": cut,
        "full_text_truncated": truncated,
        "full_text_tokens": tokens,
        "full_text_chars": len(text),
        "sections": sections,
    }


def read_pdf(path: Path, *, with_full_text: bool = False, tokens: int = 6000) -> Paper | InputError:
    """One PDF as a Paper; a PDF that cannot be read or has no text is an InputError."""
    source = str(path)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            return InputError("encrypted PDF (needs a password)", source)
        pages = reader.pages if with_full_text else reader.pages[:HEAD_PAGES]
        texts = [page.extract_text() or "" for page in pages]
        title = _title(reader, [ln for t in texts[:1] for ln in t.splitlines()])
        page_count = len(reader.pages)
    except Exception as exc:  # pypdf raises many exception types on malformed files
        return InputError(f"unreadable PDF ({type(exc).__name__}: {exc})"[:300], source)
    lines = [ln for text in texts for ln in text.splitlines() if ln.strip()]
    if not lines or title is None:
        return InputError("no extractable text (a scanned PDF? run OCR first)", source)
    head = sum(1 for t in texts[:HEAD_PAGES] for ln in t.splitlines() if ln.strip())
    abstract, after, found = _abstract(lines[:head])
    metadata: dict[str, Any] = {"source": "pdf", "file": path.name, "pages": page_count}
    if not found:
        metadata["abstract_found"] = False
    if with_full_text:
        metadata.update(full_text(lines[after:], tokens))
    if not abstract:
        return InputError("no abstract found and no text before the first section", source)
    return Paper(id=path.stem, title=title, abstract=abstract, metadata=metadata)


def read_pdfs(
    path: Path, *, with_full_text: bool = False, tokens: int = 6000
) -> Iterator[tuple[int | None, Paper | InputError]]:
    """Every ``.pdf`` of a folder (sorted by name, not recursive), or one PDF file."""
    files = (
        sorted(p for p in path.iterdir() if p.suffix.lower() == ".pdf") if path.is_dir() else [path]
    )
    for file in files:
        yield None, read_pdf(file, with_full_text=with_full_text, tokens=tokens)
