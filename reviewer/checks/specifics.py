"""Numbers and names in a review that the paper text does not contain.

A small model reviewing an abstract invents specifics: "two parameter-reduction techniques, one
based on quantization and another based on pruning" for a paper that names neither, or a 35%
gain the abstract never reports. Each number in a review must match a number of the text the
model was shown (in any of its usual spellings: "175B" = "175 billion", "1/7th", "2x" =
"twice", "51.6%" rounded to "52%"; "fifty thousand" is 50,000), and each name (an acronym, a
CamelCase or digit-bearing name, a capitalised word inside a sentence, a term of a small list
of ML techniques) must occur in it, or be the initials of words in it ("RL" for "reinforcement
learning"). Words every ML text uses ("LLM", "GPU", "SOTA", "Transformer"...) and the words of
a paper's structure ("Section", "Table") never count as invented.
"""

from __future__ import annotations

import math
import re
import unicodedata

from reviewer.checks.textcheck import GENERIC_WORDS


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces: how quotes and paper are compared."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_SCALE = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9,
    "billion": 1e9, "t": 1e12, "trillion": 1e12,
}  # fmt: skip
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1e6, "billion": 1e9, "trillion": 1e12, "dozen": 12, "single": 1, "once": 1,
    "twice": 2, "double": 2, "doubles": 2, "doubled": 2, "doubling": 2, "thrice": 3,
    "triple": 3, "tripled": 3, "half": 0.5, "halves": 0.5, "halved": 0.5, "quarter": 0.25,
    "first": 1,
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "tenth": 10, "hundredth": 100,
    "seventh": 7, "sixth": 6, "eighth": 8, "ninth": 9, "both": 2, "pair": 2,
}  # fmt: skip
_CARDINALS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
)  # fmt: skip
_MAGNITUDES = {
    w: _NUMBER_WORDS[w] for w in ("hundred", "thousand", "million", "billion", "trillion")
}
_CARDINAL = rf"(?:{'|'.join(_CARDINALS)})(?:-(?:{'|'.join(_CARDINALS)}))?"
# "fifty thousand", "a million", "two hundred and fifty": a number in words with a magnitude
# (plurals such as "thousands of" are vague and not matched; a lone "two" is left alone, it is
# mostly a count of things the abstract lists)
SPELLED_RE = re.compile(
    rf"\b(?:a|{_CARDINAL})(?:[\s-]+(?:and\s+)?(?:{_CARDINAL}|{'|'.join(_MAGNITUDES)}))*"
    rf"[\s-]+(?:{'|'.join(_MAGNITUDES)})\b(?:[\s-]+(?:and\s+)?{_CARDINAL}\b)?",
    re.I,
)


def spelled_value(phrase: str) -> float:
    """The value of a number written in words ("two hundred and fifty thousand" -> 250,000)."""
    total = current = 0.0
    for word in re.split(r"[\s-]+", phrase.lower()):
        if word == "a":
            current = current or 1
        elif word in _MAGNITUDES:
            current = (current or 1) * _MAGNITUDES[word]
            if word != "hundred":
                total, current = total + current, 0.0
        elif word != "and":
            current += float(_NUMBER_WORDS[word])
    return total + current


