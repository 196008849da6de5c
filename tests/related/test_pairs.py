"""The ground truth: earlier papers that human reviews name by their full title."""

from __future__ import annotations

from typing import Any

from reviewer.related.pairs import Pair, named_pairs


def _paper(pid: str, year: int, title: str, *reviews: str, split: str = "test") -> dict[str, Any]:
    return {"paper_id": pid, "year": year, "title": title, "split": split,
            "reviews": [{"text": t} for t in reviews]}  # fmt: skip


EARLIER = _paper("e", 2023, "Deep Sets: Learning on Permutation-Invariant Inputs")
SHORT = _paper("s", 2023, "Attention Is All")  # four words: too generic to count


def test_a_review_naming_an_earlier_title_makes_a_pair_despite_case_and_punctuation() -> None:
    review = "This extends deep sets learning on permutation invariant inputs (2023) nicely."
    pairs = named_pairs([EARLIER, _paper("q", 2024, "Our paper", review)])
    assert pairs == [Pair("q", "e", "test", 2024, 2023)]


def test_short_titles_later_papers_resubmissions_and_partial_titles_make_none() -> None:
    later = _paper("late", 2025, "Graph Kernels for Molecules at Scale Today")
    records = [
        EARLIER, SHORT, later,
        _paper("q1", 2024, "Q one", "As in Attention Is All, the model attends."),
        _paper("q2", 2024, "Q two", "Compare with graph kernels for molecules at scale today."),
        _paper("q3", 2024, "Deep sets: learning on permutation-invariant inputs",
               "A resubmission of deep sets learning on permutation invariant inputs."),
        _paper("q4", 2024, "Q four", "Unlike deep sets learning on permutation invariant."),
        _paper("q5", 2023, "Q five", "Same year: deep sets learning on permutation invariant"
               " inputs"),
    ]  # fmt: skip
    assert named_pairs(records) == []
