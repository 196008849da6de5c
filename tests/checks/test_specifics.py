"""Numbers and names of a review are looked up in the paper text, in their usual spellings
(``Source``, ``reviewer.checks.specifics``, with ``reviewer.checks.numbers`` for numbers)."""

import pytest

from reviewer.checks.numbers import numbers
from reviewer.checks.specifics import Source, names

OPT = (
    "Title: OPT: Open Pre-trained Transformer Language Models\nAbstract:\n"
    "We present Open Pre-trained Transformers (OPT), a suite of decoder-only pre-trained "
    "transformers ranging from 125M to 175B parameters. We show that OPT-175B is comparable "
    "to GPT-3, while requiring only 1/7th the carbon footprint to develop. Accuracy improves "
    "by 51.6% on two benchmarks and training is twice as fast with reinforcement learning."
)
ALBERT = (
    "Title: ALBERT: A Lite BERT for Self-supervised Learning of Language Representations\n"
    "Abstract:\nWe present two parameter-reduction techniques to lower memory consumption and "
    "increase the training speed of BERT. We also use a self-supervised loss that focuses on "
    "modeling inter-sentence coherence, and establish new state-of-the-art results on the GLUE, "
    "RACE, and SQuAD benchmarks."
)


@pytest.mark.parametrize(
    "text",
    [
        "The 175 billion parameter model",  # "175B" spelled out
        "OPT-175B needs one seventh of the carbon: 1/7 of GPT-3's.",
        "It is 2x faster.",  # "twice"
        "a gain of 52%",  # 51.6% rounded
        "a gain of 51.6 percent on 2 benchmarks",
        "models from 125 million parameters",
        "released in 2022 as GPT-3 rival",
    ],
)
def test_numbers_the_paper_states_in_another_spelling_are_grounded(text: str) -> None:
    source = Source(OPT + " Year: 2022")
    assert source.invented_numbers(text) == []


def test_numbers_the_paper_never_states_are_reported_as_written() -> None:
    source = Source(OPT)
    assert source.invented_numbers("It gains 35% on 12 tasks with 3.5x less memory.") == [
        "35%",
        "12",
        "3.5x",
    ]


def test_numbers_spelled_out_with_a_magnitude_are_checked_like_digits() -> None:
    source = Source("Title: X\nAbstract:\nIt learns dependencies as long as 5,000 timesteps.")
    assert source.invented_numbers("dependencies as long as fifty thousand time steps") == [
        "fifty thousand"
    ]
    assert source.invented_numbers("dependencies as long as five thousand time steps") == []
    assert source.invented_numbers("over a million steps, two hundred and fifty tasks") == [
        "a million",
        "two hundred and fifty",
    ]


def test_vague_or_small_spelled_numbers_are_not_claims_to_check() -> None:
    source = Source("Title: X\nAbstract:\nWe study two benchmarks.")
    assert source.invented_numbers("thousands of steps on three benchmarks, one of them new") == []


def test_a_paper_that_spells_its_number_out_grounds_the_digits() -> None:
    source = Source("Title: X\nAbstract:\nTrained on two hundred and fifty thousand images.")
    assert source.invented_numbers("trained on 250,000 images (250k)") == []


def test_digits_inside_names_are_names_not_numbers() -> None:
    assert [w for w, _ in numbers("GPT-4 and ResNet-50 beat L2 in 3D on 7 tasks")] == ["7"]


def test_issue_16_albert_invention_is_caught() -> None:
    review = (
        "ALBERT's two parameter-reduction techniques are one based on quantization and another "
        "based on pruning, evaluated on GLUE and ImageNet."
    )
    assert Source(ALBERT).invented_names(review) == ["ImageNet", "quantization", "pruning"]


@pytest.mark.parametrize(
    "text",
    [
        "The LLM runs on a GPU and claims SOTA results.",  # generic acronyms
        "However, the Transformer baseline is weak.",  # sentence start, generic term
        "The method uses RL to train the policy.",  # initials of "reinforcement learning"
        "Results on SQuAD and GLUE are strong; see Section 4 and Table 2.",  # structure words
        "BERT's memory use drops; the OPT models are open.",  # possessive, plural
        "Abstract: the claim rests on RACE.",
    ],
)
def test_common_words_and_the_papers_own_names_are_not_invented(text: str) -> None:
    source = Source(OPT + "\n" + ALBERT)
    assert source.invented_names(text) == []


def test_name_candidates_are_acronyms_camelcase_digits_and_midsentence_capitals() -> None:
    text = "We like LoRA, the Adam optimizer and T5. Deep nets are fine."
    assert names(text) == ["LoRA", "Adam", "T5"]


def test_hyphenated_names_keep_their_inner_words_and_lose_lowercase_ends() -> None:
    source = Source("Title: A Unified Text-to-Text Transformer\nAbstract: We use RL.")
    assert source.invented_names("The Text-to-Text format and the RL-driven top-5 runs.") == []
    assert names("The KAN-based and ReLU-free nets") == ["KAN", "ReLU"]


def test_references_math_urls_units_and_emphasis_are_not_names() -> None:
    text = "See Fig.2 and $N_s$ at https://x.org; it runs at 50 Hz. Try ANY dataset; SBM/PPM."
    assert names(text) == ["SBM", "PPM"]


def test_numbers_that_point_at_parts_of_a_paper_or_list_items_are_not_claims() -> None:
    text = (
        "As Table 2 and Eq. 2-5 show (see Sections 3 and 4, line 68, [3]), three limits "
        "remain: (1) cost, (2) speed. 1) Data; 2) code. It gains 35%."
    )
    assert [w for w, _ in numbers(text)] == ["35%"]


def test_a_number_opening_a_sentence_is_still_a_claim() -> None:
    assert [w for w, _ in numbers("The model is large. 175B parameters are used. O(1) time")] == [
        "175B",
        "1",
    ]


def test_words_of_cited_titles_and_headings_are_not_names_but_two_word_names_are() -> None:
    text = (
        "Generalization Capability: it works. See Advances in Neural Information Processing "
        "Systems 36 and the Necessity of Attention Mechanism Unclear part; trained on Common Crawl."
    )
    assert names(text) == ["Common", "Crawl"]


def test_citation_lists_figure_lists_and_item_numbers_are_not_claims() -> None:
    text = "See [1, 2, 4] and Fig 1, 2, 3, and 4, eqn 7, Weston'16. It has 96 channels."
    assert [w for w, _ in numbers(text)] == ["96"]
    assert numbers("2 The explanation is thin.") == []