# A number not glued to a name ("GPT-4", "ResNet-50", "L2" and "3D" are names, checked as
# such), with an optional scale or unit suffix ("175B", "10k", "2x", "30%", "1/7th").
NUMBER_RE = re.compile(
    r"(?<![\w.])(?<![A-Za-z_][-/])(?:\$|€|£)?(\d+(?:,\d{3})+|\d*\.\d+|\d+)"
    r"(?:\s*/\s*(\d+)(?:st|nd|rd|th)?)?"
    r"(?:\s*(%|×|(?:x|k|m|mn|b|bn|t|thousand|million|billion|trillion|percent|st|nd|rd|th|s)\b)"
    r"|(?=\W|$))",
    re.I,
)
# Structure words and section names: "Section 3" in an abstract-only review is vague, not a
# fabricated method; numbers after them are still checked.
_STRUCTURE = {
    "abstract", "introduction", "conclusion", "conclusions", "section", "sections", "table",
    "tables", "figure", "figures", "fig", "appendix", "equation", "eq", "theorem", "lemma",
    "proposition", "corollary", "definition", "algorithm", "related", "results", "discussion",
    "methods", "method", "experiments", "evaluation", "background", "limitations", "summary",
    "overall", "strengths", "weaknesses", "questions", "minor", "major", "authors", "author",
    "reviewer", "reviewers", "paper", "however", "moreover", "furthermore", "additionally",
    "english", "i", "line", "lines", "page", "pages", "tab", "update", "comment", "comments",
    "note", "typo", "typos", "remark", "remarks", "other", "specific", "general", "detailed",
    "clarity", "originality", "quality", "significance", "soundness", "presentation",
    "contribution", "rating", "confidence", "pros", "cons", "edit", "post", "rebuttal",
    "assumption", "assumptions", "conjecture", "listing", "btw", "i'd", "i'm", "i've", "thanks",
    "pareto",
}  # fmt: skip
# Words every ML text may use without the paper naming them.
GENERIC_NAMES = {
    "ai", "ml", "dl", "nlp", "nlu", "nlg", "cv", "llm", "lm", "lms", "vlm", "mllm", "gpu", "cpu",
    "tpu", "sota", "api", "id", "iid", "ood", "flop", "flops", "ram", "url", "pdf", "gb", "mb",
    "tb", "ms", "us", "uk", "eu", "usa", "ok", "phd", "faq", "iclr", "neurips", "nips", "icml",
    "acl", "emnlp", "naacl", "cvpr", "iccv", "eccv", "aaai", "ijcai", "kdd", "arxiv", "github",
    "openreview", "transformer", "transformers", "bayesian", "gaussian", "markov", "euclidean",
    "fourier", "lipschitz", "boolean", "monte", "carlo", "python", "pytorch", "tensorflow",
    "jax", "internet", "web", "q&a", "qa", "e.g", "i.e", "etc", "vs", "al", "et", "dr", "mr",
    "fig", "eq", "eqs", "sec", "no", "tl", "yes", "n/a", "ii", "iii", "iv", "v", "l1",
    "l2", "2d", "3d", "4d", "kl", "dof", "imo", "imho", "ablation", "hz", "khz", "mhz", "ghz",
    "db", "fps", "bpp", "min", "hrs",
    "state-of-the-art", "x", "y", "z", "k", "n",
}  # fmt: skip
# Techniques a small model attributes to papers that never mention them (stems: "pruning",
# "pruned"); lower case, so the capitalisation rules would miss them.
TECHNIQUES = (
    "quantiz", "quantis", "prun", "distill", "dropout", "low-rank", "low rank", "sparsif",
    "weight sharing", "parameter sharing", "knowledge distillation", "mixture of experts",
    "mixture-of-experts", "beam search", "batch normali", "layer normali", "data augmentation",
    "contrastive", "adversarial training", "federated", "meta-learning", "curriculum learning",
    "reinforcement learning", "lstm", "recurrent", "convolution", "autoencoder", "diffusion",
    "graph neural",
)  # fmt: skip
_PART = (
    r"fig(?:ure)?s?|tab(?:le)?s?|sec(?:tion)?s?|§|eqs?|equations?|appendix|appendices|lines?|"
    r"l|ll|alg(?:orithm)?s?|thm|theorems?|lemmas?|prop(?:osition)?s?|corollar(?:y|ies)|eqn|"
    r"def(?:inition)?s?|pages?|pp?|steps?|stages?|phases?|q|w|items?|points?|questions?|"
    r"comments?|weakness(?:es)?|strengths?|chapters?|parts?|rows?|columns?|cols?|refs?|"
    r"references?|assumptions?|remarks?|examples?|claims?|cases?|exp(?:eriment)?s?|paragraphs?"
)
# "Table 2", "Eq. 2-5", "Sections 3 and 4": a number that points at a part of the paper
REFERENCE_RE = re.compile(
    rf"\b(?:{_PART})\.?\s*(?:[(\[]?[\dA-Za-z]{{1,3}}(?:\.\d+)*[)\]]?\s*"
    r"(?:[-–,/&]\s*|and\s+|to\s+|or\s+|through\s+)+)*[(\[]?$",
    re.I,
)
# "[3]", "[1, 2, 4]", "#2", "Weston'16"
CITATION_RE = re.compile(r"(?:\[(?:\s*\d+\s*[,;–-])*\s*|#|['’])$")
# "(1) ... (2) ...", "1) ...": enumeration markers after a sentence or clause boundary
LIST_RE = re.compile(r"(?:^|[.:;!?]\s+|\n\s*)$")
_CAP = r"[A-Z][a-z'’]+(?:-[A-Za-z]+)*"
TITLE_RUN_RE = re.compile(
    rf"{_CAP}(?:(?:\s+(?:of|and|for|the|in|on|with|to|a|an|via|from|by))*\s+{_CAP}){{2,}}"
)
HEADING_RE = re.compile(rf"(?:^|(?<=[\n.;]\s)|(?<=\n)){_CAP}(?:\s+(?:of|and|for|the|in|on)?\s*"
                        rf"{_CAP}){{0,5}}:")  # fmt: skip
