"""Sentences of an abstract or a body, cut so that joining them again gives fluent text.

The eval splitter (``reviewer.references.segment``) drops short fragments and markup, which is right
for matching comments and wrong for rewriting a paper: here every character is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9\\]|[a-z]+[A-Z])")
"""A stop, then a capital, a digit, or a name like mGPT."""
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "fig.", "eq.", "sec.", "cf.", "approx.")


def sentences(text: str) -> list[str]:
    """The sentences of ``text``; a cut after a known abbreviation is undone."""
    out: list[str] = []
    for piece in _BOUNDARY.split(text.strip()):
        if out and out[-1].lower().endswith(_ABBREVIATIONS):
            out[-1] = f"{out[-1]} {piece}"
        elif piece:
            out.append(piece)
    return out


def join(parts: list[str]) -> str:
    return " ".join(p.strip() for p in parts if p.strip())


def normalise(text: str) -> str:
    """Lower case, one kind of dash and space, ``%`` glued to its number: for anchor lookup."""
    text = text.lower().replace("\u2013", "-").replace("\u2014", "-").replace("\u00d7", "x")
    text = re.sub(r"(\d)\s*(?:%|percent\b|per cent\b)", r"\1%", text)
    text = re.sub(r"(\d)\s*(?:x|-fold)\b", r"\1x", text)
    text = re.sub(r"speed[\s-]*up", "speed-up", text)
    text = re.sub(r"\blabeled\b", "labelled", text)
    return re.sub(r"\s+", " ", text)


def _anchor_pattern(anchor: str) -> re.Pattern[str]:
    a = normalise(anchor)
    number = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%|x)?", a)
    if number:  # 104.2% also matches "104.2 percent" and a bare 104.2, never 1104.2 or 104.25
        return re.compile(rf"(?<![\d.]){re.escape(number.group(1))}(?!\.?\d)")
    return re.compile(rf"(?<!\w){re.escape(a)}(?!\w)")


def anchored(text: str, anchors: Sequence[str]) -> bool:
    """Whether ``text`` names one of ``anchors`` (case, spacing and number format ignored)."""
    norm = normalise(text)
    return any(_anchor_pattern(a).search(norm) for a in anchors)
