"""Invariants of the word repair over generated text (hypothesis): it is idempotent, and it
never changes a word the paper itself writes."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

words = pytest.importorskip("reviewer.checks.words")
if not words.available():
    pytest.skip("the word repair needs wordfreq and rapidfuzz", allow_module_level=True)

PAPER = (
    "Title: QLoRA: Efficient Finetuning of Quantized LLMs\n\nAbstract: We present QLoRA, an "
    "efficient finetuning approach that reduces memory usage enough to finetune a 65B parameter "
    "model on a single 48GB GPU while preserving full 16-bit finetuning task performance. QLoRA "
    "backpropagates gradients through a frozen, 4-bit quantized pretrained language model into "
    "Low Rank Adapters (LoRA). We use 4-bit NormalFloat (NF4), double quantization and paged "
    "optimziers, and release MMLU results on the Vicuna benchmark with GPT-4 evaluations."
)
PAPER_WORDS = sorted(set(re.findall(r"[A-Za-z][A-Za-z0-9\-]*", PAPER)))
DAMAGED = ["finetuningapproach", "QLora", "memoryusage", "optimzers", "singleGPU", "benchamark"]
token = st.sampled_from(PAPER_WORDS + DAMAGED + ["the", "and", "of", "a", "model", "results"])
texts = st.lists(token, min_size=1, max_size=25).map(lambda ws: " ".join(ws) + ".")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(texts)
def test_the_repair_is_idempotent(text: str) -> None:
    once, _ = words.repair_text(text, PAPER)
    twice, fixes = words.repair_text(once, PAPER)
    assert twice == once and not fixes


@SETTINGS
@given(st.lists(st.sampled_from(PAPER_WORDS), min_size=1, max_size=25))
def test_a_text_of_the_papers_own_words_is_left_as_it_is(tokens: list[str]) -> None:
    text = " ".join(tokens) + "."
    repaired, fixes = words.repair_text(text, PAPER)
    assert repaired == text and not fixes
