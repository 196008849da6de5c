"""The embedded server's sampler, in process with the REAL 0.5B model (marked ``local_model``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LOCAL_MODEL

pytestmark = LOCAL_MODEL

SCHEMA = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "minLength": 40},
        "strengths": {
            "type": "array",
            "items": {"type": "string", "minLength": 12},
            "minItems": 2,
            "maxItems": 3,
        },
        "overall": {"type": "integer", "enum": list(range(1, 11))},
    },
    "required": ["summary", "strengths", "overall"],
}


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from reviewer.local.weights import resolve_model

    return resolve_model("0.5b", models_dir=tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def abstract() -> str:
    from reviewer import read_papers
    from tests.conftest import EXAMPLES

    papers = {p.id: p for p in read_papers(EXAMPLES / "papers.jsonl")}
    return papers["albert-a-lite-bert-for-self-supervised-learning-of-language"].abstract


def _complete(llama: object, abstract: str, max_tokens: int = 160) -> str:
    messages = [
        {"role": "system", "content": "You review papers. Reply with JSON only."},
        {"role": "user", "content": f"Review this abstract:\n{abstract}"},
    ]
    reply = llama.create_chat_completion(  # type: ignore[attr-defined]
        messages=messages,
        response_format={"type": "json_object", "schema": SCHEMA},
        temperature=0,
        max_tokens=max_tokens,
    )
    return reply["choices"][0]["message"]["content"]


@pytest.fixture(scope="module")
def models(model_path: Path) -> Iterator[dict[str, object]]:
    import llama_cpp

    from reviewer.local.python_server import Dry, GrammarLastLlama

    class NoDry(GrammarLastLlama):
        dry = None

    class WithDry(GrammarLastLlama):
        dry = Dry()

    common = {"model_path": str(model_path), "n_ctx": 1024, "n_threads": 2, "verbose": False}
    built = {
        "stock": llama_cpp.Llama(**common),
        "grammar_last": NoDry(**common),
        "dry": WithDry(**common),
    }
    yield built
    for llama in built.values():
        llama.close()  # type: ignore[attr-defined]


def _copied_ngrams(text: str, source: str, n: int = 5) -> int:
    def grams(s: str) -> set[tuple[str, ...]]:
        words = s.lower().split()
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    return len(grams(text) & grams(source))


def test_greedy_output_is_identical_to_grammar_first_sampling(
    models: dict[str, object], abstract: str
) -> None:
    stock = _complete(models["stock"], abstract)
    fast = _complete(models["grammar_last"], abstract)
    assert fast == stock


def test_output_with_dry_still_follows_the_schema(models: dict[str, object], abstract: str) -> None:
    data = json.loads(_complete(models["dry"], abstract, max_tokens=400))
    assert set(data) == {"summary", "strengths", "overall"}
    assert len(data["summary"]) >= 40
    assert 2 <= len(data["strengths"]) <= 3
    assert all(len(s) >= 12 for s in data["strengths"])
    assert data["overall"] in range(1, 11)


def test_dry_copies_less_of_the_abstract(models: dict[str, object], abstract: str) -> None:
    plain = _complete(models["grammar_last"], abstract, max_tokens=400)
    dry = _complete(models["dry"], abstract, max_tokens=400)
    assert _copied_ngrams(dry, abstract) < _copied_ngrams(plain, abstract)
