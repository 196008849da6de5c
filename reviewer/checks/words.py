"""The word repair: damaged words of the embedded model's reviews, mended where it is sure.

The finders (``reviewer.checks.glued`` for words run together, ``reviewer.checks.mend`` for
misspellings, broken capitals and runs of another script) are shared with the eval's frozen
text-quality measure, so that what is counted is what is repaired; :func:`repair_text` applies
a repair only when :func:`_sure` finds nothing that could make it wrong, so some of what the
measure counts stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.util import find_spec
from typing import Any

from reviewer.checks.glued import (
    KNOWN_ZIPF,
    LETTERS,
    MIN_GLUED,
    PART_ZIPF,
    common,
    glued,
    glued_words,
    known,
    split_glued,
    zipf,
)
from reviewer.checks.mend import (
    VOCABULARY_SIZE,
    PaperWords,
    foreign_runs,
    mend,
    one_edit_known,
    paper_words,
    replace_foreign,
)

__all__ = [
    "KNOWN_ZIPF",
    "PART_ZIPF",
    "VOCABULARY_SIZE",
    "available",
    "damaged_words",
    "foreign_runs",
    "glued_words",
    "repair_text",
    "repair_value",
    "unescape_value",
]

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SNAKE = re.compile(r"\b[A-Za-z]{2,}(?:_[A-Za-z]{2,})+\b")
"""Words joined by underscores ("memory_usage"): the same penalty's other way round a phrase."""

COMPOUND_HEADS = frozenset(
    ("double", "single", "half", "self", "well", "high", "low", "long", "short", "cross", "semi")
)
"""Words that open compounds people write closed, hyphenated or open alike."""
SURE_MIN_LETTERS = 6
"""A misspelling of fewer letters has many one-edit neighbours ("sarsa": "sara", "boldk":
"bold"): only two swapped letters ("simga") are mended."""
COMMON_HALF_ZIPF = 4.5
"""Both halves of a token this common ("heldout": "held", "out"): a compound its writer meant,
not a misspelling of another word ("holdout")."""


def _sure(token: str, result: str, paper: PaperWords, text: str, start: int) -> bool:
    """Whether the repair of ``token`` into ``result`` (at ``start`` of ``text``) cannot be
    wrong as far as the text shows. Never a token the paper writes. Not sure, so left as
    written (each found in human reviews by benchmarks/check_edits.py):

    - part of a longer word, identifier or command: a letter of another script, a digit or a
      backslash beside it ("Böhning", "anythingv1", "\\muP"; a name's capitals the paper
      writes are still taken: "Resnet18");
    - capitals lowered into an unknown word ("muP" -> "mup"), or from one spelling of a name
      into another ("LLaMA" where the paper writes "LlaMA");
    - a capitalised word of a title-cased phrase lowered or hyphenated ("Self-supervised
      Learning Models", "Active Geolocalization");
    - a misspelling of fewer than ``SURE_MIN_LETTERS`` letters mended other than by swapping
      two letters ("sarsa", "boldk"), one with two near common words ("ambigious":
      "ambitious", "ambiguous"), or one made of two common words ("heldout")."""
    if token in paper.forms.get(token.lower(), ()):
        return False  # the paper writes it so ("Finetuning" in its title)
    end = start + len(token)
    beside = text[start - 1 : start] + text[end : end + 1]
    recased = result.lower() == token.lower()
    paper_form = result in paper.forms.get(result.lower(), ())
    if any(c.isalpha() and not c.isascii() for c in beside) or beside[:1] == "\\":
        return False  # part of "Böhning", or a LaTeX command ("\\muP")
    if any(c.isdigit() for c in beside) and not (recased and paper_form):
        return False
    if recased:
        lowered = sum(a.isupper() and b.islower() for a, b in zip(token, result, strict=True))
        if lowered and not paper_form and not (result.islower() and known(result)):
            return False
        if lowered == 1 and sum(c.isupper() for c in token) >= 2 and not result.islower():
            return False  # "LLaMA" -> "LlaMA"; not "AlignBENCH" -> "AlignBench"
    hyphened = result.replace("-", "") == token
    if token.istitle() and (result == token.lower() or hyphened) and _in_title(text, start, end):
        return False
    if token.islower() and re.split("[ -]", result)[0] in COMPOUND_HEADS and result != token:
        return False  # "doublestruck", "crosslingual": compounds as some write them
    if token.istitle() and result == token.lower():
        # a capital lowered inside a phrase of the paper: the word before it must be the
        # paper's too ("memory and Paging techniques"; not "dependence on Eluder dimension")
        previous = re.search(r"([A-Za-z]+)[ ]+$", text[:start])
        phrase = f"{previous.group(1).lower()} {result}" if previous else ""
        if not phrase or not re.search(rf"\b{re.escape(phrase)}\b", paper.text):
            return False
    if recased or " " in result or "-" in result:
        return True
    lower = token.lower()
    if len(lower) < SURE_MIN_LETTERS and sorted(lower) != sorted(result.lower()):
        return False
    word = result.lower()
    if {word, word + "s", word.removesuffix("s")} & paper.forms.keys():
        return True  # the paper's word ("dateset": the paper writes "datasets")
    if any(
        min(zipf(lower[:i]), zipf(lower[i:])) >= COMMON_HALF_ZIPF for i in range(2, len(lower) - 1)
    ):
        return False
    # from the word list: only when it is the one near common word
    return len([w for w in one_edit_known(lower) if zipf(w) >= zipf(word) - 1]) <= 1


