"""Text quality of a review, measured against the text its model was shown.

Nine figures, each a ratio of counts so that runs of any size compare (pooled over papers,
with the harness's bootstrap): glued words, damaged words (glued, misspelled, with broken
capitals or capitalised inside a copied phrase: :func:`reviewer.checks.words.damaged_words`),
numbers
and names absent from the paper text, claims of released code or data the paper text never
mentions (:mod:`reviewer.checks.release`), word 5-grams copied from the paper text, 5-grams
repeated
across a review's sections, non-comments (:mod:`reviewer.checks.textcheck`) and words per paragraph.
The rules are frozen and versioned with :data:`TEXT_QUALITY_VERSION` like the comment matcher;
``evals/README.md`` documents each.

The word list is wordfreq's English "large" list (shipped inside the package, read offline).
``score_run(path, papers)`` scores a run directory; ``measure(review, source)`` one review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from reviewer.checks.glued import glued_words  # shared with the embedded model's repair
from reviewer.checks.release import RELEASE_RULE, release_claims, states_release
from reviewer.checks.textcheck import NON_COMMENT_VERSION, non_comment, review_units
from reviewer.checks.words import damaged_words
from reviewer.review import SCORE_KEYS

TEXT_QUALITY_VERSION = "textquality-v6"
"""Changes whenever a rule or constant below (or the non-comment rule) changes."""

NGRAM = 5
GENERIC_ACRONYMS = frozenset(
    (
        "AI", "ML", "NLP", "CV", "RL", "LLM", "LM", "VLM", "MLLM", "GPU", "TPU", "CPU", "API",
        "SOTA", "SGD", "MSE", "MAE", "RMSE", "ROC", "AUC", "PCA", "SVM", "CNN", "RNN", "LSTM",
        "GRU", "GNN", "GAN", "VAE", "MLP", "KL", "IID", "OOD", "QA", "NER", "POS", "URL", "PDF",
        "URLS", "FLOP", "FLOPS", "TFLOPS", "IO", "UI", "UX", "USA", "UK", "EU", "NLU", "NLG",
        "ASR", "TTS", "OCR", "RAG", "FID", "BLEU", "ROUGE", "CUDA", "RAM", "SQL", "JSON", "HTML",
        "PhD", "AGI", "HCI", "MDP", "MCTS", "DNN", "DL", "AR", "TL", "DR", "L1", "L2", "F1",
    )
)  # fmt: skip
"""Acronyms of the field itself: naming one says nothing about the paper, so it is not a name
to check. Plurals (``LLMs``, ``GPUs``) are read as their singular."""
METRICS = (
    "glued_word_rate",
    "damaged_word_rate",
    "unsupported_number_rate",
    "unsupported_name_rate",
    "unsupported_release_rate",
    "copy_rate",
    "redundancy",
    "non_comment_rate",
    "words_per_paragraph",
)

_WORD = re.compile(r"\S*[A-Za-z]\S*")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-./]*[A-Za-z0-9%]|[A-Za-z0-9]")
_NUMBER = re.compile(r"^[~≈<>±]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%|x|×|[kKMB])?$")
_SOURCE_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ENUMERATION = re.compile(r"(?:^|\s)\(?\d{1,2}[.)](?=\s)")
_NAME = re.compile(
    r"^(?=.*[A-Za-z])(?:[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*|[a-z]+[A-Z][A-Za-z0-9]*"
    r"|[A-Za-z]+\d[A-Za-z0-9]*)(?:-[A-Za-z0-9]+)*$"
)
_ALNUM = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _number_value(token: str) -> str | None:
    """The number a token states ("1,000" -> "1000", "3.50%" -> "3.5"), else None."""
    match = _NUMBER.match(token.rstrip(".,;:)").lstrip("("))
    if not match:
        return None
    whole = match.group(1).replace(",", "")
    frac = (match.group(2) or "").rstrip("0").rstrip(".")
    return whole + frac


def source_numbers(source: str) -> set[str]:
    """Every number written in the paper text, normalised as :func:`_number_value` does."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", source)
    out = set()
    for match in _SOURCE_NUMBER.finditer(text):
        whole, _, frac = match.group(0).partition(".")
        frac = frac.rstrip("0")
        out.add(whole + (f".{frac}" if frac else ""))
    return out


def numbers(text: str) -> list[str]:
    """Numbers stated in ``text``: standalone numeric tokens, list enumerators "(1)" aside."""
    text = _ENUMERATION.sub(" ", text)
    return [v for v in (_number_value(t) for t in text.split()) if v is not None]


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def names(text: str) -> list[str]:
    """Method, dataset and model names: capitals inside a word (BERT, ImageNet, LoRA), or
    letters with digits (GPT-4, T5); field acronyms (:data:`GENERIC_ACRONYMS`) aside."""
    out = []
    for raw in text.split():
        token = raw.strip(".,;:!?()[]{}\"'’“”")
        token = re.sub(r"(?:'s|’s)$", "", token)
        token = re.sub(r"(?:-[a-z]+)+$", "", token)  # RL-driven, GPT-4-based: the name part
        if not _NAME.match(token) or _number_value(token) is not None:
            continue
        if token in GENERIC_ACRONYMS or (token.endswith("s") and token[:-1] in GENERIC_ACRONYMS):
            continue
        out.append(token)
    return out


