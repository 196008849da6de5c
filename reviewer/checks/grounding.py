"""The grounding check: a review's comments must be about this paper, in words really in it.

Small models invent quotations, numbers and names, and write comments that say nothing. Every
quoted span (three words or more) in the review is looked up in the paper text the model was
given, after normalising case, punctuation and spacing; so is every number and every name
(``reviewer.checks.specifics``); every list comment and paragraph sentence must say something
(``reviewer.checks.textcheck``) and claim no release of code or data the paper does not mention
(``reviewer.checks.release``).
Optionally (``check_generic``; needs the [eval] extra and the reference data) each list comment
is compared with human comments on train-split papers by the eval's own generic rule
(``reviewer.checks.generic``). Findings go back to the model as a re-ask; whatever is still
wrong after the last attempt is dropped from its list when the form allows fewer items, and is
noted on the review either way; a paragraph loses the sentences with an invented number or
name, or that say nothing, when it stays long enough for the schema. A paragraph that stops
mid-sentence (a small model sometimes closes its JSON string early: "by using a technique
called ") loses that sentence the same way. What is kept is listed for the reader by
:func:`unverified`, what is changed by :func:`edited`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from reviewer.checks.release import claims_release, states_release
from reviewer.checks.sentences import cut, cut_off, sentence_spans
from reviewer.checks.specifics import (
    MEND_MIN_CHARS,
    Source,
    common_word,
    defined_acronyms,
    example_spans,
    normalise,
    strong,
)
from reviewer.checks.textcheck import non_comment
from reviewer.review import TEXT_LIST_KEYS, Review, item_text

TITLE_RE = re.compile(r"^Title:\s*(.+)$", re.M)
QUOTE_RE = re.compile(r"[\"“”„«»]([^\"“”„«»]{8,600})[\"“”„«»]")
ELLIPSIS_RE = re.compile(r"\.\.\.|…|\[\s*\.\.\.\s*\]")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
# A list marker opening a sentence: "- ", "* ", "2. ", "(a) ".
MARKER_RE = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|\(\w\))\s+")
SCRUBBED = {"invented_number", "invented_name", "non_comment", "invented_release", "cut_off"}
"""Kinds whose paragraph sentence is removed (when the paragraph stays long enough)."""
WHOLE_SENTENCE = {"non_comment", "invented_release", "cut_off"}  # the detail is the sentence
FROM_SOURCE = {"invented_quote", "invented_number", "invented_name", "invented_release"}
"""Kinds that say "not in the source": they show a sentence wrong only when the source is all
its writer saw (``complete``); otherwise they are reported and the text stays."""
MIN_QUOTE_WORDS = 3
SHOWN_CHARS = 120


@dataclass(frozen=True)
class Finding:
    """One ungrounded part of a review: ``field[index]`` (index -1 for a paragraph)."""

    field: str
    index: int
    kind: str  # "invented_quote" | "invented_number" | "invented_name" | "non_comment" | ...
    detail: str
    # In a paragraph: the (start, end) of each sentence the finding is in, where it was found,
    # so removal cuts exactly those sentences and nothing else.
    spans: tuple[tuple[int, int], ...] = ()
    # False: reported, never removed (a capitalised word that may be emphasis, a name given as
    # an example "(e.g., GPT-3)", a short near-miss of a paper's name, or anything checked
    # against less than its writer saw)
    certain: bool = True
    spelling: str = ""  # the paper's spelling of a misspelt name ("misspelt_name", or a hint)

    @property
    def where(self) -> str:
        return self.field if self.index < 0 else f"{self.field} #{self.index + 1}"

    def describe(self) -> str:
        if self.kind == "invented_quote":
            return f'{self.where}: the quote "{self.detail}" is not in the paper'
        if self.kind == "invented_number":
            return f'{self.where}: the number "{self.detail}" is not in the paper'
        if self.kind == "invented_name":
            hint = f' (it writes "{self.spelling}")' if self.spelling else ""
            return f'{self.where}: "{self.detail}" is not mentioned in the paper{hint}'
        if self.kind == "misspelt_name":
            return f'{self.where}: "{self.detail}" misspells the paper\'s "{self.spelling}"'
        if self.kind == "invented_release":
            return (
                f'{self.where}: "{_shown(self.detail)}" says code or data are released, which '
                "the paper does not say"
            )
        if self.kind == "cut_off":
            end = self.detail if len(self.detail) <= SHOWN_CHARS // 2 else self.detail[-60:]
            return f'{self.where}: the sentence ending "{end.strip()}" stops before its end'
        if self.kind == "non_comment":
            sentence = f' the sentence "{_shown(self.detail)}"' if self.detail else ""
            return (
                f"{self.where}:{sentence} says nothing about this paper (an absence, a deferral "
                "to further work, or a remark that fits any paper)"
            )
        return f"{self.where}: generic, it would fit almost any paper ({self.detail})"


class GenericRule(Protocol):
    """Tells which comments are generic (``reviewer.checks.generic.GenericCheck``)."""

    def flags(self, comments: Sequence[str]) -> list[bool]: ...


def quotes(text: str) -> list[str]:
    """Quoted spans of at least ``MIN_QUOTE_WORDS`` words (short ones are names or terms)."""
    return [q.strip() for q in QUOTE_RE.findall(text) if len(q.split()) >= MIN_QUOTE_WORDS]


def quote_in(quote: str, source: str) -> bool:
    """True when every part of ``quote`` (split at ellipses) occurs in the normalised source."""
    parts = [normalise(p) for p in ELLIPSIS_RE.split(quote)]
    return all(p in source for p in parts if p)


def _texts(review: Review) -> list[tuple[str, int, str]]:
    """(field, index, text) for every paragraph (index -1) and every list comment."""
    out: list[tuple[str, int, str]] = []
    for key, value in review.model_dump().items():
        if isinstance(value, str) and key != "decision":
            out.append((key, -1, value))
        elif key in TEXT_LIST_KEYS and isinstance(value, list):
            out.extend((key, i, item_text(item)) for i, item in enumerate(value))
    return out


def find(
    review: Review, source: str, generic: GenericRule | None = None, complete: bool = True
) -> list[Finding]:
    """What in ``review`` is not grounded in ``source`` (the paper text the model was shown).

    ``complete``: ``source`` is all the review's writer saw, as it is for a model given this
    prompt. A human reviewer read the whole paper: checked against its abstract, what the
    abstract lacks is reported, not shown wrong (``FROM_SOURCE`` findings are uncertain)."""
    found = _find(review, source, generic)
    if complete:
        return found
    return [replace(f, certain=False) if f.kind in FROM_SOURCE else f for f in found]


def _find(review: Review, source: str, generic: GenericRule | None) -> list[Finding]:
    plain = normalise(source)
    paper = Source(source)
    own = own_name(source)
    stated = states_release(source)
    found: list[Finding] = []
    texts = _texts(review)
    defined = defined_acronyms(" ".join(t for _, _, t in texts), plain)
    for key, index, text in texts:
        for quote in quotes(text):
            if not quote_in(quote, plain):
                found.append(Finding(key, index, "invented_quote", _shown(quote)))
        if index >= 0:
            unquoted = QUOTE_RE.sub(" ", text)  # a quote is checked whole, above
            found += [Finding(key, index, "invented_number", n)
                      for n in paper.invented_numbers(unquoted)]  # fmt: skip
            found += [Finding(key, index, kind, n, certain=certain, spelling=spelt)
                      for kind, n, certain, spelt in _names(unquoted, paper, defined)]  # fmt: skip
            if not stated:
                sentences = SENTENCE_RE.split(text.strip())
                found += [Finding(key, index, "invented_release", s)
                          for s in sentences if claims_release(s)]  # fmt: skip
            if non_comment(own.sub("the method", text) if own else text):
                found.append(Finding(key, index, "non_comment", ""))
        else:
            found += _paragraph_findings(key, text, paper, own, stated, defined)
    if generic is not None:
        comments = [(k, i, t) for k, i, t in texts if i >= 0]
        for (key, index, _), flag in zip(
            comments, generic.flags([t for _, _, t in comments]), strict=True
        ):
            if flag:
                found.append(Finding(key, index, "generic_comment", "matches human comments"))
    return found


def _names(text: str, paper: Source, defined: set[str]) -> list[tuple[str, str, bool, str]]:
    """(kind, name, certain, spelling) for each name of ``text`` the paper does not write.

    A near-miss of a paper's name long enough to be sure of is "misspelt_name" (mended, not
    removed); a shorter one, a capitalised word that is not a common word ("Turkishic"), and a
    name given as an example ("(e.g., GPT-3)") are reported only. A common word capitalised
    ("Representative") and an acronym the review defines from the paper's words ("the
    lost-in-the-middle (LIM) challenge") are no findings at all."""
    examples = example_spans(text)
    out = []
    for name in paper.invented_names(text):
        if name in defined or common_word(name):
            continue
        spelt = paper.spelling(name) if not name.islower() else None
        if spelt and len(name) >= MEND_MIN_CHARS:
            out.append(("misspelt_name", name, True, spelt))
            continue
        places = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
        as_example = bool(places) and all(any(a <= p < b for a, b in examples) for p in places)
        technique = name.islower()  # "pruning", "distillation": ``specifics.TECHNIQUES``
        certain = (technique or strong(name)) and not as_example and not spelt
        out.append(("invented_name", name, certain, spelt or ""))
    return out


