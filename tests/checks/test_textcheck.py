"""The non-comment rule shared by the eval and generation: what it flags, what it leaves."""

from __future__ import annotations

import json

import pytest

from reviewer.checks.textcheck import non_comment, non_comments, review_units
from reviewer.references import data_dir

SEED = data_dir() / "seed_001_sections" / "seed_001_sections.jsonl"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("There are no major weaknesses mentioned in the abstract.", "absence"),
        ("No weaknesses identified.", "absence"),
        ("None.", "absence"),
        ("N/A", "absence"),
        ("The abstract does not mention the size of the training set.", "absence"),
        ("It is not clear from the abstract how the model is trained.", "absence"),
        ("Based on the abstract alone, it is difficult to judge the novelty.", "absence"),
        ("Further research in this area is needed.", "defers"),
        ("More experiments would be beneficial.", "defers"),
        ("It remains to be seen whether this scales.", "defers"),
        ("How does QLoRA compare to other finetuning approaches?", "empty"),
        ("How does the method compare with existing state-of-the-art methods?", "empty"),
        ("What are the limitations of the proposed approach?", "empty"),
        ("Can the method be applied to other domains?", "empty"),
        ("The results are strong. Further research in this area is needed.", "defers"),
        # noncomment-v2: missed by v1 in the embedded model's 30-paper batch
        ("No limitations or unstated assumptions provided.", "absence"),
        ("What is the main contribution of the paper?", "empty"),
        ("What are the strengths and limitations of our evaluation?", "empty"),
        (
            "What are the limitations of the proposed method, and how can they be mitigated?",
            "empty",
        ),
        ("What are the main limitations of the benchmark?", "empty"),
        ("The authors do not mention any weaknesses.", "absence"),
        ("The authors do not provide any limitations or unstated assumptions.", "absence"),
        ("What is the purpose of the paper?", "empty"),
        # noncomment-v3: a deferral whose purpose names nothing (README demo, ALBERT)
        (
            "Further research is needed to determine the effectiveness of the proposed methods.",
            "defers",
        ),
        ("More analysis is needed to fully understand the limitations of the approach.", "defers"),
        # noncomment-v4: missed by v3 in the embedded model's 20-paper batch (dd2c69f)
        ("The authors do not provide information on the limitations of the model.", "absence"),
        ("The paper does not discuss the potential limitations of the proposed method.", "absence"),
        (
            "More research is needed to fully understand the limitations of the model.",
            "defers",
        ),
        ("What is the approach used in the paper?", "empty"),
        ("What are the strengths of GANs?", "empty"),
        # noncomment-v5: missed by v4 in the README demo (outputs/demo-v4)
        ("What are the limitations of the proposed methods?", "empty"),
        (
            "The results are preliminary and need more research to fully understand their "
            "limitations.",
            "defers",
        ),
        ("May require further research to improve its effectiveness.", "defers"),
        ("Further research needed to fully understand limitations", "defers"),
        # noncomment-v5: seen in the embedded model's dev reviews (outputs/quality/compact)
        ("What are the potential limitations of SymSGD?", "empty"),
        ("How can the model be improved?", "empty"),
        ("The authors do not provide unstated assumptions.", "absence"),  # README's 20 papers
        # noncomment-v6: flagged as generic in the compact dev reviews at f1c5dad
        (
            "The paper does not provide a detailed analysis of the limitations of the proposed "
            "models.",
            "absence",
        ),
        (
            "The paper does not provide a detailed analysis of the limitations of existing methods",
            "absence",
        ),
        ("Does not provide details of limitations and unstated assumptions", "absence"),
        (
            "The paper does not discuss the strengths and weaknesses of its proposed approach.",
            "absence",
        ),
        ("The paper does not address main limitations", "absence"),
        (
            "The method is not well-documented and requires additional research to understand its "
            "limitations and assumptions.",
            "defers",
        ),
    ],
)
def test_non_comments_are_flagged_with_their_kind(text: str, kind: str) -> None:
    assert non_comment(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "Variance over seeds is not reported, so the 2-point gain may be noise.",
        "No ablation isolates the effect of the 4-bit NormalFloat data type.",
        "How does QLoRA compare to LoRA at the same memory budget on the 65B model?",
        "The paper does not compare with prefix tuning, the closest baseline.",
        "Additionally, the gains are shown on few tasks, and it remains to be seen how well the "
        "approach generalizes to other domains.",
        "The results indicate significant improvements compared to existing models.",
        "Further experiments on ImageNet would show whether the gain holds at scale.",
        "The main text does not discuss any limitations.",
        "What are the limitations of the LLMs used in the experiments?",
        "What is the contribution of the 4-bit NormalFloat compared with int4?",
        "No reproducibility information provided.",
        "The authors do not mention any limitations of the 4-bit NormalFloat format.",
        "What is the purpose of the double quantization step?",
        "Further experiments are needed to show that the gain holds beyond GLUE.",
        "More work is needed on the 65B model with 4-bit NormalFloat.",
        # noncomment-v4 keeps these
        "The authors do not provide information on the calibration set used for GPTQ.",
        "The paper does not discuss the limitations of the 4-bit NormalFloat format.",
        "What is the approach used to pick the rank r in LoRA?",
        "What are the advantages of NF4 over int4 at 65B?",
        "More research is needed to understand why the 33B model degrades.",
        # noncomment-v5 keeps these
        "What are the limitations of existing methods on long documents?",
        "The method may need more experiments to improve the 4-bit NormalFloat kernels.",
        "The authors suggest further research to improve the self-supervised loss.",
        "What are the limitations of SymSGD on non-linear learners?",
        "How can the 4-bit quantization be improved for the 65B model?",
        "The authors do not provide details on the learning rate schedule.",
        # noncomment-v6 keeps these
        "Does not compare with LoRA on the 65B model.",
        "The paper does not provide a detailed analysis of the 4-bit NormalFloat data type.",
        "The paper does not discuss the limitations of NF4 against int4 quantisation.",
        "More research is needed to test the assumption that weights are normally distributed.",
    ],
)
def test_real_comments_are_left_alone(text: str) -> None:
    assert non_comment(text) is None


