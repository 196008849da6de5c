"""The paper's own entities that fill a flaw template: method, dataset, metric, numbers.

Found with a few patterns on the title and abstract, so a planted sentence names what the
paper names. Each entity says whether it was found or is a neutral fallback ("our method",
"the main benchmark"), so the key records how fluent a twin is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GENERIC = {
    "a",
    "an",
    "the",
    "we",
    "our",
    "in",
    "on",
    "this",
    "these",
    "it",
    "its",
    "to",
    "for",
    "and",
    "llm",
    "llms",
    "gpu",
    "gpus",
    "tpu",
    "cpu",
    "ai",
    "nlp",
    "api",
    "sota",
    "i",
    "ii",
    "iii",
    "however",
    "moreover",
    "finally",
    "first",
    "second",
    "both",
    "all",
    "each",
    "code",
    "english",
    "transformer",
    "transformers",
    "github",
    "http",
    "https",
    "table",
    "figure",
}
_COINED = r"[A-Z][A-Za-z0-9]*(?:[A-Z0-9][A-Za-z0-9]*|[-.][A-Za-z0-9]+)+|[A-Z]{2,}[a-z]*"
_INTRO = re.compile(
    r"\b(?:we|We)\s+(?:present|propose|introduce|develop|release|build|design|call|name|term)"
    r"(?:\s+[a-z][a-z-]*){0,5}?\s+(?:,\s*)?(" + _COINED + r")"
)
_CALLED = re.compile(r"\b(?:called|named|dubbed|termed|coined)\s+(" + _COINED + r")")
_DATASET_BEFORE = re.compile(
    r"\b(?:on|across|using|with)\s+(?:the\s+)?((?:[A-Z][\w.+-]*|[0-9]+[A-Za-z][\w-]*)"
    r"(?:\s+[A-Z][\w.+-]*){0,2})"
)
_DATASET_AFTER = re.compile(
    r"((?:[A-Z][\w.+-]*\s+){0,2}[A-Z][\w.+-]*)\s+(?:benchmark|dataset|corpus|suite|leaderboard)"
)
_MODEL = re.compile(
    r"\d+(?:\.\d+)?[BMK]\b|GPT|LLaMA|Llama|Qwen|Mistral|OLMo|BERT|PaLM|Vicuna|Claude|Gemini|"
    r"GLM|OPT\b|T5\b|DPO|RLHF|LoRA|[Gg]enerated|Hugging|Chain-of|Key-Value|-[a-z]+ed\b|^[A-Z]{1,3}$"
)
_METRICS = (
    ("exact match", "exact match"),
    ("accuracy", "accuracy"),
    ("f1", "F1"),
    ("success rate", "success rate"),
    ("win rate", "win rate"),
    ("pass@1", "pass@1"),
    ("recall", "recall"),
    ("precision", "precision"),
    ("auc", "AUC"),
)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")


@dataclass(frozen=True)
class Entity:
    """A phrase to put in a template, and whether the paper itself supplied it."""

    text: str
    found: bool

    @property
    def cap(self) -> str:
        """The phrase at the start of a sentence (a name keeps its own case: mGPT)."""
        return self.text if self.found else self.text[:1].upper() + self.text[1:]


@dataclass(frozen=True)
class Entities:
    method: Entity
    dataset: Entity
    metric: Entity
    percents: tuple[float, ...]

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "method": self.method.text,
            "method_found": self.method.found,
            "dataset": self.dataset.text,
            "dataset_found": self.dataset.found,
            "metric": self.metric.text,
            "metric_found": self.metric.found,
        }


def _plausible(name: str, exclude: str = "") -> bool:
    words = name.split()
    return (
        bool(words)
        and name.lower() not in _GENERIC
        and words[0].lower() not in _GENERIC
        and name != exclude
        and not name.startswith("http")
        and len(name) >= 2
    )


def _coined(name: str) -> bool:
    """A made-up name: some word has two capitals or a capital and a digit (QLoRA, GPT-4)."""
    return any(
        len(re.findall(r"[A-Z0-9]", w)) >= 2 and re.search(r"[A-Z]", w) for w in name.split()
    )


def _method(title: str, abstract: str) -> Entity:
    head, sep, _ = title.partition(":")
    head = head.strip()
    words = head.split()
    named = len(words) == 1 and head[:1].isupper() or len(words) <= 3 and _coined(head)
    if sep and named and _plausible(head):
        return Entity(head, True)
    for pattern in (_INTRO, _CALLED):
        match = pattern.search(abstract)
        if match and _plausible(match.group(1)):
            return Entity(match.group(1).rstrip("."), True)
    names = [m.rstrip(".") for m in re.findall(_COINED, abstract)]
    counts = {
        n: names.count(n)
        for n in names
        if _plausible(n) and _coined(n) and len(n) >= 4 and not re.search(r"[A-Z]s$|ated$", n)
    }
    if counts and max(counts.values()) >= 2:
        return Entity(max(counts, key=lambda n: (counts[n], -names.index(n))), True)
    return Entity("our method", False)


def _benchmark_like(name: str, method: str) -> bool:
    """A benchmark's name (GLUE, Science QA, WikiText-2), not a model's (Qwen3-8B, GPT-4)."""
    return (
        _plausible(name, method)
        and method not in name
        and _coined(name)
        and not _MODEL.search(name)
        and not re.fullmatch(r"[\d.]+[xKkMB%]?", name)
    )


def _dataset(abstract: str, method: str) -> Entity:
    candidates: list[tuple[int, str]] = []
    for pattern in (_DATASET_AFTER, _DATASET_BEFORE):
        for match in pattern.finditer(abstract):
            name = match.group(1).strip().rstrip(".,;")
            name = re.split(r"[.;,]\s", name)[0]
            if _benchmark_like(name, method):
                candidates.append((match.start(1), name))
    if candidates:
        return Entity(min(candidates)[1], True)
    return Entity("the main benchmark", False)


def _metric(abstract: str) -> Entity:
    low = abstract.lower()
    hits = [
        (low.find(key), name) for key, name in _METRICS if re.search(rf"\b{re.escape(key)}", low)
    ]
    if hits:
        return Entity(min(hits)[1], True)
    return Entity("accuracy", False)


def find_entities(title: str, abstract: str) -> Entities:
    """The method, dataset, metric and percentages a paper's title and abstract name."""
    method = _method(title, abstract)
    return Entities(
        method=method,
        dataset=_dataset(abstract, method.text),
        metric=_metric(abstract),
        percents=tuple(float(m.group(1)) for m in _PERCENT.finditer(abstract)),
    )