def name_supported(name: str, source: str, squashed_source: str, initials: set[str]) -> bool:
    """In the paper text (case, hyphens and spaces ignored), or an acronym of its words."""
    squashed = _squash(name)
    bare = squashed[:-1] if name.endswith("s") and len(squashed) > 2 else squashed
    if squashed in squashed_source or bare in squashed_source:
        return True
    return name.isupper() and bare in initials


def _initials(source: str, longest: int = 8) -> set[str]:
    """Initials of every run of 2-8 consecutive words of ``source`` (hyphens split words)."""
    words = re.findall(r"[a-z0-9]+", source.lower())
    firsts = [w[0] for w in words]
    return {
        "".join(firsts[i : i + n])
        for n in range(2, longest + 1)
        for i in range(len(firsts) - n + 1)
    }


def ngrams(tokens: Sequence[str], n: int = NGRAM) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


@dataclass
class Counts:
    """Numerators and denominators of the nine figures for one review (they add up)."""

    words: int = 0
    glued: int = 0
    damaged: int = 0
    numbers: int = 0
    unsupported_numbers: int = 0
    names: int = 0
    unsupported_names: int = 0
    release_claims: int = 0
    unsupported_releases: int = 0
    ngrams: int = 0
    copied: int = 0
    repeated: int = 0
    units: int = 0
    non_comments: int = 0
    paragraphs: int = 0
    paragraph_words: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def ratios(self) -> dict[str, float | None]:
        """The nine figures of this review (None when the denominator is 0)."""
        return {k: (n / d if d else None) for k, (n, d) in self.pairs().items()}

    def pairs(self) -> dict[str, tuple[int, int]]:
        """(numerator, denominator) of each figure, in :data:`METRICS` order."""
        return {
            "glued_word_rate": (self.glued, self.words),
            "damaged_word_rate": (self.damaged, self.words),
            "unsupported_number_rate": (self.unsupported_numbers, self.numbers),
            "unsupported_name_rate": (self.unsupported_names, self.names),
            "unsupported_release_rate": (self.unsupported_releases, self.release_claims),
            "copy_rate": (self.copied, self.ngrams),
            "redundancy": (self.repeated, self.ngrams),
            "non_comment_rate": (self.non_comments, self.units),
            "words_per_paragraph": (self.paragraph_words, self.paragraphs),
        }

    def __add__(self, other: Counts) -> Counts:
        total = Counts()
        for f in fields(Counts):
            if f.name != "examples":
                setattr(total, f.name, getattr(self, f.name) + getattr(other, f.name))
        return total


