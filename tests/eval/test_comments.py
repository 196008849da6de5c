"""Comment matching, the shuffled control and the generic rule, on hand-made vectors."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.checks.generic import MATCH_THRESHOLD, generic_flags
from reviewer.eval.comments import comment_scores, derangement, human_loo_hit_rates, match


def unit(*angles_deg: float) -> np.ndarray:
    """2-d unit vectors at the given angles (cosine similarity = cos of the angle between)."""
    a = np.radians(angles_deg)
    return np.stack([np.cos(a), np.sin(a)], axis=1).astype(np.float32)


def test_match_counts_hit_human_comments_and_precise_generated_ones() -> None:
    generated = unit(0, 90)
    human = unit(10, 45, 180)  # cos: 10deg .985, 45deg .707 (to both), 180 -> -1
    m = match(generated, human, threshold=0.9)
    assert m.hit_rate == pytest.approx(1 / 3)  # only the 10-degree comment is hit
    assert m.precision == pytest.approx(1 / 2)
    m = match(generated, human, threshold=0.7)
    assert m.hit_rate == pytest.approx(2 / 3) and m.precision == pytest.approx(1.0)


def test_empty_sides() -> None:
    assert match(np.zeros((0, 2)), unit(0), 0.5).hit_rate == 0.0
    assert np.isnan(match(np.zeros((0, 2)), unit(0), 0.5).precision)
    assert np.isnan(match(unit(0), np.zeros((0, 2)), 0.5).hit_rate)


def test_derangement_has_no_fixed_point_and_is_fixed() -> None:
    for n in (2, 3, 10, 101):
        perm = derangement(n)
        assert sorted(perm.tolist()) == list(range(n))
        assert not np.any(perm == np.arange(n))
        assert derangement(n).tolist() == perm.tolist()


def test_shuffled_control_compares_with_another_papers_comments() -> None:
    generated = [unit(0), unit(90), unit(180)]
    human = [unit(0), unit(90), unit(180)]
    scores = comment_scores(generated, human, threshold=0.9)
    assert scores.hit_rate.tolist() == [1.0, 1.0, 1.0]
    assert scores.shuffled_hit_rate.tolist() == [0.0, 0.0, 0.0]


def test_human_leave_one_out_hit_rate() -> None:
    # paper 0: reviewer A (0 deg), reviewer B (0 and 90 deg); paper 1: one reviewer only
    per_review = [[unit(0), unit(0, 90)], [unit(45)]]
    own, control = human_loo_hit_rates(per_review, threshold=0.9)
    # A hits 1 of B's 2 comments (0.5); B hits A's single comment (1.0) -> 0.75
    assert own[0] == pytest.approx(0.75)
    assert np.isnan(own[1])
    assert control[0] == pytest.approx(0.0)  # neither reviewer says "45 degrees"


def test_generic_comment_matches_many_reference_papers() -> None:
    reference = unit(0, 0, 0, 90, 180)  # papers 0,1,2 say "0 deg"; 3 and 4 other things
    paper = np.array([0, 1, 2, 3, 4])
    comments = unit(5, 120)
    flags = generic_flags(comments, reference, paper, threshold=0.9, share=0.5)
    assert flags.tolist() == [True, False]  # 3 of 5 papers >= 50%; the other: none
    strict = generic_flags(comments, reference, paper, threshold=0.9, share=0.7)
    assert strict.tolist() == [False, False]
    # leaving the comment's own paper (0) out: 2 of the 4 others -> still >= 50%
    own = generic_flags(comments, reference, paper, np.array([0, -1]), threshold=0.9, share=0.5)
    assert own.tolist() == [True, False]
    own = generic_flags(comments, reference, paper, np.array([0, -1]), threshold=0.9, share=0.6)
    assert own.tolist() == [False, False]


def test_threshold_is_a_frozen_constant() -> None:
    assert 0.3 < MATCH_THRESHOLD < 0.95
