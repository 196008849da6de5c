"""arXiv metadata through the Atom API: title, abstract, authors, categories, year, url.

Ids are asked for in batches (``id_list``), so a file of a thousand ids costs twenty polite
requests. The base URL can be pointed elsewhere (``REVIEWER_ARXIV_URL``) for tests.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from reviewer.inputs.paper import Paper
from reviewer.inputs.sources.fetch import Fetcher

ARXIV_URL = "https://export.arxiv.org/api/query"
BATCH = 50
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_VERSION = re.compile(r"v\d+$")
_ABS = re.compile(r"arxiv\.org/abs/(.+)$")
_SPACE = re.compile(r"\s+")


def base_url() -> str:
    return os.environ.get("REVIEWER_ARXIV_URL", ARXIV_URL)


def _bare(arxiv_id: str) -> str:
    return _VERSION.sub("", arxiv_id)


def _text(node: ET.Element, tag: str) -> str:
    return _SPACE.sub(" ", node.findtext(tag) or "").strip()


def _paper(requested: str, entry: ET.Element) -> Paper | str:
    title, abstract = _text(entry, f"{ATOM}title"), _text(entry, f"{ATOM}summary")
    if not title or not abstract:
        return f"arXiv has no paper {requested}"
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [primary.get("term", "")] if primary is not None else []
    categories += [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    published = _text(entry, f"{ATOM}published")
    authors = [_text(a, f"{ATOM}name") for a in entry.findall(f"{ATOM}author")]
    return Paper(
        id=f"arxiv:{requested}",
        title=title,
        abstract=abstract,
        authors=[a for a in authors if a] or None,
        year=int(published[:4]) if published[:4].isdigit() else None,
        venue=_text(entry, f"{ARXIV}journal_ref") or None,
        keywords=list(dict.fromkeys(c for c in categories if c)),
        url=f"https://arxiv.org/abs/{requested}",
        metadata={"source": "arxiv", "arxiv_id": _text(entry, f"{ATOM}id").rsplit("/abs/", 1)[-1]},
    )


def parse_feed(body: str, requested: Sequence[str]) -> dict[str, Paper | str]:
    """Each requested id's Paper, or the reason there is none, from one Atom feed."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return {r: f"arXiv reply is not valid Atom XML ({exc})" for r in requested}
    entries: dict[str, ET.Element] = {}
    for entry in root.iter(f"{ATOM}entry"):
        entry_id = _text(entry, f"{ATOM}id")
        if "/api/errors" in entry_id:
            reason = _text(entry, f"{ATOM}summary") or "error"
            return {r: f"arXiv refused the query: {reason}" for r in requested}
        if match := _ABS.search(entry_id):
            entries[_bare(match.group(1))] = entry
    found: dict[str, Paper | str] = {}
    for wanted in requested:
        entry = entries.get(_bare(wanted))
        found[wanted] = (
            _paper(wanted, entry) if entry is not None else f"arXiv has no paper {wanted}"
        )
    return found


def fetch_arxiv(ids: Sequence[str], fetcher: Fetcher) -> dict[str, Paper | str]:
    """Papers for up to ``BATCH`` ids in one request; raises FetchError when it fails."""
    unique = list(dict.fromkeys(ids))
    params = {"id_list": ",".join(unique), "max_results": str(len(unique))}
    return parse_feed(fetcher.get(base_url(), params), unique)
