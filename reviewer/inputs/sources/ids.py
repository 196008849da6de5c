"""Id files: one arXiv id or OpenReview forum id per line, in the forms people paste.

Accepted: ``2205.01068``, ``arXiv:2205.01068v2``, ``hep-th/9901001``, arXiv abs/pdf URLs,
``openreview:FORUMID`` and OpenReview forum/pdf URLs; ``#`` starts a comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reviewer.errors import InputError

_ARXIV_ID = r"(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
ARXIV_RE = re.compile(
    rf"^(?:arxiv:\s*|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)?({_ARXIV_ID})"
    r"(?:\.pdf)?/?$",
    re.I,
)
OPENREVIEW_RE = re.compile(
    r"^(?:openreview:\s*([A-Za-z0-9_-]+)"
    r"|https?://(?:www\.)?openreview\.net/(?:forum|pdf)\?(?:.*&)?id=([A-Za-z0-9_-]+)(?:&.*)?)$",
    re.I,
)


@dataclass(frozen=True)
class SourceId:
    """A paper named by its public id: ``kind`` says which API knows it."""

    kind: Literal["arxiv", "openreview"]
    value: str

    @property
    def paper_id(self) -> str:
        return f"{self.kind}:{self.value}"


def parse_id(text: str) -> SourceId | None:
    """The id on one line, or None when it is neither an arXiv nor an OpenReview id."""
    text = text.strip()
    if match := ARXIV_RE.match(text):
        return SourceId("arxiv", match.group(1))
    if match := OPENREVIEW_RE.match(text):
        return SourceId("openreview", match.group(1) or match.group(2))
    return None


def read_ids(path: Path) -> Iterator[tuple[int, SourceId | InputError]]:
    """(line number, id) for every non-blank, non-comment line; a bad line is an InputError."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8-sig").split("#", 1)[0].strip()
            except UnicodeDecodeError as exc:
                yield number, InputError(f"not valid UTF-8 ({exc.reason})", str(path), number)
                continue
            if not text:
                continue
            parsed = parse_id(text)
            if parsed is None:
                message = f"not an arXiv id or OpenReview forum id: {text[:80]!r}"
                yield number, InputError(message, str(path), number)
            else:
                yield number, parsed
