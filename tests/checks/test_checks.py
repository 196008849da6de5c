"""The invariants every review check keeps, tested once for all of them (``reviewer.checks``):
a review written in the paper's own words is neither flagged nor edited, and fixing twice
changes nothing more than fixing once."""

from __future__ import annotations

import pytest

from reviewer.checks import review_checks
from reviewer.generation.forms import load_form
from tests.fake_openai import placeholder_review

SCHEMA = load_form("sections").schema
SOURCE = (
    "Title: OPT: Open Pre-trained Transformers\n\nAbstract: We present Open Pre-trained "
    "Transformers (OPT), a suite of decoder-only pre-trained transformers ranging from 125M to "
    "175B parameters. OPT-175B is comparable to GPT-3, while requiring only 1/7th the carbon "
    "footprint to develop."
)
CLEAN = {
    **placeholder_review("OPT"),
    "summary": "OPT is a suite of decoder-only pre-trained transformers from 125M to 175B "
    "parameters.",
    "experiments": "OPT-175B is comparable to GPT-3.\n\nIt needs only 1/7th the carbon footprint.",
}
DAMAGED = {
    **CLEAN,
    "experiments": "OPT-175B is comparable to GPT-3 and beats it by 35%.\n\n"
    "It needs only 1/7th the carbonfootprint. It wins on 12 tasks.",
}
CHECKS = review_checks()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.kind)
def test_a_review_in_the_papers_own_words_is_left_alone(check) -> None:
    review = SCHEMA.model_validate(CLEAN)
    findings = [f for f in check.find(review, SOURCE) if "experiments" in check.describe(f)]
    assert not findings, [check.describe(f) for f in findings]
    fixed, lines = check.fix(review, findings, SOURCE)
    assert fixed == review and not lines


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.kind)
def test_fixing_twice_changes_nothing_more(check) -> None:
    review = SCHEMA.model_validate(DAMAGED)
    once, lines = check.fix(review, check.find(review, SOURCE), SOURCE)
    assert lines and once != review  # each check had something to edit here
    twice, _ = check.fix(once, check.find(once, SOURCE), SOURCE)
    assert twice == once
