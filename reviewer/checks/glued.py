"""Glued words: two words run together ("accuracyof", "singleGPU"), and the word list.

The embedded model's anti-copy penalty (DRY) forbids the next token of a phrase of the paper;
the model then often takes the same word without its leading space, and two words run
together. One rule finds them for the eval's glued-word rate (``reviewer.eval.textquality``,
frozen as part of its version) and for the repair of the embedded model's reviews
(``reviewer.checks.words``), so that what is counted is what is repaired.

The word list is wordfreq's English "large" list (data inside the package, read offline) plus
the field's own list (``evals/technical_words.txt``, shipped in the wheel).
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewer.resources import builtin

KNOWN_ZIPF = 1.0
"""A word is known when wordfreq's large English list has it (its floor is Zipf 1.0), or when
the field's own list has it (:data:`WORDS_PATH`)."""
PART_ZIPF = 2.0
"""Both halves of a glued word must be common words (Zipf >= 2: about once per 10 million
words, as "chatbot" is), so that a rare legitimate compound is not split into rare pieces."""
CAMEL_TAIL_ZIPF = 3.0
"""The capitalised tail of a camelCase glued word is an everyday word or acronym ("GPU": 3.2),
not a model's name ("MPNN", "SPARC": below)."""
WORDS_PATH = builtin("evals") / "technical_words.txt"
"""The field's vocabulary that wordfreq lacks ("pretrained", "tokenizer"): words of at least
three train titles and abstracts, built by ``evals/fit/technical_words.py``."""
MIN_GLUED = 5
"""Shorter tokens are left alone (``ofa``, ``isan``: too many abbreviations and names)."""
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
LETTERS = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of a lower-case English word (0 when unknown)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en", wordlist="large"))


@lru_cache(maxsize=1)
def technical_words() -> frozenset[str]:
    """The frozen list of the field's words (empty when the file is absent)."""
    try:
        lines = WORDS_PATH.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(w for w in lines if w and not w.startswith("#"))


def known(word: str) -> bool:
    """A lower-case word of wordfreq's list or of the field's list."""
    return zipf(word) >= KNOWN_ZIPF or word in technical_words()


@lru_cache(maxsize=16)
def source_words(source: str) -> frozenset[str]:
    """The lower-case words of ``source`` (the paper text): never glued, never misspelt."""
    return frozenset(re.findall(r"[a-z]+", source.lower()))


def glued_words(text: str, source: str = "") -> list[str]:
    """Tokens of ``text`` that are two words run together ("singleGPU", "accuracyof").

    Left alone: known words, words of ``source`` (the paper's own names), words starting with
    a capital (ImageNet, LoRA, BERT, Codeforces), and tokens under ``MIN_GLUED`` letters. A
    lower-case token is glued when it is no known word but splits into two common ones, one a
    function word ("andchatbot") or both of ``MIN_CONTENT_PART`` letters ("chatbotperformance"),
    the left one no prefix ("overfits"); a camelCase one when its lower-case head is a common
    word and its tail a common word too ("singleGPU"; mBERT, iPhone, proteinMPNN: not), or its
    head a function word ("toChatGPT").
    """
    known_here = source_words(source)
    found = []
    for raw in text.split():
        for part in re.split(r"[^A-Za-z]+", raw):
            if len(part) >= MIN_GLUED and glued(part, known_here):
                found.append(part)
    return found


FUNCTION_WORDS = frozenset(
    (
        "a", "an", "the", "of", "to", "and", "or", "in", "on", "for", "with", "by", "from", "as",
        "at", "is", "are", "was", "be", "this", "that", "its", "their", "which", "it", "than",
        "can", "not",
    )
)  # fmt: skip
"""Short words that typos most often run into a neighbour ("accuracyof", "tohuman")."""
PREFIXES = frozenset(
    (
        "over", "under", "up", "out", "down", "off", "all", "re", "de", "un", "bi", "co", "pre",
        "sub", "super", "multi", "micro", "macro", "auto", "hyper", "inter", "intra", "non",
        "self", "semi", "max", "min", "cross", "counter", "mis", "anti", "post", "mid", "meta",
    )
)  # fmt: skip
"""Left parts that make ordinary compounds ("overfits", "upsampled", "allreduce"), never a
glued word on their own."""
MIN_CONTENT_PART = 6
"""Two content words (no function word) count as glued only when both have at least this many
letters: "chatbotperformance" does, "hardcoding" and "crowdworker" stay compounds."""


