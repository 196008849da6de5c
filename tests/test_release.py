"""The release rule: a review may say code or data are released only where the paper does."""

from __future__ import annotations

import pytest

from reviewer.release import claims_release, states_release, unsupported_release

QUIET = "We propose DSD, a dense-sparse-dense training flow, and improve ResNet-50 by 1.1%."


@pytest.mark.parametrize(
    "sentence",
    [
        # the embedded model's reproducibility paragraphs (dev and planted-flaw runs, 8bde8b6)
        "The authors provide code, data, and detailed information about the experiments.",
        "Code, data, and details for SuperBPE are available.",
        "The paper includes a Tensorflow implementation and provides details on its use.",
        "The dataset is publicly available, making it easy for others to reproduce the results.",
        "They also provide a link to the code repository.",
        "The authors provide the necessary data, settings, and compute to reproduce the results.",
        "The authors released the model weights.",
    ],
)
def test_release_claims_are_recognised(sentence: str) -> None:
    assert claims_release(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The paper does not provide code.",
        "It is unclear whether the code will be released.",
        "Reproducing the result would need the training code and the data splits.",
        "The paper provides data on 12 languages.",
        "It provides insights into how models trained on web data behave.",
        "The experiments include a variety of datasets and baselines.",
        "It introduces a new dataset of 10k questions.",
    ],
)
def test_other_sentences_claim_nothing(sentence: str) -> None:
    assert not claims_release(sentence)


def test_a_claim_is_unsupported_only_where_the_paper_says_nothing_of_a_release() -> None:
    review = "DSD is simple. The authors provide the code and data."
    assert not states_release(QUIET)
    assert unsupported_release(review, QUIET) == ["The authors provide the code and data."]
    for source in (
        QUIET + " DSD models are available to download at https://songhan.github.io/DSD.",
        QUIET + " We provide a Tensorflow implementation that is easy to use.",
        QUIET + " Code is released.",
    ):
        assert states_release(source)
        assert unsupported_release(review, source) == []