def _paragraph_findings(
    key: str,
    text: str,
    paper: Source,
    own: re.Pattern[str] | None,
    stated: bool,
    defined: set[str],
) -> list[Finding]:
    """A paragraph's findings, sentence by sentence, each with the spans it was found in: an
    invented number or name once for all its sentences, a sentence that says nothing, claims
    a release or stops before its end on its own."""
    spans = sentence_spans(text)
    where: dict[tuple[str, str, bool, str], list[tuple[int, int]]] = {}
    found: list[Finding] = []
    for span in spans:
        sentence = text[span[0] : span[1]]
        # a quote is checked whole, in ``find``; a list marker ("- ", "2. ") is not a word, so
        # the word after it starts the sentence ("- Empirical results: ..." names nothing)
        unquoted = MARKER_RE.sub("", QUOTE_RE.sub(" ", sentence))
        for number in paper.invented_numbers(unquoted):
            where.setdefault(("invented_number", number, True, ""), []).append(span)
        for name in _names(unquoted, paper, defined):
            where.setdefault(name, []).append(span)
        if not stated and claims_release(sentence):
            found.append(Finding(key, -1, "invented_release", sentence, (span,)))
        if non_comment(own.sub("the method", sentence) if own else sentence):
            found.append(Finding(key, -1, "non_comment", sentence, (span,)))
    named = [
        Finding(key, -1, kind, d, tuple(dict.fromkeys(s)), certain, spelt)
        for (kind, d, certain, spelt), s in where.items()
    ]
    if spans and cut_off(text):
        found.append(Finding(key, -1, "cut_off", text[spans[-1][0] : spans[-1][1]], (spans[-1],)))
    return named + found


