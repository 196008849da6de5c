"""Planted-flaw fixtures: the sample papers, their twins, and the eval's encoders."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from reviewer.inputs.paper import Paper, read_papers
from tests.conftest import EXAMPLES
from tests.eval.conftest import HashEncoder, minilm  # noqa: F401 (fixture)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "embedding_model: loads the packaged all-MiniLM-L6-v2 (needs the [eval] extra)"
    )


@pytest.fixture(scope="session")
def sample_papers() -> list[Paper]:
    return [p for p in read_papers(EXAMPLES / "papers.jsonl") if isinstance(p, Paper)]


@pytest.fixture
def encoder() -> HashEncoder:
    return HashEncoder()


def review_record(paper_id: str, weaknesses: Sequence[str], **extra: Any) -> dict[str, Any]:
    """One line of our reviews.jsonl (sections form) with the given weaknesses."""
    review = {
        "summary": extra.pop("summary", "The paper proposes a method and evaluates it."),
        "strengths": extra.pop("strengths", ["The paper is clearly written."]),
        "weaknesses": list(weaknesses) or ["The discussion section is short."],
        "questions": extra.pop("questions", ["How long does training take?"]),
        "overall": 6,
        "decision": "accept",
        **extra,
    }
    return {"paper_id": paper_id, "form": "sections", "model": "hand-written", "review": review}


@pytest.fixture
def write_run() -> Callable[[Path, Sequence[dict[str, Any]]], Path]:
    def write(folder: Path, records: Sequence[dict[str, Any]]) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "reviews.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return folder

    return write
