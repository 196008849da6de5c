"""Small corpora for the related-work tests: reference-set records (reviews, authors and
decisions included, as the shared data has them) written to a temporary file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reviewer.related.corpus import Corpus, load_corpus


def record(pid: str, year: int, title: str, abstract: str, **extra: Any) -> dict[str, Any]:
    """One reference-set line, with everything a corpus must drop."""
    return {
        "paper_id": pid,
        "venue": "NeurIPS",
        "year": str(year),
        "title": title,
        "abstract": abstract,
        "authors": ["Ada Secretauthor", "Bob Hiddenname"],
        "decision": "Accept (oral)",
        "accepted": True,
        "reviews": [{"rating": 9, "text": "SUMMARY:\nA REVIEW TEXT THAT MUST NOT LEAK."}],
        "meta_review": {"text": "DECISION: Accept"},
        "split": "train",
        **extra,
    }


RECORDS = [
    record("g23", 2023, "Graph networks for molecule property prediction",
           "We predict molecule properties with graph neural networks and message passing."),
    record("v23", 2023, "Vision transformers for object detection",
           "Transformers detect objects in images with attention over patches."),
    record("s23", 2023, "Streaming speech recognition with transducers",
           "A transducer recognises speech as it streams, with low latency."),
    record("g24", 2024, "Equivariant graph networks for molecules",
           "Equivariant message passing on molecule graphs predicts properties."),
    record("g25", 2025, "Graph networks for molecules at scale",
           "We scale graph neural networks with message passing to millions of molecules."),
]  # fmt: skip


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    path = tmp_path / "refs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return path


@pytest.fixture
def corpus(corpus_file: Path) -> Corpus:
    return load_corpus(corpus_file)
