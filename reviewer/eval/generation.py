"""``--generate``: review a reference split with our pipeline before scoring it.

Only ``papers_for_generation`` decides what a prompt may see (id, title, abstract, keywords),
so the leakage rule has one place to live and one test to check it.
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
    papers = papers_for_generation(references)
    try:
        from reviewer.batch import run_batch  # type: ignore[attr-defined]
    except ImportError:
        run_batch = None
    if run_batch is not None:
        run_batch(papers, out, concurrency=concurrency, **(reviewer_options or {}))
    else:
        from reviewer.api import Reviewer

        with Reviewer(**(reviewer_options or {})) as reviewer:
            reviewer.batch(papers, out, concurrency=concurrency)
    return out / "reviews.jsonl"
