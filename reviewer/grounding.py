"""The grounding check: a review's comments must be about this paper, in words really in it.

Small models invent quotations, numbers and names, and write comments that say nothing. Every
quoted span (three words or more) in the review is looked up in the paper text the model was
given, after normalising case, punctuation and spacing; so is every number and every name
(``reviewer.specifics``); every list comment and paragraph sentence must say something
(``reviewer.textcheck``) and claim no release of code or data the paper does not mention
(``reviewer.release``).
Optionally (``check_generic``; needs the [eval] extra and the reference data) each list comment
is compared with human comments on train-split papers by the eval's own generic rule
(``reviewer.generic``). Findings go back to the model as a re-ask; whatever is still wrong after
the last attempt is dropped from its list when the form allows fewer items, and is noted on the
review either way; a paragraph loses the sentences with an invented number or name, or that
say nothing, when it stays long enough for the schema. A paragraph that stops mid-sentence (a
small model sometimes closes its JSON string early: "by using a technique called ") loses that
sentence the same way. What is kept is listed for the reader by :func:`unverified`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from reviewer.release import claims_release, states_release
from reviewer.review import TEXT_LIST_KEYS, Review, item_text
from reviewer.specifics import Source, normalise
from reviewer.textcheck import non_comment

TITLE_RE = re.compile(r"^Title:\s*(.+)$", re.M)
QUOTE_RE = re.compile(r"[\"“”„«»]([^\"“”„«»]{8,600})[\"“”„«»]")
ELLIPSIS_RE = re.compile(r"\.\.\.|…|\[\s*\.\.\.\s*\]")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
SCRUBBED = {"invented_number", "invented_name", "non_comment", "invented_release", "cut_off"}
"""Kinds whose paragraph sentence is removed (when the paragraph stays long enough)."""
WHOLE_SENTENCE = {"non_comment", "invented_release", "cut_off"}  # the detail is the sentence
# The last word of a sentence cut off before its end: "... a technique called", "... on the"
DANGLING = frozenset(
    ("a", "an", "the", "of", "to", "by", "for", "with", "from", "in", "on", "at", "as", "and",
     "or", "but", "than", "that", "which", "whose", "called", "named", "such", "using", "via",
     "into", "between")
)  # fmt: skip
WARNING = "grounding: "
"""How a run record's warnings from these checks start (``reviewer.generate``)."""
KEPT = f"{WARNING}kept "
"""How such a warning starts when a finding stayed in the review (``drop``)."""
MIN_QUOTE_WORDS = 3
SHOWN_CHARS = 120


@dataclass(frozen=True)
class Finding:
    """One ungrounded part of a review: ``field[index]`` (index -1 for a paragraph)."""

    field: str
    index: int
    kind: str  # "invented_quote" | "invented_number" | "invented_name" | "non_comment" | ...
    detail: str

    @property
    def where(self) -> str:
        return self.field if self.index < 0 else f"{self.field} #{self.index + 1}"

    def describe(self) -> str:
        if self.kind == "invented_quote":
            return f'{self.where}: the quote "{self.detail}" is not in the paper'
        if self.kind == "invented_number":
            return f'{self.where}: the number "{self.detail}" is not in the paper'
        if self.kind == "invented_name":
            return f'{self.where}: "{self.detail}" is not mentioned in the paper'
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
    """Tells which comments are generic (``reviewer.generic.GenericCheck``)."""

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


