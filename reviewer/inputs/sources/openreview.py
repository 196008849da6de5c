"""OpenReview submissions through the public API v2: title, abstract and keywords only.

A review must be written from the paper, not from what its reviewers said: the request asks
for the submission note alone (``/notes?id=FORUM``, never the forum's replies), and of that
note only title, abstract and keywords are read. Authors are not read (double-blind), nor
the venue field, which names the decision ("ICLR 2024 oral").
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from reviewer.inputs.paper import Paper
from reviewer.inputs.sources.fetch import Fetcher, FetchError

OPENREVIEW_URL = "https://api2.openreview.net"


def base_url() -> str:
    return os.environ.get("REVIEWER_OPENREVIEW_URL", OPENREVIEW_URL).rstrip("/")


def _value(field: Any) -> Any:
    """API v2 wraps every content field as ``{"value": ...}``; API v1 did not."""
    return field.get("value") if isinstance(field, dict) else field


def _year(note: dict[str, Any]) -> int | None:
    stamp = note.get("cdate") or note.get("tcdate")
    if not isinstance(stamp, int | float):
        return None
    return datetime.fromtimestamp(stamp / 1000, UTC).year


def parse_note(forum: str, body: str) -> Paper | str:
    """The submission's Paper from a ``/notes`` reply, or the reason there is none."""
    try:
        notes = json.loads(body).get("notes") or []
    except (json.JSONDecodeError, AttributeError):
        return "OpenReview reply is not the expected JSON"
    note = next(
        (n for n in notes if isinstance(n, dict) and n.get("id") == forum and not n.get("replyto")),
        None,
    )
    if note is None:
        return f"OpenReview has no submission {forum}"
    content = note.get("content") or {}
    try:
        return Paper(
            id=f"openreview:{forum}",
            title=_value(content.get("title")) or "",
            abstract=_value(content.get("abstract")) or "",
            keywords=_value(content.get("keywords")),
            year=_year(note),
            url=f"https://openreview.net/forum?id={forum}",
            metadata={"source": "openreview", "forum": forum},
        )
    except ValidationError as exc:
        missing = ", ".join(str(e["loc"][0]) for e in exc.errors())
        return f"OpenReview submission {forum} lacks {missing}"


def fetch_openreview(forum: str, fetcher: Fetcher) -> Paper | str:
    """One submission; a missing or hidden note is a reason, a failed request raises."""
    try:
        body = fetcher.get(f"{base_url()}/notes", {"id": forum})
    except FetchError as exc:
        if exc.status in (403, 404):
            return f"OpenReview has no public submission {forum} (HTTP {exc.status})"
        raise
    return parse_note(forum, body)
