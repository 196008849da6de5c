"""Glued words: two words run together ("accuracyof", "singleGPU"), found and split again.

The embedded model's anti-copy penalty (DRY) forbids the next token of a phrase of the paper;
the model then often takes the same word without its leading space, and two words run
together. One rule finds them for the eval's glued-word rate (``reviewer.eval.textquality``,
frozen as part of its version) and for the repair of the embedded model's reviews
(:func:`repair_text`), so that what is counted is what is repaired.

The same penalty damages words in three more ways, which :func:`damaged_words` finds and the
repair mends from the paper's own words (:func:`mend`): a phrase of the paper run together
("valuecache" where the paper says "value cache"), a misspelling one or two edits from a word
("perfromance", "robustess") and a name whose capitals broke ("perplexITY", "MMLu").

And when the English continuation is forbidden, the model sometimes takes the same word in
another script: "search空间" for the paper's "search space", "open-loop и closed-loop",
"Degрадation". :func:`foreign_runs` finds such runs (Cyrillic, CJK, Arabic, ...; never Greek,
whose letters are the field's symbols) and the repair puts back the paper's own word from the
words around the run, or removes the run when the paper offers none.

The word list is wordfreq's English "large" list (data inside the package, read offline) plus
the field's own list (``evals/technical_words.txt``, shipped in the wheel).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib.util import find_spec
from typing import Any

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
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_LETTERS = re.compile(r"[A-Za-z]+")
_SNAKE = re.compile(r"\b[A-Za-z]{2,}(?:_[A-Za-z]{2,})+\b")
"""Words joined by underscores ("memory_usage"): the same penalty's other way round a phrase."""


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
    known_here = paper_words(source).known
    found = []
    for raw in text.split():
        for part in re.split(r"[^A-Za-z]+", raw):
            if len(part) >= MIN_GLUED and _glued(part, known_here):
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


def _glued(part: str, known_here: frozenset[str]) -> bool:
    lower = part.lower()
    if part[0].isupper() or lower in known_here:
        return False  # names (Codeforces, ImageNet, LoRA), the paper's words
    if known(lower):  # a known word, unless a rare run-together one ("theart")
        return part.islower() and _rare_cut(lower) is not None
    pieces = _CAMEL.split(part)
    if len(pieces) > 1:  # singleGPU; mBERT and iPhone have a one-letter head
        head, rest = pieces[0], part[len(pieces[0]) :]
        if head in FUNCTION_WORDS and len(head) >= 2:
            return True  # "toChatGPT", "andGPT": a name run into the word before it
        return len(head) >= 2 and _common(head) and zipf(rest.lower()) >= CAMEL_TAIL_ZIPF
    if any(c.isupper() for c in part[1:]):
        return False
    return any(_glued_split(lower[:i], lower[i:]) for i in range(1, len(lower)))


def _common(word: str) -> bool:
    return zipf(word) >= PART_ZIPF or word in technical_words()


def _glued_split(left: str, right: str) -> bool:
    """Whether ``left`` + ``right`` reads as two words run together."""
    if left in PREFIXES or not (_common(left) and _common(right)):
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


def _inflected_known(lower: str) -> bool:
    return any(
        lower.endswith(end) and len(lower) - len(end) >= 4 and known(lower[: -len(end)] + sub)
        for end, sub in INFLECTIONS
    )


def _split(part: str, known_here: frozenset[str]) -> str | None:
    """``part`` as two words ("accuracy of", "single GPU") when it is glued, else ``None``.

    Of the splits the rule accepts, the one whose rarer half is most common is taken
    ("tohuman": "to human", not "toh uman")."""
    if len(part) < MIN_GLUED or not _glued(part, known_here) or _inflected_known(part.lower()):
        return None
    pieces = _CAMEL.split(part)
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
    return len([w for w in _one_edit_known(lower) if zipf(w) >= zipf(word) - 1]) <= 1


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
        split = _split(token, known_here)
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
        elif token.islower() and all(_common(p) for p in parts):
            fixed = " ".join(parts)
        else:
            return token  # not plain words (qkv_proj), or a name the paper does not write
        fixes.append(f"{token} -> {fixed}")
        return fixed

    text = _replace_foreign(text, source, fixes)
    return _SNAKE.sub(unsnake, _LETTERS.sub(fix, text)), fixes


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


def _replace_foreign(text: str, source: str, fixes: list[str]) -> str:
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
        self.known = frozenset(re.findall(r"[a-z]+", self.text))
        self.forms: dict[str, Counter[str]] = {}
        for token in _LETTERS.findall(source):
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
    tokens = _LETTERS.findall(line)
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
        names = [f for f in forms if _CAMEL.search(f) or (f.isupper() and lower not in forms)]
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
    if len(token) < MIN_GLUED or forms or known(lower) or _inflected_known(lower):
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
        common = _one_edit_known(lower) or common
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


def _one_edit_known(lower: str) -> list[str]:
    """Known words one edit from ``lower`` with its first letter, most common first."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    cuts = [(lower[:i], lower[i:]) for i in range(len(lower) + 1)]
    edits = {a + b[1:] for a, b in cuts if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in cuts if b for c in letters}
    edits |= {a + c + b for a, b in cuts for c in letters}
    found = [w for w in edits - {lower} if w[:1] == lower[:1] and known(w)]
    return sorted(found, key=lambda w: (-zipf(w), w))


def damaged_words(text: str, source: str = "") -> list[str]:
    """Tokens of ``text`` that are damaged words: glued by the frozen rule
    (:func:`glued_words`) or mended by :func:`mend`, and runs of another script
    (:func:`foreign_runs`, textquality-v6)."""
    paper = paper_words(source)
    found = []
    for match in _LETTERS.finditer(text):
        token = match.group(0)
        if (len(token) >= MIN_GLUED and _glued(token, paper.known)) or mend(
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
