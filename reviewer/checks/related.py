"""The related-work citation check: a related paper the review cites must be one it was given.

With related work in the prompt (``reviewer.generation.related``: the ``full`` profile), the model
is shown earlier papers as ``<related_paper id="R1" ...>`` entries and asked to cite them by id
or title. It may still cite a paper it was not given: an id past the last one it was shown
("[R9]" of five), or a paper from its own memory ("Smith et al. (2021)"; no author was given,
so no author-named citation can be one of the given papers). The first is shown wrong by the
prompt itself and is removed (the id only; the sentence stays); the second cannot be shown
wrong, only not given, so it is reported and kept. Whatever appears in the text the model was
shown (the paper's own words, a given abstract) is never a finding, and neither is the
paper's own title. A review written without related work in its prompt is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reviewer.checks.grounding import _texts  # every paragraph and comment, as grounding reads them
from reviewer.checks.specifics import normalise
from reviewer.review import Review

ENTRY_RE = re.compile(r'<related_paper id="(R\d+)"[^>]*>\s*\nTitle: ([^\n]+)')
MARKER_RE = re.compile(r"\[(R\d+)\]")
# "Smith et al.", "Smith et al. (2021)", "(Smith et al., 2021)", "Smith and Lee (2020)",
# "(Smith and Lee, 2020)", "Smith (2019)": a paper named by its authors. Two names joined by
# "and" count only with a year: "Transformer and RNN", "BERT and GPT-2" name no paper.
YEAR = r"(?:19|20)\d\d"
NAME = r"[A-Z][A-Za-z'’-]+"
AUTHOR_RE = re.compile(
    rf"\b{NAME}\s+et\s+al\.?(?:,?\s*\(?{YEAR}\)?)?"
    rf"|\b{NAME}\s+and\s+{NAME},?\s*\(?{YEAR}\)?"
    rf"|\b{NAME}\s+\({YEAR}\)"
)
# What removing an id leaves behind: "()", "( , [R2])", "[R1], )"
EMPTY_PARENS_RE = re.compile(r"\s*\(\s*[,;]?\s*\)")
LEADING_COMMA_RE = re.compile(r"\(\s*[,;]\s*")
TRAILING_COMMA_RE = re.compile(r"\s*[,;]\s*\)")


@dataclass(frozen=True)
class Citation:
    """One citation of a paper the review was not given: ``field[index]`` (-1: a paragraph)."""

    field: str
    index: int
    kind: str  # "unknown_id" (removed) | "not_given" (reported)
    detail: str
    given: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return self.field if self.index < 0 else f"{self.field} #{self.index + 1}"

    def describe(self) -> str:
        ids = f"{self.given[0]}-{self.given[-1]}" if self.given else "none"
        if self.kind == "unknown_id":
            return (f"{self.where}: cites [{self.detail}], which is not one of the related "
                    f"papers it was given ({ids})")  # fmt: skip
        return (f'{self.where}: cites "{self.detail}", which is not one of the related papers '
                f"it was given ({ids}; they were listed by title, not by author)")  # fmt: skip


def given(source: str) -> dict[str, str]:
    """The related papers the prompt showed, id -> title (empty: none were given)."""
    return {m.group(1): m.group(2).strip() for m in ENTRY_RE.finditer(source)}


def find(review: Review, source: str) -> list[Citation]:
    """The citations in ``review`` of papers it was not given in ``source``."""
    papers = given(source)
    if not papers:
        return []
    ids = tuple(sorted(papers, key=lambda r: int(r[1:])))
    shown = normalise(source)
    found: list[Citation] = []
    for key, index, text in _texts(review):
        for marker in dict.fromkeys(MARKER_RE.findall(text)):
            if marker not in papers:
                found.append(Citation(key, index, "unknown_id", marker, ids))
        for match in dict.fromkeys(m.group(0).strip() for m in AUTHOR_RE.finditer(text)):
            if normalise(match) not in shown:
                found.append(Citation(key, index, "not_given", match, ids))
    return found


def _without(text: str, marker: str) -> str:
    text = re.sub(rf"\s?\[{re.escape(marker)}\]", "", text)
    text = EMPTY_PARENS_RE.sub("", text)
    return TRAILING_COMMA_RE.sub(")", LEADING_COMMA_RE.sub("(", text))


def drop(review: Review, findings: Sequence[Citation]) -> tuple[Review, list[str]]:
    """``review`` without the ids it was never given; one line per finding: "removed ..." for
    an id taken out, "kept ..." for a citation reported and left as written."""
    data: dict[str, Any] = review.model_dump()
    lines: list[str] = []
    for f in findings:
        if f.kind != "unknown_id":
            lines.append(f"kept {f.describe()}")
            continue
        if f.index < 0:
            data[f.field] = _without(data[f.field], f.detail)
        elif isinstance(data[f.field][f.index], str):
            data[f.field][f.index] = _without(data[f.field][f.index], f.detail)
        else:  # a referee comment object: its text field
            item = data[f.field][f.index]
            key = next(k for k, v in item.items() if isinstance(v, str) and f"[{f.detail}]" in v)
            item[key] = _without(item[key], f.detail)
        lines.append(f"removed {f.describe()}")
    try:
        return type(review).model_validate(data), lines
    except ValueError:  # a text fell under its minimum length: report instead of removing
        return review, [f"kept {f.describe()}" for f in findings]