def test_review_units_and_non_comments_name_the_field() -> None:
    review = {
        "summary": "A paper about things. It has two sentences.",
        "strengths": ["Clear writing throughout the paper."],
        "weaknesses": ["There are no major weaknesses mentioned in the abstract."],
        "questions": [{"comment": "What are the limitations of this work?"}],
        "overall": 6,
        "decision": "accept",
    }
    assert [f for f, _ in review_units(review)] == [
        "summary", "summary", "strengths", "weaknesses", "questions"
    ]  # fmt: skip
    assert non_comments(review) == [
        ("weaknesses", "There are no major weaknesses mentioned in the abstract.", "absence"),
        ("questions", "What are the limitations of this work?", "empty"),
    ]


@pytest.mark.skipif(not SEED.is_file(), reason="needs ../shared/data/seed_001_sections")
def test_seed_001_reviews_are_clean_and_a_damaged_copy_is_caught() -> None:
    reviews = [json.loads(line)["review"] for line in SEED.open(encoding="utf-8")]
    assert len(reviews) == 107
    assert [n for r in reviews for n in non_comments(r)] == []
    damaged = [dict(r) for r in reviews[:10]]
    inserted = ["Further research in this area is needed.",
                "There are no major weaknesses mentioned in the abstract."]  # fmt: skip
    for i, review in enumerate(damaged):
        review["limitations"] = f"{review['limitations']} {inserted[i % 2]}"
    found = [n for r in damaged for n in non_comments(r)]
    assert [(f, t) for f, t, _ in found] == [("limitations", inserted[i % 2]) for i in range(10)]


def test_any_digit_or_term_outside_the_generic_vocabulary_makes_a_text_specific() -> None:
    from reviewer.checks.textcheck import says_nothing_specific

    assert says_nothing_specific("The method needs more evaluation.")
    assert not says_nothing_specific("The method needs more evaluation on 3 datasets.")
    assert not says_nothing_specific("The method needs more evaluation on ImageNet.")
