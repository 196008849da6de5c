"""The eval's generic-comment rule as used during generation, with the REAL MiniLM model."""

from typing import Any

from reviewer.checks.generic import GenericCheck
from reviewer.embed import Embedder

TOPICS = [
    "protein folding with diffusion models",
    "sparse attention for genomic sequences",
    "reinforcement learning for chip placement",
    "federated learning under label noise",
    "graph neural networks for weather forecasting",
    "speech recognition for low-resource languages",
    "robust optimisation of portfolio allocation",
    "neural radiance fields for medical imaging",
]


def test_boilerplate_is_generic_and_a_paper_specific_comment_is_not(minilm: Any, tmp_path) -> None:
    reference = [
        [
            "The paper is well written and easy to follow.",
            f"The ablation on {topic} misses the strongest recent baseline.",
        ]
        for topic in TOPICS
    ]
    check = GenericCheck(Embedder(cache_dir=tmp_path, progress=False), reference)
    flags = check.flags(
        [
            "Overall, the paper is clearly written and easy to follow.",
            "The carbon estimate of 1/7th of GPT-3 for OPT-175B omits the failed training runs.",
            "Too short",
        ]
    )
    assert flags == [True, False, False]