_TOKEN_RE = re.compile(r"[A-Za-z][\w'’\-.&]*[\w]|[A-Za-z]")
# "Fig.2", "Sec. 3", "Eq.(4)": references to the paper's parts; "$N_s$", URLs: not names
_NOT_A_NAME = re.compile(
    r"^(?:fig|figs|tab|sec|eq|eqs|table|figure|section|appendix|line|alg|thm)\.?\d|_|"
    r"^L\d|^[A-Z]\.\d|^[WQ]\d+$|"
    r"\.(?:com|org|net|io|html?|pdf)\b|^https?|^www\.",
    re.I,
)
_SENTENCE_START = re.compile(r"(?:[.!?:;]\s+|[\n(\[\"“'‘*]\s*|\s[-–—]\s+|\d[.)]\s*)$")


def _values(number: str, denominator: str | None, suffix: str) -> set[float]:
    """Every value a written number may stand for: itself, scaled, as a fraction or percent."""
    value = float(number.replace(",", ""))
    out = {value}
    unit = suffix.lower()
    if unit in _SCALE:
        out.add(value * _SCALE[unit])
    if unit in {"%", "percent"}:
        out.add(value / 100)
    if 0 < value < 1:
        out.add(value * 100)
    if denominator:
        den = float(denominator)
        out.add(den)
        if den:
            out.add(value / den)
    if value and value < 1:
        out.add(1 / value)  # "0.5x the memory" = "half" = "2x less"
    return out


def numbers(text: str) -> list[tuple[str, set[float]]]:
    """(as written, possible values) for each number written with digits in ``text``, except
    the numbers of references and lists ("Table 2", "Eq. 2-5", "[3]", "(1)", "2)"), and each
    one spelled out with a magnitude ("fifty thousand")."""
    found = [
        (m.group(0).strip(), _values(m.group(1), m.group(2), m.group(3) or ""))
        for m in NUMBER_RE.finditer(text)
        if not _is_reference(text, m.start(), m.end())
    ]
    return found + [(m.group(0), {spelled_value(m.group(0))}) for m in SPELLED_RE.finditer(text)]


def _is_reference(text: str, start: int, end: int) -> bool:
    """A citation "[3]", a marker "#2", "(1)" or "2)" / "2." opening a clause, a part "Table 2"."""
    before, after = text[max(0, start - 40) : start], text[end : end + 1]
    if REFERENCE_RE.search(before) or CITATION_RE.search(before):
        return True
    if not text[:start].strip() and re.match(r"\s+[A-Z\"“]", text[end : end + 3]):
        return True  # "2 The explanation is ...": an item number opening the comment
    if before.endswith("(") and after == ")" and not before[-2:-1].isalpha():
        return True
    return after in {")", "."} and bool(LIST_RE.search(before))


def source_values(source: str) -> set[float]:
    """All values the paper text states, with digits or in words."""
    values: set[float] = set()
    for match in re.finditer(r"\d+(?:,\d{3})+|\d*\.\d+|\d+", source):
        values.add(float(match.group(0).replace(",", "")))
    for _, found in numbers(source):
        values |= found
    for word in re.findall(r"[a-z]+", source.lower()):
        if word in _NUMBER_WORDS:
            values |= _values(str(_NUMBER_WORDS[word]), None, "")
    return values


def _close(review: float, paper: float) -> bool:
    """Equal, or the paper's value rounded to as many decimals as the review wrote."""
    if math.isclose(review, paper, rel_tol=1e-6, abs_tol=1e-9):
        return True
    return any(round(paper, places) == review for places in range(4))


def invented_numbers(text: str, values: set[float]) -> list[str]:
    """Numbers in ``text`` none of whose readings is among ``values`` (``source_values``)."""
    out = []
    for written, readings in numbers(text):
        if not any(_close(r, v) for r in readings for v in values):
            out.append(written)
    return out


def _candidate(token: str, at_start: bool) -> bool:
    """Does ``token`` look like a name (acronym, CamelCase, digits, capitalised mid-sentence)?"""
    if not token:
        return False
    letters = [c for c in token if c.isalpha()]
    digits = any(c.isdigit() for c in token)
    if len(letters) < 2 and not (letters and digits):
        return False
    upper = sum(c.isupper() for c in letters)
    if upper >= 2 or digits:
        return True  # "BERT", "ResNet", "GPT-4", "LoRA"
    return token[0].isupper() and not at_start


