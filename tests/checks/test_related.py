"""The related-work citation check: cite only the related papers the prompt gave, by id or
title. It must leave alone a review that names no paper, one that names a given paper and one
that names the paper's own title; an id never given is removed, an author citation reported."""

from __future__ import annotations

from typing import Any

from reviewer.checks import RelatedCitations, notes
from reviewer.checks.notes import KEPT, WARNING
from reviewer.generation.forms import load_form
from reviewer.generation.related import with_novelty
from tests.fake_openai import placeholder_review

FORM = with_novelty(load_form("sections", "full"))
SOURCE = (
    "<paper>\nTitle: Deep Sets Revisited\nAbstract: We revisit permutation-invariant networks "
    "as in Zaheer et al. (2017) and extend them to graphs.\n</paper>\n\n"
    "<related_work>\n"
    '<related_paper id="R1" year="2023" venue="NeurIPS">\nTitle: Set Transformer Pooling\n'
    "Abstract: Attention pools sets.\n</related_paper>\n"
    '<related_paper id="R2" year="2024">\nTitle: Graph Sets at Scale\n'
    "Abstract: Sets of graphs.\n</related_paper>\n</related_work>"
)
NOVELTY = "Relative to Set Transformer Pooling [R1], this adds graphs; [R2] scales sets of graphs."
CHECK = RelatedCitations()


def _review(**fields: Any) -> Any:
    return FORM.schema.model_validate({**placeholder_review("Deep Sets Revisited"),
                                       "novelty": NOVELTY, **fields})  # fmt: skip


def _left_alone(review: Any, source: str = SOURCE) -> None:
    findings = CHECK.find(review, source)
    assert findings == []
    assert CHECK.fix(review, findings, source) == (review, [])


def test_a_review_naming_no_paper_is_left_alone() -> None:
    _left_alone(_review(novelty="The extension to graphs is new; nothing listed does this."))


def test_a_review_naming_given_papers_by_id_or_title_is_left_alone() -> None:
    _left_alone(_review())
    _left_alone(_review(weaknesses=["Graph Sets at Scale already pools sets of graphs."]))


def test_the_papers_own_title_and_a_citation_the_paper_makes_are_left_alone() -> None:
    _left_alone(_review(summary="Deep Sets Revisited extends the networks of Zaheer et al. "
                                "(2017) to graphs, as its abstract says."))  # fmt: skip


def test_two_names_joined_by_and_without_a_year_are_no_citation() -> None:
    """Read in an embedded-model review: "the differences between Transformer and RNN" was
    reported as a citation of a paper it was not given."""
    _left_alone(_review(impact="It compares Transformer and RNN architectures, and BERT and "
                               "GPT-2 models, on Dyck languages."))  # fmt: skip


def test_a_review_without_related_work_in_its_prompt_is_left_alone() -> None:
    plain = "<paper>\nTitle: Deep Sets Revisited\nAbstract: Sets.\n</paper>"
    _left_alone(_review(novelty="Unlike Smith et al. (2020) and [R7], this is new."), plain)


def test_an_id_it_was_never_given_is_removed_and_the_edit_listed() -> None:
    review = _review(novelty="It improves on [R2] and on ([R9]) in every respect we can see.",
                     weaknesses=["The comparison with [R5] is missing for graphs."])  # fmt: skip
    findings = CHECK.find(review, SOURCE)
    assert [(f.where, f.detail) for f in findings] == [("weaknesses #1", "R5"), ("novelty", "R9")]
    fixed, lines = CHECK.fix(review, findings, SOURCE)
    assert fixed.novelty == "It improves on [R2] and on in every respect we can see."
    assert fixed.weaknesses == ["The comparison with is missing for graphs."]
    assert lines[1] == (f"{WARNING}removed novelty: cites [R9], which is not one of "
                        "the related papers it was given (R1-R2)")  # fmt: skip
    assert notes.edited(lines) == [line.removeprefix(WARNING) for line in lines]
    assert CHECK.fix(fixed, CHECK.find(fixed, SOURCE), SOURCE) == (fixed, [])  # once is enough


def test_a_paper_cited_by_its_authors_is_reported_and_kept() -> None:
    text = "This closely follows Smith et al. (2021) and Lee and Park (2019) on set pooling."
    review = _review(novelty=text)
    findings = CHECK.find(review, SOURCE)
    assert [f.detail for f in findings] == ["Smith et al. (2021)", "Lee and Park (2019)"]
    fixed, lines = CHECK.fix(review, findings, SOURCE)
    assert fixed == review  # not shown wrong, only not given: reported, never removed
    assert all(line.startswith(KEPT) for line in lines)
    assert notes.unverified(lines)[0].startswith('novelty: cites "Smith et al. (2021)"')


def test_a_removal_that_would_break_the_schema_is_reported_instead() -> None:
    review = _review(weaknesses=["Unlike [R8] it is new."])  # a comment has 12 characters at least
    fixed, lines = CHECK.fix(review, CHECK.find(review, SOURCE), SOURCE)
    assert fixed.weaknesses == ["Unlike it is new."] and lines[0].startswith(WARNING)
    tiny = _review(weaknesses=["See [R8] now."])
    kept, notes = CHECK.fix(tiny, CHECK.find(tiny, SOURCE), SOURCE)
    assert kept == tiny and notes[0].startswith(KEPT)