def text_fields(review: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field -> its texts (a paragraph, or a list's items); scores and the decision aside."""
    out: dict[str, list[str]] = {}
    for key, value in review.items():
        if key in SCORE_KEYS:
            continue
        texts = [u for k, u in review_units({key: value})] if isinstance(value, list) else []
        if isinstance(value, str) and value.strip():
            texts = [value.strip()]
        if texts:
            out[key] = texts
    return out


def measure(review: Mapping[str, Any], source: str) -> Counts:
    """The counts of one review dict (any form) against ``source``, the text its model was
    shown (title, keywords, abstract, full text)."""
    counts = Counts()
    by_field = text_fields(review)
    source_tokens = _ALNUM.findall(source.lower())
    source_grams = set(ngrams(source_tokens))
    known_numbers = source_numbers(source)
    squashed = _squash(source)
    initials = _initials(source)
    stated = states_release(source)
    gram_fields: dict[tuple[str, ...], set[str]] = {}
    examples: dict[str, list[str]] = {}
    for key, texts in by_field.items():
        for text in texts:
            counts.words += len(_WORD.findall(text))
            glued = glued_words(text, source)
            counts.glued += len(glued)
            damaged = damaged_words(text, source)
            counts.damaged += len(damaged)
            found = numbers(text)
            missing = [n for n in found if n not in known_numbers]
            counts.numbers += len(found)
            counts.unsupported_numbers += len(missing)
            named = names(text)
            invented = [n for n in named if not name_supported(n, source, squashed, initials)]
            counts.names += len(named)
            counts.unsupported_names += len(invented)
            claims = release_claims(text)
            counts.release_claims += len(claims)
            counts.unsupported_releases += 0 if stated else len(claims)
            grams = ngrams(_ALNUM.findall(text.lower()))
            counts.ngrams += len(grams)
            counts.copied += sum(g in source_grams for g in grams)
            for g in grams:
                gram_fields.setdefault(g, set()).add(key)
            for name, items in (
                ("glued", glued),
                ("damaged", damaged),
                ("numbers", missing),
                ("names", invented),
                ("releases", [] if stated else claims),
            ):
                examples.setdefault(name, []).extend(items)
        if isinstance(review.get(key), str):
            counts.paragraphs += 1
            counts.paragraph_words += sum(len(_WORD.findall(t)) for t in texts)
    for texts in by_field.values():
        for text in texts:
            for g in ngrams(_ALNUM.findall(text.lower())):
                counts.repeated += len(gram_fields[g]) > 1
    for _key, unit in review_units({k: review[k] for k in by_field}):
        counts.units += 1
        if non_comment(unit):
            counts.non_comments += 1
            examples.setdefault("non_comments", []).append(unit)
    counts.examples = {k: v for k, v in examples.items() if v}
    return counts


def paper_source(
    title: str = "", abstract: str = "", keywords: Iterable[str] = (), full_text: str = ""
) -> str:
    """The paper text a prompt shows (``prompts/*/user.j2``): title, keywords, abstract and,
    with ``--full-text``, the body."""
    return "\n".join(p for p in (title, ", ".join(keywords), abstract, full_text) if p)


def summarize(per_review: Sequence[Counts]) -> dict[str, Any]:
    """Pooled figures of many reviews: sum of numerators over sum of denominators."""
    total = sum(per_review, Counts())
    return {
        "version": TEXT_QUALITY_VERSION,
        "non_comment_rule": NON_COMMENT_VERSION,
        "release_rule": RELEASE_RULE,
        "n_reviews": len(per_review),
        **{k: (round(n / d, 5) if d else None) for k, (n, d) in total.pairs().items()},
        "counts": {k: [n, d] for k, (n, d) in total.pairs().items()},
    }


def score_run(
    run: str | Path, papers: str | Path | Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Text quality of every review of a run directory (or its ``reviews.jsonl``).

    ``papers`` gives the text each model was shown: a mapping paper id -> text, an input file
    the run was made from (any format ``reviewer batch`` reads), or a reference-data name or
    path (``neurips_2023_2025``, ``seed_001_sections``); None reads the references of the
    default data folder. Reviews of papers without a text are skipped (``n_skipped``).
    """
    from reviewer.eval.predictions import review_records

    sources = papers if isinstance(papers, Mapping) else load_sources(papers)
    counts: list[Counts] = []
    skipped, examples = 0, {}
    for record in review_records(Path(run)):
        source = sources.get(str(record["paper_id"]))
        if source is None:
            skipped += 1
            continue
        got = measure(record["review"], source)
        counts.append(got)
        for k, v in got.examples.items():
            examples.setdefault(k, []).extend(v[:3])
    return {**summarize(counts), "n_skipped": skipped, "examples": examples}


def load_sources(papers: str | Path | None) -> dict[str, str]:
    """Paper id -> the text its prompt showed, from an input file or reference data."""
    from reviewer.references import load_references

    path = Path(papers) if papers is not None else None
    if path is not None and path.is_file() and not _is_reference_file(path):
        from reviewer.inputs.paper import Paper
        from reviewer.inputs.sources import read_inputs

        out = {}
        for item in read_inputs(path):
            if isinstance(item, Paper):
                out[item.id] = paper_source(
                    item.title, item.abstract, item.keywords,
                    str(item.metadata.get("full_text") or ""),
                )  # fmt: skip
        return out
    return {
        r.paper_id: paper_source(r.title, r.abstract, r.keywords) for r in load_references(papers)
    }


def _is_reference_file(path: Path) -> bool:
    """A JSONL of reference records (``reviews`` or a ``review`` object) rather than papers."""
    from reviewer.references import reference_files

    try:
        with reference_files(path)[0].open(encoding="utf-8") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return '"reviews"' in first or '"review"' in first


def bootstrap_group(per_paper: Sequence[Counts], boot: Any) -> dict[str, Any]:
    """The ``text_quality`` group of metrics.json: each figure pooled over papers (sum of
    numerators over sum of denominators) with the harness's paired bootstrap interval."""
    import numpy as np

    if not per_paper:
        return {name: {"value": None, "ci_low": None, "ci_high": None, "n_papers": 0}
                for name in METRICS}  # fmt: skip
    pairs = np.array([[c.pairs()[m] for m in METRICS] for c in per_paper], dtype=float)

    def stat(idx: np.ndarray) -> dict[str, float]:
        sums = pairs[idx].sum(axis=0)
        return {m: (sums[k, 0] / sums[k, 1] if sums[k, 1] else float("nan"))
                for k, m in enumerate(METRICS)}  # fmt: skip

    out = {m: e.to_dict() for m, e in boot.run(stat, len(per_paper)).items()}
    for k, m in enumerate(METRICS):
        out[m]["n_papers"] = int(np.sum(pairs[:, k, 1] > 0))
    return out