def own_name(source: str) -> re.Pattern[str] | None:
    """The paper's own short name ("QLoRA" of "QLoRA: Efficient Finetuning..."): naming it
    does not make a comment specific."""
    match = TITLE_RE.search(source)
    if not match or ":" not in match.group(1):
        return None
    name = match.group(1).split(":", 1)[0].strip()
    if not name or len(name.split()) > 3:
        return None
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.I)


def reask_text(findings: Sequence[Finding]) -> str:
    lines = "\n".join(f"- {f.describe()}" for f in findings)
    kinds = {f.kind for f in findings}
    extra = ""
    if kinds & {"invented_number", "invented_name"}:
        extra += (
            "Use only numbers and names (methods, datasets, models) that appear in the paper; "
            "where it gives none, say what is missing instead of supplying one. "
        )
    if "invented_release" in kinds:
        extra += (
            "Say that code or data are released only where the paper says so; otherwise name "
            "what reproducing the work would need. "
        )
    if "cut_off" in kinds:
        extra += "Finish every sentence. "
    if "non_comment" in kinds:
        extra += (
            "Replace each comment that says nothing with a point about a specific claim, "
            "method, dataset or number of this paper. "
        )
    return (
        "Parts of your review are not grounded in this paper:\n"
        f"{lines}\n"
        "Quote the paper only word for word, or do not quote; make every comment name something "
        f"specific to this paper (a method, dataset, number or claim). {extra}Reply again with "
        "the complete review as one JSON object, and nothing else."
    )


def removable(finding: Finding) -> bool:
    """Whether ``finding`` shows its sentence or comment wrong: what ``drop`` removes and a
    re-ask asks about (a misspelt name is mended instead; an uncertain finding only reported)."""
    return finding.certain and finding.kind != "misspelt_name"