RARE_ZIPF = 1.5
"""A word of the list this rare that is a function word and an everyday word run together is a
typo the web repeats ("theart", "ableto", "forexample"), not a word."""
EVERYDAY_ZIPF = 3.5


def _rare_cut(lower: str) -> int | None:
    """Where a rare listed word splits into a function word and an everyday word (not after
    "in": "inpainting", "indel" are words), else ``None``."""
    if zipf(lower) >= RARE_ZIPF or lower in technical_words():
        return None
    for i in range(2, len(lower) - 1):
        left, right = lower[:i], lower[i:]
        if (
            left in FUNCTION_WORDS
            and left != "in"
            and len(right) >= 3
            and zipf(right) >= EVERYDAY_ZIPF
        ) or (right in FUNCTION_WORDS and len(left) >= 3 and zipf(left) >= EVERYDAY_ZIPF):
            return i
    return None


def glued(part: str, known_here: frozenset[str]) -> bool:
    lower = part.lower()
    if part[0].isupper() or lower in known_here:
        return False  # names (Codeforces, ImageNet, LoRA), the paper's words
    if known(lower):  # a known word, unless a rare run-together one ("theart")
        return part.islower() and _rare_cut(lower) is not None
    pieces = CAMEL.split(part)
    if len(pieces) > 1:  # singleGPU; mBERT and iPhone have a one-letter head
        head, rest = pieces[0], part[len(pieces[0]) :]
        if head in FUNCTION_WORDS and len(head) >= 2:
            return True  # "toChatGPT", "andGPT": a name run into the word before it
        return len(head) >= 2 and common(head) and zipf(rest.lower()) >= CAMEL_TAIL_ZIPF
    if any(c.isupper() for c in part[1:]):
        return False
    return any(_glued_split(lower[:i], lower[i:]) for i in range(1, len(lower)))


def common(word: str) -> bool:
    return zipf(word) >= PART_ZIPF or word in technical_words()


def _glued_split(left: str, right: str) -> bool:
    """Whether ``left`` + ``right`` reads as two words run together."""
    if left in PREFIXES or not (common(left) and common(right)):
        return False
    if left in FUNCTION_WORDS or (right in FUNCTION_WORDS and len(right) > 1):
        return max(len(left), len(right)) >= 4  # "tohuman", "accuracyof"; not "sarsa"
    return min(len(left), len(right)) >= MIN_CONTENT_PART


INFLECTIONS = (
    ("bly", "ble"), ("ily", "y"), ("ly", ""), ("ness", ""), ("ies", "y"), ("es", ""),
    ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("er", ""), ("est", ""),
)  # fmt: skip
"""Endings swapped to find a known word behind a rare form of it: the repair leaves
"infeasibly" whole ("infeasible" is known), where the frozen count calls it "in feasibly"."""


def inflected_known(lower: str) -> bool:
    return any(
        lower.endswith(end) and len(lower) - len(end) >= 4 and known(lower[: -len(end)] + sub)
        for end, sub in INFLECTIONS
    )


def split_glued(part: str, known_here: frozenset[str]) -> str | None:
    """``part`` as two words ("accuracy of", "single GPU") when it is glued, else ``None``.

    Of the splits the rule accepts, the one whose rarer half is most common is taken
    ("tohuman": "to human", not "toh uman")."""
    if len(part) < MIN_GLUED or not glued(part, known_here) or inflected_known(part.lower()):
        return None
    pieces = CAMEL.split(part)
    if len(pieces) > 1:
        return f"{pieces[0]} {part[len(pieces[0]) :]}"
    lower = part.lower()
    rare = _rare_cut(lower) if known(lower) else None
    if rare is not None:
        return f"{part[:rare]} {part[rare:]}"
    cuts = [i for i in range(1, len(lower)) if _glued_split(lower[:i], lower[i:])]
    best = max(
        cuts, key=lambda i: (min(zipf(lower[:i]), zipf(lower[i:])), -abs(len(lower) / 2 - i))
    )
    return f"{part[:best]} {part[best:]}"
