"""Names in a review that the paper text does not contain, and the paper text prepared for
both look-ups (:class:`Source`: its numbers through ``reviewer.checks.numbers``).

A small model reviewing an abstract invents specifics: "two parameter-reduction techniques, one
based on quantization and another based on pruning" for a paper that names neither. Each name
(an acronym, a CamelCase or digit-bearing name, a capitalised word inside a sentence, a term of
a small list of ML techniques) must occur in the paper text, or be the initials of words in it
("RL" for "reinforcement learning"). Words every ML text uses ("LLM", "GPU", "SOTA",
"Transformer"...) and the words of a paper's structure ("Section", "Table") never count as
invented.
"""

from __future__ import annotations

import re

from reviewer.checks.numbers import invented_numbers, normalise, source_values
from reviewer.checks.vocabulary import GENERIC_WORDS

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