def _variants(token: str) -> list[str]:
    base = re.sub(r"['’]s$", "", token)
    out = [base]
    for suffix in ("es", "s"):
        if base.lower().endswith(suffix) and len(base) > len(suffix) + 2:
            out.append(base[: -len(suffix)])
    return out


def _initials(acronym: str, words: list[str]) -> bool:
    """True when ``acronym``'s letters start consecutive words of the source ("of" skipped)."""
    letters = acronym.lower()
    if not (2 <= len(letters) <= 6) or not letters.isalpha():
        return False
    content = [w for w in words if w not in {"of", "and", "for", "the", "a", "in", "on", "to"}]
    heads = "".join(w[0] for w in content)
    if letters in heads:
        return True
    # hyphenated parts count separately: "Mixture-of-Experts", "self-supervised learning"
    return letters in "".join(w[0] for w in " ".join(content).replace("-", " ").split())


def names(text: str) -> list[str]:
    """Name-like tokens of ``text`` (see ``_candidate``), minus structure and generic words."""
    out: list[str] = []
    titled = _title_spans(text)
    for match in _TOKEN_RE.finditer(text):
        token = _name_part(match.group(0).rstrip("."))
        start = match.start()
        if token[1:].islower() and any(a <= start < b for a, b in titled):
            continue  # a word of a cited title or a heading, not a name
        at_start = not text[:start].strip() or bool(
            _SENTENCE_START.search(text[max(0, start - 6) : start])
        )
        if not _candidate(token, at_start) or _NOT_A_NAME.search(token):
            continue
        lowered = {v.lower() for v in _variants(token)}
        if lowered & (GENERIC_NAMES | _STRUCTURE):
            continue
        if (token[1:].islower() or token.isupper()) and lowered & GENERIC_WORDS:
            continue  # "Practical", "ANY": a heading's or an emphasised word, not a name
        out.append(token)
    return out


def _title_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has a title or heading: three or more capitalised words in a row
    ("Advances in Neural Information Processing Systems"), or a short capitalised lead-in
    ending in a colon ("Generalization Capability:"). Two ("Common Crawl") may be a name."""
    spans = [(m.start(), m.end()) for m in TITLE_RUN_RE.finditer(text)]
    return spans + [(m.start(), m.end()) for m in HEADING_RE.finditer(text)]


def _name_part(token: str) -> str:
    """The part of a hyphenated token that may be a name: "RL" of "RL-driven", "top-5" none."""
    parts = token.split("-")
    while parts and parts[-1].isalpha() and parts[-1].islower():
        parts.pop()
    while parts and parts[0].isalpha() and parts[0].islower():
        parts.pop(0)
    kept = "-".join(parts)
    return kept if any(c.isalpha() for c in kept) else ""


def techniques(text: str) -> list[tuple[str, str]]:
    """(stem, word as written) for each term of ``TECHNIQUES`` that ``text`` uses."""
    out = []
    for stem in TECHNIQUES:
        match = re.search(rf"[\w-]*{re.escape(stem)}[\w-]*", text, re.I)
        if match:
            out.append((stem, match.group(0)))
    return out


def strong(name: str) -> bool:
    """A name by its shape (digits, or two capitals: "GPT-3", "WebText", "BERT"), not merely a
    capitalised word ("Turkishic", "Penn"), which may be a word capitalised for emphasis."""
    return any(c.isdigit() for c in name) or sum(c.isupper() for c in name) >= 2


COMMON_ZIPF = 3.0
"""A capitalised word whose lower case is at least this common in English ("Representative",
"Negative") is a word, not a name, wherever it stands (when wordfreq is installed)."""


def common_word(token: str) -> bool:
    """``token`` is capitalised only at its start and is a common English word."""
    if not (token[:1].isupper() and token[1:].islower() and token.isalpha()):
        return False
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # core install: such a word stays a weak name, reported, never removed
        return False
    return float(zipf_frequency(token.lower(), "en", wordlist="large")) >= COMMON_ZIPF


# "(e.g., GPT, GPT-3)", "(such as BERT)": examples of a kind of thing, from what the writer
# knows of the field; a name there is not a claim about what this paper did
EXAMPLES_RE = re.compile(
    r"\(\s*(?:e\.\s?g\.?|eg\.|for example|for instance|such as|like)[^()]*\)", re.I
)
# "lost-in-the-middle (LIM)": an acronym the writer defines
DEFINED_RE = re.compile(r"\(([A-Z][A-Za-z0-9]{1,7})\)")
_SKIPPABLE = frozenset(("of", "and", "for", "the", "a", "an", "in", "on", "to", "with", "by"))
MEND_MIN_CHARS = 5
"""A name this long that is one edit from one of the paper's names (two from 8 characters on)
is the paper's name misspelt, and is mended to the paper's spelling; a shorter one ("LLL",
"SSED") may be another name altogether, so it is only reported."""


def example_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in EXAMPLES_RE.finditer(text)]


def defined_acronyms(text: str, source_plain: str) -> set[str]:
    """Acronyms ``text`` defines from words the paper writes: "the lost-in-the-middle (LIM)
    challenge" defines LIM when the paper writes "lost-in-the-middle"."""
    out = set()
    for match in DEFINED_RE.finditer(text):
        acronym = match.group(1)
        letters = [c.lower() for c in acronym if c.isupper()]
        if len(letters) < 2:
            continue
        words = re.sub(r"[^\w]+", " ", text[max(0, match.start() - 200) : match.start()]).split()
        used: list[str] = []
        for word in reversed(words):
            if not letters:
                break
            if word.lower()[0] == letters[-1]:
                letters.pop()
                used.append(word)
            elif word.lower() in _SKIPPABLE and used:
                used.append(word)
            else:
                break
        phrase = normalise(" ".join(reversed(used)))
        if not letters and phrase and f" {phrase} " in f" {source_plain} ":
            out.add(acronym)
    return out


