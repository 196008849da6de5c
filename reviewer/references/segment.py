"""Cutting review text into comments: one splitter for generated and human reviews alike.

Comment overlap is only comparable when both sides are cut the same way, so every review,
ours, another system's or a human's, goes through ``split_comments``: bullets and paragraphs
become blocks, blocks become sentences, and fragments too short to be a comment (headings such
as "Minor:" or "1.") are dropped.
"""

from __future__ import annotations

import re

MIN_COMMENT_WORDS = 4
"""A unit with fewer words is a heading or a fragment, not a comment."""

# The section headings of the NeurIPS 2023-2025 review texts, each alone on its line.
_HEADING = re.compile(
    r"^(SUMMARY|STRENGTHS AND WEAKNESSES|STRENGTHS|WEAKNESSES|QUESTIONS|LIMITATIONS):[ \t]*$",
    re.MULTILINE,
)
_BULLET = re.compile(
    r"^\s*(?:[-*\u2022\u00b7\u2013\u2014+>]+|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)]|#+)\s+"
)
_MARKUP = re.compile(r"\*\*|__|`|^#+\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATIONS = (
    "e.g.", "i.e.", "et al.", "etc.", "vs.", "fig.", "figs.", "eq.", "eqs.", "sec.", "tab.",
    "cf.", "resp.", "approx.", "w.r.t.", "no.", "dr.", "ref.", "refs.", "thm.", "prop.", "def.",
    "lem.", "app.", "appx.", "ch.", "al.", "st.", "viz.",
)  # fmt: skip


def review_sections(text: str) -> dict[str, str]:
    """Sections of a review text by heading (upper case); ``{"": text}`` for free text."""
    matches = list(_HEADING.finditer(text))
    if not matches:
        return {"": text}
    sections: dict[str, str] = {}
    head = text[: matches[0].start()].strip()
    if head:
        sections[""] = head
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[match.end() : end].strip()
        name = match.group(1)
        sections[name] = f"{sections[name]}\n{body}" if name in sections else body
    return sections


def comment_text(text: str) -> str:
    """The strengths and weaknesses parts of a review; the whole text when it has no headings."""
    sections = review_sections(text)
    if set(sections) == {""}:
        return text
    return "\n\n".join(
        body for name, body in sections.items() if "STRENGTH" in name or "WEAK" in name
    )


def evaluative_text(text: str) -> str:
    """Everything but the summary (what aspect coverage looks at); the whole free text."""
    sections = review_sections(text)
    if set(sections) == {""}:
        return text
    return "\n\n".join(body for name, body in sections.items() if name not in ("", "SUMMARY"))


def _blocks(text: str) -> list[str]:
    """Paragraphs and bullets: a blank line or a bullet marker starts a new block."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        bullet = _BULLET.match(line)
        if bullet:
            if current:
                blocks.append(current)
            current = [line[bullet.end() :].strip()]
        else:
            current.append(line.strip())
    if current:
        blocks.append(current)
    return [" ".join(block) for block in blocks]


def _sentences(block: str) -> list[str]:
    """Sentences of one block; a split after a known abbreviation is undone."""
    pieces = _SENTENCE_END.split(block)
    sentences: list[str] = []
    for piece in pieces:
        if sentences and sentences[-1].lower().endswith(_ABBREVIATIONS):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def split_comments(text: str) -> list[str]:
    """Comment units of ``text``: sentences of its bullets and paragraphs, headings dropped."""
    units: list[str] = []
    for block in _blocks(text):
        clean = _MARKUP.sub("", block).strip()
        for sentence in _sentences(clean):
            sentence = sentence.strip()
            if len(sentence.split()) >= MIN_COMMENT_WORDS:
                units.append(sentence)
    return units


def split_items(items: list[str]) -> list[str]:
    """Comment units of a list of comments (each item may hold several sentences)."""
    units: list[str] = []
    for item in items:
        units.extend(split_comments(item))
    return units
