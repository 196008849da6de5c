"""``--generate``: review a reference split with our pipeline before scoring it.

Only ``papers_for_generation`` decides what a prompt may see (id, title, abstract, keywords),
so the leakage rule has one place to live and one test to check it. The eval reaches generation
only through the public ``reviewer.api.Reviewer``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewer.references import Reference, papers_for_generation


def generate_reviews(
    references: Sequence[Reference],
    out: Path,
    *,
    concurrency: int = 4,
    reviewer_options: dict[str, Any] | None = None,
) -> Path:
    """Run the batch pipeline on ``references`` into ``out``; returns ``out/reviews.jsonl``.

    Resumable like any batch run: papers already reviewed in ``out`` are skipped.
    """
    from reviewer.api import Reviewer  # the public API, looked up when called

    papers = papers_for_generation(references)
    with Reviewer(**(reviewer_options or {})) as reviewer:
        reviewer.batch(papers, out, concurrency=concurrency)
    return out / "reviews.jsonl"
