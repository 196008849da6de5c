"""The release rule: a review may say code or data are released only where the paper does."""

from __future__ import annotations

import pytest

from reviewer.checks.release import claims_release, states_release, unsupported_release

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


@pytest.mark.parametrize(
    "sentence",
    [
        # reported in issue 33: "data" that is part of an evaluation, "shared" across sizes
        "The evaluation includes real-world data.",
        "Experiments are shared across three model sizes.",
        # human reviews (../shared/data: ICLR 2017, NeurIPS 2025), quoted as written
        "The model is very straight forward, first an MLP (with shared weights) is applied to "
        "each pair of objects.",
        'This is the case for "multi-bias", seeing as the weights are shared across sets of '
        "correlated features.",
        "The proposed model achieves state-of-the-art performance, outperforming all published "
        "models.",
        "Are the authors willing to release the source code for their model?",
        "I hope the authors will publish their code.",
        "Most results are reported in the internal dataset and the authors won't release the "
        "dataset.",
        "Using cognate words for languages that share similar scripts.",
        "The authors establish comprehensive baselines using 24 VLMs, including both open-source "
        "and proprietary models.",
        "Experiments, on both synthetic and real data, are provided to verify the algorithms' "
        "efficacy, along with a novel evaluation metric.",
        "The paper is well written and they provide implementation details.",
        "Numerical experiments on various text-to-image diffusion models are provided to "
        "demonstrate the proposed method's effectiveness in terms of prompting the diversity of "
        "generated images.",
        "Please provide a reference or data-driven justification to substantiate this claim.",
        "They also provide the pseudo code and detailed theoretical analysis of the proposed "
        "method.",
        "At the core of the approach is a Mixture-of-Experts (MoE) architecture where each expert "
        "is trained independently on a private dataset using a shared public model as the "
        "anchor.",
    ],
)
def test_sentences_that_only_mention_data_models_or_sharing_claim_nothing(sentence: str) -> None:
    assert not claims_release(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # human reviews (../shared/data: ICLR 2017, NeurIPS 2025) that do say so
        "The authors have released open-source code and pretrained models allowing others to "
        "replicate the experimental results.",
        "The authors make code available online.",
        "Additionally they release a Python open source dataset.",
        "It appears that code and data is available online "
        "(http://shapenet.github.io/JointEmbedding/).",
        "- Code, trained models, and processed data are made available.",
        "Supplementary material includes code and implementation details.",
        "The authors plan to release the entire dataset, generation scripts, and training code, "
        "which will benefit follow-up research.",
        "The authors provide open-source code for reproducibility.",
        # as abstracts put it
        "Code and data are released at https://github.com/example/repo.",
        "We release our models and code.",
    ],
)
def test_release_claims_in_human_reviews_and_abstracts_still_count(sentence: str) -> None:
    assert claims_release(sentence)
