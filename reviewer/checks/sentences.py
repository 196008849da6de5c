"""Sentences where they stand in a paragraph, and their removal with nothing else changed.

The grounding check removes a paragraph's sentences by their spans (:func:`sentence_spans`):
:func:`cut` takes exactly those out, keeps paragraph breaks and leaves every other byte as it
was. :func:`cut_off` tells a paragraph that stops mid-sentence (a small model sometimes closes
its JSON string early: "by using a technique called ").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Where one sentence of a paragraph ends and the next begins: after sentence punctuation, or at
# a line break (a paragraph break, or a line of its own).
BOUNDARY_RE = re.compile(r"(?<=[.!?])[ \t]+(?=[A-Z0-9\"“(])|[ \t]*\n\s*")
# The last word of a sentence cut off before its end: "... a technique called", "... on the"
DANGLING = frozenset(
    ("a", "an", "the", "of", "to", "by", "for", "with", "from", "in", "on", "at", "as", "and",
     "or", "but", "than", "that", "which", "whose", "called", "named", "such", "using", "via",
     "into", "between")
)  # fmt: skip


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text`` where it stands: the white space between
    sentences, and around the text, is in no span."""
    spans, start = [], 0
    for match in [*BOUNDARY_RE.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            spans.append((start + left, start + right))
        if match:
            start = match.end()
    return spans


def cut(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` without the sentences at ``spans`` (spans of ``sentence_spans(text)``).

    A run of removed sentences goes with all but one of the gaps around and inside it; the one
    left joins what remains: the first with the most line breaks, so removing a paragraph's
    last sentence, or a whole paragraph, keeps the paragraph break. At the start or the end of
    the text the run goes with its gaps. Everything else stays byte for byte."""
    every = sentence_spans(text)
    doomed = set(spans) & set(every)
    if not doomed:
        return text
    out, i = [text[: every[0][0]]], 0
    while i < len(every):
        if every[i] not in doomed:
            gap_end = every[i + 1][0] if i + 1 < len(every) else len(text)
            out.append(text[every[i][0] : gap_end])
            i += 1
            continue
        j = i
        while j < len(every) and every[j] in doomed:
            j += 1
        if i == 0 or j == len(every):  # at the start or the end: nothing left to join
            if j == len(every) and i:  # the gap before the run goes too, and the text's tail
                kept = "".join(out)
                out = [kept[: len(kept) - (every[i][0] - every[i - 1][1])]]
            i = j
            continue
        # the gaps around and inside the run; the one kept is the first with most line breaks
        gaps = [text[every[k - 1][1] : every[k][0]] for k in range(i, j + 1)]
        kept_gap = max(gaps, key=lambda gap: gap.count("\n"))
        out[-1] = out[-1][: len(out[-1]) - len(gaps[0])] + kept_gap  # gaps[0] is in ``out``
        i = j
    return "".join(out)


def cut_off(paragraph: str) -> bool:
    """True when ``paragraph`` ends without punctuation on a word no sentence ends with."""
    text = paragraph.rstrip()
    words = text.split()
    return bool(words) and text[-1].isalpha() and words[-1].lower() in DANGLING