def _in_title(text: str, start: int, end: int) -> bool:
    """The word at ``start:end`` has a capitalised word beside it inside a sentence."""
    previous = re.search(r"([A-Za-z][\w-]*)[ ]+$", text[:start])
    if previous and previous.group(1)[0].isupper():
        opening = text[: previous.start()].rstrip()
        if opening and opening[-1] not in ".!?:;\n":
            return True
    # the next word, past up to two short ones: "Self-attention as a Gradient Descent Step"
    following = re.match(r"[\w-]*(?:[ ]+(?:a|an|the|as|of|for|and|in|on|to|with)\b){0,2}"
                         r"[ ]+([A-Za-z])", text[end:])  # fmt: skip
    return bool(following and following.group(1).isupper())


def _transposed(token: str, split: str) -> str | None:
    """The known word ``token`` is with two neighbouring letters swapped back, when that word
    is at least as common as the rarer half of ``split`` ("unifrom": "uniform", not "uni
    from"); else None."""
    if not token.islower():
        return None
    rarer = min(zipf(part.lower()) for part in split.split())
    swapped = {token[:i] + token[i + 1] + token[i] + token[i + 2 :] for i in range(len(token) - 1)}
    found = [w for w in swapped - {token} if known(w) and zipf(w) >= rarer]
    return max(found, key=zipf) if found else None


def repair_text(text: str, source: str = "") -> tuple[str, list[str]]:
    """``text`` with every glued word split and damaged word mended, and the repairs as
    ``"accuracyof -> accuracy of"``.

    The finders are the frozen measure's (:func:`damaged_words`); a repair also needs to be
    sure of its replacement (:func:`_sure`), so some of what the measure counts is left as
    written."""
    paper = paper_words(source)
    known_here = paper.known
    fixes: list[str] = []

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        split = split_glued(token, known_here)
        if split is not None:  # "unifrom": two letters swapped, not "uni from"
            split = _transposed(token, split) or split
        if split is None:
            split = mend(token, paper, match.string, match.start())
        if split is None or not _sure(token, split, paper, match.string, match.start()):
            return token
        fixes.append(f"{token} -> {split}")
        return split

    def unsnake(match: re.Match[str]) -> str:
        token = match.group(0)
        parts = token.split("_")
        if token in source:
            return token  # the paper's identifier (max_tokens)
        phrases = [
            m.group(0)
            for m in re.finditer(r"\b" + "[ -]".join(parts) + r"\b", source, re.IGNORECASE)
        ]
        if phrases:  # "Preference_correction": the paper's phrase, spelled as the paper does
            # (in the token's own capitals when the paper also writes them: "Key Space")
            same = [p for p in phrases if re.sub("[ -]", "_", p) == token]
            fixed = (same or phrases)[0] if token != token.lower() else phrases[0].lower()
        elif token.islower() and all(common(p) for p in parts):
            fixed = " ".join(parts)
        else:
            return token  # not plain words (qkv_proj), or a name the paper does not write
        fixes.append(f"{token} -> {fixed}")
        return fixed

    text = replace_foreign(text, source, fixes)
    return _SNAKE.sub(unsnake, LETTERS.sub(fix, text)), fixes


def damaged_words(text: str, source: str = "") -> list[str]:
    """Tokens of ``text`` that are damaged words: glued by the frozen rule
    (:func:`glued_words`) or mended by :func:`mend`, and runs of another script
    (:func:`foreign_runs`, textquality-v6)."""
    paper = paper_words(source)
    found = []
    for match in LETTERS.finditer(text):
        token = match.group(0)
        if (len(token) >= MIN_GLUED and glued(token, paper.known)) or mend(
            token, paper, text, match.start()
        ):
            found.append(token)
    return found + foreign_runs(text, source)


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """``value`` (a review's JSON: dicts, lists, strings, numbers) with ``fn`` applied to every
    string."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    return value


def unescape_value(value: Any) -> tuple[Any, int]:
    """``value`` with literal ``\\u2019`` escapes in its strings turned into the characters
    they name, and how many. The embedded model sometimes escapes a quote twice in its JSON, and
    the reader would see ``\\u2018quad\\u2019``. Surrogate halves are left as written."""
    count = 0

    def char(match: re.Match[str]) -> str:
        nonlocal count
        code = int(match.group(1), 16)
        if 0xD800 <= code <= 0xDFFF:
            return match.group(0)
        count += 1
        return chr(code)

    return _map_strings(value, lambda text: _ESCAPE.sub(char, text)), count


def repair_value(value: Any, source: str = "") -> tuple[Any, list[str]]:
    """``value`` (a review's JSON) with every string repaired, and the repairs."""
    fixes: list[str] = []

    def repair(text: str) -> str:
        repaired, found = repair_text(text, source)
        fixes.extend(found)
        return repaired

    return _map_strings(value, repair), fixes


def available() -> bool:
    """Whether the word list and the edit distance are installed (wordfreq and rapidfuzz: the
    ``local`` and ``eval`` extras)."""
    return find_spec("wordfreq") is not None and find_spec("rapidfuzz") is not None