def find(review: Review, source: str, generic: GenericRule | None = None) -> list[Finding]:
    """What in ``review`` is not grounded in ``source`` (the paper text the model was shown)."""
    plain = normalise(source)
    paper = Source(source)
    own = own_name(source)
    stated = states_release(source)
    found: list[Finding] = []
    texts = _texts(review)
    for key, index, text in texts:
        for quote in quotes(text):
            if not quote_in(quote, plain):
                found.append(Finding(key, index, "invented_quote", _shown(quote)))
        unquoted = QUOTE_RE.sub(" ", text)  # a quote is checked whole, above
        found += [Finding(key, index, "invented_number", n)
                  for n in paper.invented_numbers(unquoted)]  # fmt: skip
        found += [Finding(key, index, "invented_name", n) for n in paper.invented_names(unquoted)]
        sentences = SENTENCE_RE.split(text.strip())
        if not stated:
            found += [Finding(key, index, "invented_release", s)
                      for s in sentences if claims_release(s)]  # fmt: skip
        if index >= 0:
            if non_comment(own.sub("the method", text) if own else text):
                found.append(Finding(key, index, "non_comment", ""))
        else:  # a paragraph: each sentence that says nothing, named so it can be removed
            found += [Finding(key, index, "non_comment", s)
                      for s in sentences
                      if non_comment(own.sub("the method", s) if own else s)]  # fmt: skip
            if cut_off(text):
                found.append(Finding(key, index, "cut_off", sentences[-1]))
    if generic is not None:
        comments = [(k, i, t) for k, i, t in texts if i >= 0]
        for (key, index, _), flag in zip(
            comments, generic.flags([t for _, _, t in comments]), strict=True
        ):
            if flag:
                found.append(Finding(key, index, "generic_comment", "matches human comments"))
    return found


def cut_off(paragraph: str) -> bool:
    """True when ``paragraph`` ends without punctuation on a word no sentence ends with."""
    text = paragraph.rstrip()
    words = text.split()
    return bool(words) and text[-1].isalpha() and words[-1].lower() in DANGLING


def unverified(warnings: Sequence[str]) -> list[str]:
    """The findings a review still carries (kept because removing them would leave a section
    too short), one line per finding with every place it occurs: what a reader should check
    before trusting the review. Read from the run record's warnings, so old runs show it too."""
    places: dict[str, list[str]] = {}
    for warning in warnings:
        if warning.startswith(KEPT):
            where, _, what = warning[len(KEPT) :].partition(": ")
            places.setdefault(what, []).append(where)
    return [f"{', '.join(where)}: {what}" for what, where in places.items()]


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


def drop(review: Review, findings: Sequence[Finding]) -> tuple[Review, list[str]]:
    """Remove flagged list comments where the schema's minimum allows; warn about each finding."""
    data: dict[str, Any] = review.model_dump()
    schema = type(review).model_json_schema()["properties"]
    doomed: dict[str, set[int]] = {}
    for f in findings:
        if f.index >= 0:
            doomed.setdefault(f.field, set()).add(f.index)
    warnings: list[str] = []
    dropped: set[tuple[str, int]] = set()
    scrubbed: set[int] = set()
    for n, f in enumerate(findings):
        if f.index < 0 and f.kind in SCRUBBED and isinstance(data.get(f.field), str):
            shorter = _without_sentences(data[f.field], f)
            minimum = int(schema.get(f.field, {}).get("minLength", 0))
            if len(shorter) >= max(minimum, 1):
                scrubbed.add(n)
                if shorter != data[f.field]:
                    what = "" if f.kind in WHOLE_SENTENCE else "the sentence with "
                    warnings.append(f"removed {what}{f.describe()}")
                data[f.field] = shorter
    for key, indexes in doomed.items():
        items = data[key]
        minimum = int(schema.get(key, {}).get("minItems", 0))
        removable = set(sorted(indexes)[: max(0, len(items) - minimum)])
        data[key] = [item for i, item in enumerate(items) if i not in removable]
        dropped.update((key, i) for i in removable)
        warnings.extend(
            f"dropped {key} #{i + 1}: {_reason(findings, key, i)}" for i in sorted(removable)
        )
    warnings.extend(
        f"kept {f.describe()}"
        for n, f in enumerate(findings)
        if (f.field, f.index) not in dropped and n not in scrubbed
    )
    return type(review).model_validate(data), warnings


def _without_sentences(text: str, finding: Finding) -> str:
    """``text`` without the sentences that contain ``finding``'s invented number or name, or
    without the sentence the finding is about (one that says nothing or claims a release)."""
    sentences = SENTENCE_RE.split(text.strip())
    if finding.kind in WHOLE_SENTENCE:
        return " ".join(s for s in sentences if s != finding.detail)
    word = re.compile(rf"(?<!\w){re.escape(finding.detail)}(?!\w)", re.I)  # "RL", not "world"
    return " ".join(s for s in sentences if not word.search(s))


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."


def _reason(findings: Sequence[Finding], key: str, index: int) -> str:
    return "; ".join(f.describe() for f in findings if f.field == key and f.index == index)
