"""With the packaged all-MiniLM-L6-v2: the cache, the matcher's threshold, the real sample."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reviewer.checks.generic import MATCH_THRESHOLD
from reviewer.embed import Embedder
from reviewer.eval.run import EvalConfig, run_eval
from tests.eval.conftest import SAMPLE

pytestmark = pytest.mark.embedding_model


def test_embedder_caches_and_normalises(minilm, tmp_path: Path) -> None:
    texts = ["The ablation study is missing.", "No ablation is reported.", "Nice figures."]
    first = Embedder(cache_dir=tmp_path / "c", progress=False)
    a = first.encode(texts + texts[:1])
    assert a.shape == (4, 384) and first.encoded == 3
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    first.close()
    second = Embedder(cache_dir=tmp_path / "c", progress=False)
    b = second.encode(texts)
    assert second.encoded == 0  # all three read from the cache
    assert np.allclose(a[:3], b, atol=1e-6)


def test_match_threshold_separates_a_paraphrase_from_an_unrelated_comment(minilm) -> None:
    vecs = Embedder(use_cache=False, progress=False).encode(
        [
            "The paper does not include an ablation study of the proposed loss.",
            "An ablation of the new loss term is missing from the experiments.",
            "The related work section omits recent diffusion model papers.",
        ]
    )
    assert vecs[0] @ vecs[1] >= MATCH_THRESHOLD
    assert vecs[0] @ vecs[2] < MATCH_THRESHOLD


@pytest.mark.skipif(not SAMPLE.is_file(), reason="shared sample data not present")
def test_real_sample_end_to_end(minilm, tmp_path: Path) -> None:
    """The six train papers of the shared sample, read in place, nearest-neighbour baseline."""
    refs = tmp_path / "refs.jsonl"
    refs.symlink_to(SAMPLE)
    out = tmp_path / "out"
    config = EvalConfig(
        out=out,
        references=refs,
        split="train",
        baselines=("nearest-neighbour", "constant"),
        n_resamples=50,
    )
    m = run_eval(config)
    assert m["references"]["n_papers"] == 6
    assert m["comments"]["hit_rate"]["n_papers"] == 6
    assert 0 <= m["comments"]["hit_rate"]["value"] <= 1
    assert m["coverage"]["aspects_covered"]["value"] is not None
    assert json.loads((out / "metrics.json").read_text())["system"] == "nearest-neighbour"
    assert (out / "report.html").stat().st_size > 10_000
