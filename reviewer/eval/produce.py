"""``--generate``: review a reference split with our pipeline before scoring it.

Only ``papers_for_generation`` decides what a prompt may see (id, title, abstract, keywords),
so the leakage rule has one place to live and one test to check it. The eval reaches generation
only through the public ``reviewer.api.Reviewer``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.references import Reference, papers_for_generation

if TYPE_CHECKING:
    from reviewer.api import Reviewer


def generate_reviews(
    reviewer: Reviewer, references: Sequence[Reference], out: Path, *, concurrency: int = 4
) -> Path:
    """Run the batch pipeline of ``reviewer`` (the public ``reviewer.api.Reviewer``, made by the
    caller) on ``references`` into ``out``; returns ``out/reviews.jsonl``.

    Resumable like any batch run: papers already reviewed in ``out`` are skipped.
    """
    reviewer.batch(papers_for_generation(references), out, concurrency=concurrency)
    return out / "reviews.jsonl"
