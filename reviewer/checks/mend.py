"""Damaged words and what they should read, from the paper's own words (``mend``).

The embedded model's anti-copy penalty damages words in more ways than running two together
(``reviewer.checks.glued``): a phrase of the paper run together ("valuecache" where the paper
says "value cache"), a misspelling one or two edits from a word ("perfromance", "robustess"), a
name whose capitals broke ("perplexITY", "MMLu"). And when the English continuation is
forbidden, the model sometimes takes the same word in another script: "search空间" for the
paper's "search space", "open-loop и closed-loop", "Degрадation". :func:`foreign_runs` finds
such runs (Cyrillic, CJK, Arabic, ...; never Greek, whose letters are the field's symbols) and
:func:`replace_foreign` puts back the paper's own word from the words around the run, or
removes the run when the paper offers none. These finders are part of the eval's frozen
text-quality measure; the repair (``reviewer.checks.words``) applies what they find only when
it is sure.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from reviewer.checks.glued import (
    CAMEL,
    CAMEL_TAIL_ZIPF,
    FUNCTION_WORDS,
    LETTERS,
    MIN_GLUED,
    inflected_known,
    known,
    source_words,
    technical_words,
    zipf,
)

FOREIGN_RUN = re.compile(
    "[\u0400-\u052f\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f\u1100-\u11ff\u2e80-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+"
)
"""A run of letters of a script other than Latin or Greek (Cyrillic, Hebrew, Arabic, Indic,
Thai, Hangul, CJK, full-width forms), the shapes a stray token of another language takes."""
_WORD_BEFORE = re.compile(r"([A-Za-z][\w-]*)[ ]*$")
_WORD_AFTER = re.compile(r"^[ ]*([A-Za-z][\w-]*)")


def foreign_runs(text: str, source: str = "") -> list[str]:
    """Runs of another script in ``text`` that ``source`` (the paper text) does not contain."""
    return [run for run in FOREIGN_RUN.findall(text) if run not in source]


def _paper_word(text: str, start: int, end: int, head: str, tail: str, source: str) -> str | None:
    """The paper's word that the run ``text[start:end]`` stands for, read from its context:
    inside a word ("Degрадation": the paper's word with that ``head`` and ``tail``), glued to a
    word ("search空间": the word the paper writes after "search"), or alone between two words
    ("open-loop и closed-loop": the word the paper writes between them). ``None`` unless the
    paper's text gives exactly one answer."""
    if head and tail:
        size = end - start
        pattern = rf"\b{head}[A-Za-z]{{{max(1, size - 2)},{size + 2}}}{tail}\b"
        found = {m.group(0) for m in re.finditer(pattern, source, re.I)}
        return found.pop() if len(found) == 1 else None
    before = _WORD_BEFORE.search(text[:start])
    if before is None or tail:
        return None
    pattern = rf"\b{re.escape(before.group(1))}[ -]+([A-Za-z]\w*)"
    after = _WORD_AFTER.match(text[end:])
    if after and not head:
        pattern += rf"[ -]+{re.escape(after.group(1))}\b"
    found = {m.group(1) for m in re.finditer(pattern, source, re.I)}
    return found.pop() if len(found) == 1 else None


def replace_foreign(text: str, source: str, fixes: list[str]) -> str:
    """``text`` with each foreign run (:func:`foreign_runs`) replaced by what it stands for:
    full-width punctuation by its ASCII form, a word by the paper's word (:func:`_paper_word`);
    removed when neither exists."""

    def fix(match: re.Match[str]) -> str:
        run = match.group(0)
        if run in source:
            return run
        start, end = match.span()
        head = re.search(r"[A-Za-z]*$", text[:start]).group(0)  # type: ignore[union-attr]
        tail = re.match(r"[A-Za-z]*", text[end:]).group(0)  # type: ignore[union-attr]
        plain = unicodedata.normalize("NFKC", run)
        if plain.isascii():  # "，" -> ", "
            new = (" " if head and plain[0] in "([" else "") + plain
            new += " " if tail and plain[-1] in ",;:.!?)]" else ""
        elif (word := _paper_word(text, start, end, head, tail, source)) is None:
            new = ""
        elif head and tail:  # the middle of the paper's word
            new = word[len(head) : len(word) - len(tail)]
        else:
            new = f" {word}" if head else word
        fixes.append(f"{head}{run}{tail} -> {(head + new + tail).strip() or '(removed)'}")
        return new

    fixed = FOREIGN_RUN.sub(fix, text)
    return text if fixed == text else re.sub(r"(?<=\S) {2,}(?=\S)", " ", fixed)


VOCABULARY_SIZE = 80_000
"""wordfreq's most frequent English words searched for a misspelling's correction."""
_CAPS_INSIDE = re.compile(r"[a-z]{3,}[A-Z]{2,}")
"""Two or more capitals after three lower-case letters ("perplexITY", "unstATED")."""
_BROKEN_CAPITALS = re.compile(rf"{_CAPS_INSIDE.pattern}|[a-z]{{2,}}[A-Z]$")
"""Capitals inside a lower-case word ("perplexITY", "autOREgressive"), never a name's shape
("GitHub", "ZeRO", "mBERT")."""


class PaperWords:
    """The words of the text the model was shown, as the glued-word rule and :func:`mend` look
    them up. Built once per text (:func:`paper_words`) and never changed."""

    def __init__(self, source: str) -> None:
        self.text = source.lower()
        self.known = source_words(source)
        self.forms: dict[str, Counter[str]] = {}
        for token in LETTERS.findall(source):
            self.forms.setdefault(token.lower(), Counter())[token] += 1
        self.words = sorted(w for w in self.forms if len(w) >= 4)
        self.capitalised_mid = frozenset(
            token
            for line in source.splitlines()
            if _prose(line)
            for token in _CAPITALISED_MID.findall(line)
        )  # "Transformer" in "the Transformer model": the paper's own capital, kept


_CAPITALISED_MID = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+")
"""A capitalised word after a lower-case word or a comma: inside a sentence."""


def _prose(line: str) -> bool:
    """A line of sentences, not a title or a keyword list ("GPTQ: Accurate Post-Training
    Quantization for Generative Pre-trained Transformers")."""
    tokens = LETTERS.findall(line)
    return len(tokens) >= 8 and sum(t[0].isupper() for t in tokens) < len(tokens) / 3


@lru_cache(maxsize=16)
def paper_words(source: str) -> PaperWords:
    """The words of ``source``, shared by every string of a review (and every review of a
    paper) checked against it in a row."""
    return PaperWords(source)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[str, ...]:
    from wordfreq import top_n_list

    common = {w for w in top_n_list("en", VOCABULARY_SIZE, wordlist="large") if w.isalpha()}
    return tuple(sorted(w for w in common | technical_words() if len(w) >= 4))


def _irregular(token: str) -> bool:
    return any(c.isupper() for c in token[1:]) and not token.isupper()


def mend(token: str, paper: PaperWords, text: str = "", start: int = 0) -> str | None:
    """What ``token`` (a run of letters at ``start`` of ``text``) should read, when it is a
    damaged word the paper's text or the word list can correct; else ``None``.

    In order: a name of the paper with broken capitals gets the paper's spelling ("MMLu" ->
    "MMLU", "Gpt" -> "GPT"; "perplexITY" -> "perplexity"); a plain word capitalised inside a
    phrase copied from the paper loses the capital (:func:`_capitalised_inside`); an unknown
    word that is two words of a phrase of the paper run together gets the paper's space or
    hyphen back ("valuecache" -> "value cache", "GPTmodels" -> "GPT models"); an unknown
    lower-case word one edit from a common word, or two from a word of seven letters or more of
    the paper, becomes that word ("perfromance" -> "performance"). Tokens inside URLs and
    e-mail addresses, and short ones, are left alone.
    """
    if start and text[start - 1] in "/@:.":
        return None
    lower = token.lower()
    forms = paper.forms.get(lower)
    if forms and token.istitle() and token not in forms:
        names = [f for f in forms if CAMEL.search(f) or (f.isupper() and lower not in forms)]
        if names:  # "Chatgpt" for ChatGPT, "Gpt" for GPT; never for a word the paper also
            return max(names, key=lambda f: forms[f])  # writes plainly ("Race" and "race")
    if (
        forms
        and lower in forms
        and token.istitle()
        and _capitalised_inside(forms, token, paper, text, start)
    ):
        return lower  # "confidence Estimation is": a plain word of the paper, capitalised
    if _irregular(token) and forms:
        if token in forms:
            return None
        names = [f for f in forms if _irregular(f) or f.isupper()]
        if names:
            return max(names, key=lambda f: forms[f])  # the paper's own spelling of a name
        if _BROKEN_CAPITALS.search(token):
            return lower.capitalize() if token[0].isupper() else lower
        return None
    if token[0].islower() and _CAPS_INSIDE.search(token) and not forms and known(lower):
        return lower  # "unstATED": a known word (the prompt's, not the paper's), broken
    if len(token) < MIN_GLUED or forms or known(lower) or inflected_known(lower):
        return None
    for i in range(2, len(lower) - 1):
        found = re.search(rf"\b{lower[:i]}([ -]){lower[i:]}\b", paper.text)
        if found:
            return token[:i] + found.group(1) + token[i:]
    for i in range(len(token) - 3, 1, -1):  # "HKMMLUbenchmark": a name of the paper + a word
        head, tail = token[:i], token[i:]
        if _name_and_word(head, tail, paper):
            return f"{head} {tail}"
    if token[0].isupper() or _irregular(token):
        return None  # a name the paper does not write: not ours to respell
    return _spelled(lower, paper)


def _name_and_word(head: str, tail: str, paper: PaperWords) -> bool:
    """``head`` is a name the paper writes (with capitals) and ``tail`` an everyday or field
    word: together they are two words run together ("HKMMLUbenchmark", "LoRAfinetuning")."""
    return (
        tail.islower()
        and not head.islower()
        and head in paper.forms.get(head.lower(), ())
        and (zipf(tail) >= CAMEL_TAIL_ZIPF or tail in technical_words())
    )


def _capitalised_inside(
    forms: Counter[str], token: str, paper: PaperWords, text: str, start: int
) -> bool:
    """``token`` (the paper's spellings of it: ``forms``) is a plain word of the paper
    capitalised inside a phrase copied from it: "reliable LLM confidence Estimation is" where
    the paper has "confidence estimation is". The embedded model does this to slip past the
    anti-copy penalty.

    Left alone: a word the paper capitalises inside a sentence or spells with capitals ("the
    Transformer", "DEtection TRansformer"), and one made part of a name by a capitalised word
    beside it (or one short word away), a number or a bracketed acronym after it ("Generalized
    Method of Moments", "Algorithm 1", "Learning to Prompt (L2P)")."""
    if token in paper.capitalised_mid or any(_irregular(f) or f.isupper() for f in forms):
        return False  # the paper capitalises it itself ("the Transformer", "DEtection TRansformer")
    before = _BEFORE.search(text[:start])
    after = text[start + len(token) :]
    if not before or _NAMED.match(after):
        return False
    if before.group(2) in FUNCTION_WORDS and (before.group(1) or "")[:1].isupper():
        return False
    lower, last, previous = token.lower(), before.group(2), before.group(1)
    if last not in FUNCTION_WORDS:
        phrases = [f"{last} {lower}"]
    else:  # "generalizable and Model-agnostic": the short word and the one before it
        phrases = [f"{previous} {last} {lower}"] if previous else []
    following = re.match(r"[- ][a-z]{3,}", after)
    if following and following.group(0)[1:] not in FUNCTION_WORDS:
        phrases.append(lower + following.group(0))
    return any(re.search(rf"\b{re.escape(p)}\b", paper.text) for p in phrases)


_BEFORE = re.compile(r"(?:(?<![\w-])([A-Za-z]+) )?(?<![\w-])([a-z]+),? $")
"""The lower-case word before a token (group 2) and the word before that (group 1)."""
_NAMED = re.compile(r"[-\s,]*(?:[A-Z]|\d|\(\s*[A-Z]|(?:of|to|for|and|in|on|the|a)[-\s][A-Z])")
"""After a token: a capitalised word, a number, a bracketed acronym, or a capitalised word one
short word away ("-of-Thought")."""


def _spelled(lower: str, paper: PaperWords) -> str | None:
    """The word ``lower`` misspells: same first letter, not just a plural of it; the paper's
    words first (two edits from seven letters on), then common ones (one edit)."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    def near(pool: Sequence[str], cutoff: int) -> list[str]:
        hits = process.extract(
            lower, pool, scorer=DamerauLevenshtein.distance, score_cutoff=cutoff, limit=20
        )
        return sorted(
            (w for w, _, _ in hits if w[0] == lower[0] and w.rstrip("s") != lower.rstrip("s")),
            key=lambda w: (DamerauLevenshtein.distance(lower, w), -zipf(w), w),
        )

    distance = DamerauLevenshtein.distance
    ours = near(paper.words, 1 if len(lower) < 7 else 2)
    common = near(_vocabulary(), 1)
    if ours and not known(ours[0]) and distance(lower, ours[0]) == 1:
        # the paper's own typo ("optimziers") loses to a known word as near ("optimizers")
        common = one_edit_known(lower) or common
        ours = [] if common and distance(lower, common[0]) == 1 else ours
    chosen = ours[0] if ours else common[0] if common else None
    if chosen is None:
        return None
    # the token's number: "denoiers" -> "denoisers" (the paper writes "denoiser"), "dateset" ->
    # "dataset" (it writes "datasets")
    other = chosen + "s" if lower.endswith("s") and not chosen.endswith("s") else None
    if not lower.endswith("s") and chosen.endswith("s"):
        other = chosen[:-1]
    if other and distance(lower, other) < distance(lower, chosen):
        return other
    return chosen


def one_edit_known(lower: str) -> list[str]:
    """Known words one edit from ``lower`` with its first letter, most common first."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    cuts = [(lower[:i], lower[i:]) for i in range(len(lower) + 1)]
    edits = {a + b[1:] for a, b in cuts if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in cuts if b for c in letters}
    edits |= {a + c + b for a, b in cuts for c in letters}
    found = [w for w in edits - {lower} if w[:1] == lower[:1] and known(w)]
    return sorted(found, key=lambda w: (-zipf(w), w))