class Source:
    """A paper text prepared once for number and name look-ups."""

    def __init__(self, text: str) -> None:
        self.plain = normalise(text)
        self.words = self.plain.split()
        self.compact = self.plain.replace(" ", "")
        self.values = source_values(text)
        self.squashed = re.sub(r"[\s\-]+", "", text.lower())
        tokens = {m.group(0).rstrip(".") for m in _TOKEN_RE.finditer(text)}
        parts = {_name_part(t) for t in tokens} | {p for t in tokens for p in t.split("-")}
        self.tokens = sorted(t for t in tokens | parts if len(t) >= 3 and not t.islower())

    def has_name(self, token: str) -> bool:
        for variant in _variants(token):
            plain = normalise(variant)
            if not plain:
                return True
            if f" {plain} " in f" {self.plain} " or plain.replace(" ", "") in self.compact:
                return True
        if any(_initials(v, self.words) for v in _variants(token) if v.isupper()):
            return True
        # a name of the paper and a word run together: "HKMMLUBenchmark", "MMLU-CFBenchmark"
        cut = re.search(r"[A-Z][a-z]{3,}s?$", token)
        return bool(cut and cut.start() >= 3 and self.has_name(token[: cut.start()]))

    def spelling(self, name: str) -> str | None:
        """The paper's spelling of ``name`` when ``name`` misspells one of its names ("TTP-MLP"
        for TTT-MLP, "Reasonning" for Reasoning): the one paper token at the least distance, at
        most one edit (two from 8 characters on), with the same digits and first letter; None
        when there is none or two are equally near."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        limit = 1 if len(name) < 8 else 2
        digits = re.sub(r"\D", "", name)
        hits = process.extract(
            name, self.tokens, scorer=DamerauLevenshtein.distance, processor=str.lower,
            score_cutoff=limit, limit=10,
        )  # fmt: skip
        near = [
            (int(distance), token)
            for token, distance, _ in hits
            if distance > 0
            and token[0].lower() == name[0].lower()
            # "DiffusionDB" is not "Diffusion" misspelt, nor "BinaryDM" "Binary"
            and not token.lower().startswith(name.lower())
            and not name.lower().startswith(token.lower())
            and re.sub(r"\D", "", token) == digits
        ]
        if not near:
            return None
        best = min(d for d, _ in near)
        spellings = {t.lower() for d, t in near if d == best}
        if len(spellings) > 1:
            return None
        return max((t for d, t in near if d == best), key=lambda t: sum(c.isupper() for c in t))

    def invented_names(self, text: str) -> list[str]:
        """Names and techniques in ``text`` that this paper text does not mention."""
        found = [n for n in names(text) if not self.has_name(n)]
        found += [
            word
            for stem, word in techniques(text)
            if re.sub(r"[\s\-]+", "", stem) not in self.squashed
        ]
        return list(dict.fromkeys(found))

    def invented_numbers(self, text: str) -> list[str]:
        return invented_numbers(text, self.values)
