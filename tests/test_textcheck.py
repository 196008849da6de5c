"""non_comment: list items that say nothing are told from real comments (hand-made examples)."""

import pytest

from reviewer.textcheck import non_comment, says_nothing_specific

NON_COMMENTS = [
    # the two list items of issue 16, verbatim
    "There are no major weaknesses mentioned in the abstract.",
    "Further research in this area is needed.",
    # its question that would fit any paper, with the paper's own name (QLoRA) replaced by the
    # caller (reviewer.grounding.own_name)
    "How does the method compare to other finetuning approaches?",
    # absences
    "None.",
    "N/A",
    "No major concerns.",
    "No weaknesses were identified.",
    "The abstract does not mention any specific weaknesses.",
    "Limitations are not mentioned in the abstract.",
    "I have no further questions.",
    # deferrals and remarks that fit any paper
    "More experiments would be beneficial.",
    "Future work could explore the generalizability of the approach to other domains.",
    "The results are promising and the method is novel.",
    "It lacks comparison with existing methods.",
]

COMMENTS = [
    "The 1/7th carbon footprint figure for OPT-175B relies on an external estimate for GPT-3.",
    "No ablation isolates the effect of cross-layer parameter sharing on SQuAD accuracy.",
    "The paper does not discuss limitations of the 4-bit NormalFloat data type.",
    "Further experiments on low-resource languages are needed to support the multilingual claim.",
    "How does QLoRA compare to LoRA with 16-bit adapters at the same memory budget?",
    "Compare with other pruning methods such as SNIP and GraSP.",
    "The evaluation uses only English benchmarks, so the claim of generality is untested.",
    "Why is the sentence-order prediction loss better than next-sentence prediction?",
    "Missing error bars on the zero-shot results.",
    "The paper is well written and easy to follow.",
    "No error bars are reported for the five seeds.",
    # the shape of human comments that an earlier version of the rule flagged: a vague
    # comparison beside something specific
    "Are there inputs where FlowStitch fails compared to traditional methods?",
    "Strong results on OOD splits compared to baseline methods.",
]


@pytest.mark.parametrize("text", NON_COMMENTS)
def test_flags_comments_that_say_nothing(text: str) -> None:
    assert non_comment(text)


@pytest.mark.parametrize("text", COMMENTS)
def test_keeps_comments_that_say_something(text: str) -> None:
    assert not non_comment(text)


def test_any_digit_or_term_outside_the_generic_vocabulary_makes_a_comment_specific() -> None:
    assert says_nothing_specific("The method needs more evaluation.")
    assert not says_nothing_specific("The method needs more evaluation on 3 datasets.")
    assert not says_nothing_specific("The method needs more evaluation on ImageNet.")
