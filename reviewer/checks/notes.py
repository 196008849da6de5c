"""How the checks' warnings read to a reader: what stayed unverified, what was edited.

Every finding and edit is a line of the run record's warnings; these turn them into the two
lists every form's Markdown shows above its footer (``prompts/_shared/unverified.md.j2``), read
from the record, so old runs show them too.
"""

from __future__ import annotations

from collections.abc import Sequence

WARNING = "grounding: "
"""How a run record's warnings from these checks start (``reviewer.generation.generate``)."""
KEPT = f"{WARNING}kept "
"""How such a warning starts when a finding stayed in the review (``drop``)."""


def unverified(warnings: Sequence[str]) -> list[str]:
    """The findings a review still carries (kept because removing them would leave a section
    too short), one line per finding with every place it occurs: what a reader should check
    before trusting the review. Read from the run record's warnings, so old runs show it too."""
    places: dict[str, list[str]] = {}
    for warning in warnings:
        if warning.startswith(KEPT):
            where, _, what = warning[len(KEPT) :].partition(": ")
            places.setdefault(what, []).append(where)
    return [f"{', '.join(where)}: {what}" for what, where in places.items()]


EDIT_PREFIXES = (
    f"{WARNING}removed ",
    f"{WARNING}dropped ",
    f"{WARNING}mended ",
    "words: ",
    "re-ask: ",
)


def edited(warnings: Sequence[str]) -> list[str]:
    """What the checks changed in the model's text, one line each with its reason (removed
    sentences, dropped comments, mended words): shown to the reader beside the review, so no
    edit is silent. Read from the run record's warnings, so old runs show it too."""
    out = []
    for warning in warnings:
        if warning.startswith(EDIT_PREFIXES):
            out.append(warning.removeprefix(WARNING))
    return out