def drop(review: Review, findings: Sequence[Finding]) -> tuple[Review, list[str]]:
    """Mend misspelt names to the paper's spelling; remove flagged list comments where the
    schema's minimum allows, and flagged paragraph sentences where the paragraph stays long
    enough; warn about each finding (uncertain ones are only reported)."""
    data: dict[str, Any] = review.model_dump()
    schema = type(review).model_json_schema()["properties"]
    warnings: list[str] = []
    mended: set[int] = set()

    def mend(in_paragraphs: bool) -> None:
        # comments are mended before any is dropped (their indexes hold), paragraphs after
        # their sentences are cut (the spans are positions in the text as found)
        for n, f in enumerate(findings):
            if f.kind != "misspelt_name" or (f.index < 0) != in_paragraphs:
                continue
            value = data.get(f.field)
            if f.index < 0:
                before, data[f.field] = value, respell(value, f.detail, f.spelling)
                changed = data[f.field] != before
            elif isinstance(value, list) and f.index < len(value):
                before = value[f.index]
                value[f.index] = respell(before, f.detail, f.spelling)
                changed = value[f.index] != before
            else:
                changed = False
            if changed:
                mended.add(n)
                warnings.append(f"mended {f.describe()}")

    mend(in_paragraphs=False)
    doomed: dict[str, set[int]] = {}
    for f in findings:
        if f.index >= 0 and removable(f):
            doomed.setdefault(f.field, set()).add(f.index)
    dropped: set[tuple[str, int]] = set()
    scrubbed: set[int] = set()
    # Spans are positions in the paragraph as found, so each paragraph is cut once, at the
    # end, from the findings whose removal leaves it long enough (checked one by one, in order).
    cuts: dict[str, list[tuple[int, int]]] = {}
    for n, f in enumerate(findings):
        original = data.get(f.field)  # paragraphs are cut only after this loop
        if (
            f.index < 0
            and f.kind in SCRUBBED
            and removable(f)
            and f.spans
            and isinstance(original, str)
        ):
            planned = cuts.get(f.field, [])
            shorter = cut(original, [*planned, *f.spans])
            minimum = int(schema.get(f.field, {}).get("minLength", 0))
            if len(shorter) >= max(minimum, 1):
                scrubbed.add(n)
                new = [span for span in f.spans if span not in planned]
                if new:
                    what = "" if f.kind in WHOLE_SENTENCE else _sentences_with(len(new))
                    warnings.append(f"removed {what}{f.describe()}")
                cuts[f.field] = [*planned, *f.spans]
    for key, spans in cuts.items():
        data[key] = cut(data[key], spans)
    mend(in_paragraphs=True)
    for key, indexes in doomed.items():
        items = data[key]
        minimum = int(schema.get(key, {}).get("minItems", 0))
        gone = set(sorted(indexes)[: max(0, len(items) - minimum)])
        data[key] = [item for i, item in enumerate(items) if i not in gone]
        dropped.update((key, i) for i in gone)
        warnings.extend(
            f"dropped {key} #{i + 1}: {_reason(findings, key, i)}" for i in sorted(gone)
        )
    warnings.extend(
        f"kept {f.describe()}"
        for n, f in enumerate(findings)
        if (f.field, f.index) not in dropped and n not in scrubbed and n not in mended
    )
    return type(review).model_validate(data), warnings


def respell(value: Any, wrong: str, right: str) -> Any:
    """``value`` (a string, or a comment's fields) with the name ``wrong`` written ``right``."""
    if isinstance(value, str):
        return re.sub(rf"(?<![\w-]){re.escape(wrong)}(?![\w])", right, value)
    if isinstance(value, dict):
        return {k: respell(v, wrong, right) for k, v in value.items()}
    return value


def _sentences_with(count: int) -> str:
    return "the sentence with " if count == 1 else f"{count} sentences with "


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."


def _reason(findings: Sequence[Finding], key: str, index: int) -> str:
    """Why ``key #index`` was dropped: its findings, without repeating where it is."""
    return "; ".join(
        f.describe().removeprefix(f"{f.where}: ")
        for f in findings
        if f.field == key and f.index == index and removable(f)
    )
