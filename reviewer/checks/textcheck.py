"""Non-comments: review items that state an absence, defer, or say nothing about the paper.

One rule for everyone: the eval harness counts them (``text_quality.non_comment_rate``) and
generation may send them back to the model, so both import :func:`non_comment` from here. The
rule is a fixed list of patterns, versioned with :data:`NON_COMMENT_VERSION`; change the
version whenever a pattern changes, since figures measured under different rules differ.

Three kinds:

- ``absence``: the item reports what the text it was shown lacks, not what the paper does
  ("There are no major weaknesses mentioned in the abstract.", "None identified.");
- ``defers``: it hands the judgement to someone else or to later ("Further research in this
  area is needed.", "It remains to be seen whether ...");
- ``empty``: a question or remark that would fit any paper ("How does QLoRA compare to other
  finetuning approaches?", "What are the limitations of the proposed method?").

A comment that names what is missing from the *paper* ("Variance over seeds is not reported")
is a real comment and is not matched: the absence patterns need the abstract, summary or text
as the place where something is missing, or no object at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from reviewer.checks.vocabulary import GENERIC_WORDS
from reviewer.review import item_text

NON_COMMENT_VERSION = "noncomment-v6"

_SHOWN = (
    r"(?:the |this )?(?:abstract|summary|(?:provided|given) (?:text|description|excerpt|"
    r"information))"
)  # what the model was shown; "the main text" is the paper's and stays a real comment
_THING = (
    r"(?:major |significant |notable |obvious |clear |specific |particular |apparent |other |"
    r"further |additional |real |serious |unstated |explicit )*"
    r"(?:weakness(?:es)?|limitations?|strengths?|issues?|concerns?|flaws?|questions?|"
    r"problems?|drawbacks?|shortcomings?|details?|information|assumptions?)"
)
_NOTHING = rf"{_THING}(?:,? (?:or|and|nor) {_THING})*"  # "no limitations or unstated assumptions"
_ASKED = (
    r"(?:contributions?|novelty|limitations|weaknesses|strengths|advantages|disadvantages|"
    r"implications|applications|future directions)"
)  # what a form asks of every paper; a question about it alone would fit any paper
_WORK = (
    r"(?:approach|method|work|paper|model|framework|technique|study|evaluation|benchmark|"
    r"system|algorithm|analysis)"
)
_METHODS = (
    r"(?:approaches|methods|models|techniques|baselines|works|frameworks|systems|algorithms|"
    r"solutions|strategies|architectures|methodologies)"
)
_WORKS = rf"(?:{_WORK}|{_METHODS})"  # noncomment-v5: "the limitations of the proposed methods"
_MORE_WORK = (
    r"\b(?:further|more|additional|future) (?:research|work|investigation|studies|study|"
    r"exploration|analysis|experiments?|evaluation)"
)
_NOT_GIVEN = (
    r"^\W*(?:(?:the )?(?:authors?|paper|work|abstract|study) )?(?:do|does|did) not (?:mention|"
    r"provide|state|list|identify|discuss|acknowledge|address|present|report|describe)"
)  # "The authors do not mention ...": what follows says whether it names anything (v6: the
# subject may be left out, "Does not address main limitations")
_ABOUT = (
    r"(?:a |an )?(?:detailed |thorough |clear |comprehensive |in-depth |explicit |sufficient |"
    r"deeper )?(?:information|details?|discussion|analysis|explanation|insights?) (?:on|about|"
    r"regarding|of|into) "
)  # noncomment-v6: "a detailed analysis of ...", "a detailed explanation of ..."
_ASKED_OF = (
    rf"(?:the |its |their |potential |possible |main |major |key )*{_ASKED}(?: and (?:the |its |"
    rf"their |unstated |underlying )*(?:{_ASKED}|assumptions))?(?: of (?:the |this |their |its |"
    rf"our )?(?:proposed |presented |new |existing |current |prior |previous |other |"
    rf"state[- ]of[- ]the[- ]art )*(?:{_WORKS}|metrics))?"
)  # what a form asks of every paper, of the work or of "existing methods" (v6: "main", "and
# unstated assumptions", "strengths and weaknesses", "existing metrics")
_OTHER = (
    r"(?:other|existing|previous|prior|similar|alternative|related|state[- ]of[- ]the[- ]art|"
    r"current|traditional|conventional|competing|standard|baseline)"
)

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        # absence: about what the shown text does not say
        ("absence", rf"\b(?:no|not any|none)\b[^.?!]{{0,60}}\b(?:mentioned|stated|provided|"
                    rf"discussed|described|given|reported|specified|identified|found|noted|"
                    rf"apparent|evident)\b[^.?!]{{0,20}}\b(?:in|from|by|within) {_SHOWN}\b"),
        ("absence", rf"\b{_SHOWN} (?:does not|doesn't|did not|fails to|lacks|omits) "
                    r"(?:mention|provide|specify|discuss|detail|describe|say|include|state|"
                    r"give|report|contain|offer|address)"),
        ("absence", rf"\b(?:not|isn't|is not|are not|aren't) (?:clear|evident|apparent|specified|"
                    rf"mentioned|provided|stated|discussed|described) (?:from|in) {_SHOWN}\b"),
        ("absence", r"\b(?:based (?:solely |only )?on|from|given) (?:the |this )?(?:abstract|"
                    r"(?:provided |given )?text|summary)(?: alone| only)?,? (?:it is|it's) "
                    r"(?:difficult|hard|impossible|not possible|unclear)"),
        ("absence", rf"^\W*(?:there (?:are|is|were|was) )?(?:no|none) {_NOTHING}"
                    r"(?: (?:were|was|are|is|have been|has been|can be))?"
                    r"(?: (?:identified|noted|found|mentioned|apparent|evident|observed|"
                    r"stated|given|provided|raised|reported))?\W*$"),
        ("absence", r"^\W*(?:none|n/?a|not applicable|nothing(?: to (?:note|report|add))?)\W*$"),
        # the form's own question answered with "none" ("The authors do not mention any
        # weaknesses."); a named thing ("... any limitations of the 4-bit format") stays
        ("absence", rf"{_NOT_GIVEN} (?:any )?{_NOTHING}\W*$"),  # v5: "any" optional
        # noncomment-v4: the same with what a form asks of every paper as the object ("The
        # authors do not provide information on the limitations of the model.")
        ("absence", rf"{_NOT_GIVEN} (?:any |(?:any )?{_ABOUT})?{_ASKED_OF}\W*$"),
        # defers: someone else, later
        ("defers", rf"{_MORE_WORK} (?:in this (?:area|field|direction|domain) )?(?:is|are|"
                   r"would be|will be|may be|might be|could be|seems?|appears?) (?:\w+ )?"
                   r"(?:needed|required|necessary|warranted|beneficial|useful|helpful|"
                   r"valuable)\W*$"),
        ("defers", r"^\W*(?:it )?(?:remains to be seen|only time will tell|time will tell|"
                   r"future work will (?:tell|show|determine))\b"),
        # empty: would fit any paper
        ("empty", rf"^\W*how (?:does|do|did|would|well does|well do) [^?]{{0,80}}\bcompare "
                  rf"(?:to|with|against) {_OTHER} (?:[\w-]+ ){{0,3}}{_METHODS}"
                  r"(?: in (?:the|this) (?:field|area|literature|domain))?\s*\?\W*$"),
        ("empty", rf"^\W*what (?:is|are) (?:the )?(?:main |key |primary |major |core |"
                  rf"potential |possible )?{_ASKED}(?: and (?:the )?{_ASKED})? of (?:the |this |"
                  rf"our |your )?(?:proposed |presented |new )?{_WORKS}(?:,? and how (?:can|could|"
                  r"might|would|should) (?:they|these|it|this|those) be (?:addressed|mitigated|"
                  r"overcome|improved|resolved|fixed))?\W*$"),
        ("empty", r"^\W*what (?:is|are) the (?:main |primary |overall |key )?(?:purpose|goal|aim|"
                  r"objective|motivation|idea|focus)s? of (?:the |this )?(?:paper|work|study|"
                  r"research)\W*$"),
        # noncomment-v4: asks what the paper itself says it does, or for a reviewer's own
        # judgement ("What is the approach used in the paper?", "What are the strengths of GANs?")
        ("empty", rf"^\W*what (?:is|are) the (?:main |key |overall |general )?{_WORK} (?:used|"
                  r"proposed|presented|described|taken|adopted|followed) (?:in|by) (?:the |this )?"
                  r"(?:paper|work|study|authors)\W*$"),
        ("empty", r"^\W*what (?:is|are) the (?:main |key |major )?strengths? of [^?]{1,60}\?\W*$"),
        # noncomment-v5: the form's question about one name, the paper's own or any ("What are
        # the limitations of SymSGD?"), or asking how it could be better
        ("empty", rf"^\W*what (?:is|are) (?:the )?(?:main |key |primary |major |potential |"
                  rf"possible )?{_ASKED} of (?:the )?[\w-]+\s*\?\W*$"),
        ("empty", rf"^\W*how (?:can|could|might|would) (?:the |this )?(?:proposed )?{_WORKS} be "
                  r"(?:further )?improved(?: further)?\s*\?\W*$"),
        ("empty", r"^\W*(?:can|could|how can|how could|would) (?:the |this )?(?:proposed |"
                  r"presented )?(?:approach|method|model|framework|technique) be (?:applied|"
                  r"extended|generali[sz]ed|adapted|used) (?:to|for|in) (?:other|different|"
                  r"new|more|various) (?:tasks|domains|datasets|settings|problems|"
                  r"applications|areas|fields)\W*$"),
    )
)  # fmt: skip


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d")


# noncomment-v3: a deferral followed by what the further work would be for ("... is needed to
# determine the effectiveness of the proposed methods") defers when that purpose names nothing
# about the paper: every word generic or one of _PURPOSE.
_DEFERS_FOR = re.compile(
    rf"(?:{_MORE_WORK} (?:(?:is|are|would be|will be|may be|might be|could be) )?(?:\w+ )?"
    r"(?:needed|required|necessary|warranted)|"
    # noncomment-v5: the same with the verb first ("need more research to fully understand
    # their limitations", "may require further research to improve its effectiveness")
    rf"\b(?:needs?|needed|requires?|required|require|warrants?|suggests?|suggested|calls? for) "
    rf"{_MORE_WORK}) (?P<purpose>(?:to|on|into|for) [^.?!]+)\W*$",
    re.IGNORECASE,
)
_PURPOSE_TEXT = "determine confirm establish verify assess fully full extent true truly gain deeper"
_PURPOSE_TEXT += " model models"  # noncomment-v4
_PURPOSE_TEXT += " assumption assumptions"  # noncomment-v6: "... to understand its assumptions"
_PURPOSE = frozenset(_PURPOSE_TEXT.split())
"""What a deferral says further work would do, when it names nothing to do it on."""


def _content_words(text: str) -> list[str]:
    return [w.lower().strip("'-") for w in _WORD.findall(text)]


def says_nothing_specific(text: str, also: frozenset[str] = frozenset()) -> bool:
    """True when every word of ``text`` is in ``GENERIC_WORDS`` or ``also`` (no digit, acronym
    or term)."""
    return all(w in GENERIC_WORDS or w in also for w in _content_words(text))


def non_comment(text: str) -> str | None:
    """The kind (``absence``, ``defers``, ``empty``) when ``text`` is a non-comment, else None.

    ``text`` is one item or one sentence; a longer item counts when any of its sentences does.
    """
    for sentence in _sentences(text):
        for kind, pattern in PATTERNS:
            if pattern.search(sentence):
                return kind
        found = _DEFERS_FOR.search(sentence)
        if found and says_nothing_specific(found["purpose"], also=_PURPOSE):
            return "defers"
    return None


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def review_units(review: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, unit) of a review dict: each list item whole, each sentence of a paragraph.

    Scores and the decision are skipped; objects in lists give their text fields.
    """
    for key, value in review.items():
        if isinstance(value, str):
            if key != "decision":
                for sentence in _sentences(value):
                    yield key, sentence
        elif isinstance(value, list):
            for item in value:
                text = item_text(item)
                if text:
                    yield key, text


def non_comments(review: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(field, text, kind) of every non-comment unit of a review dict."""
    found = []
    for key, unit in review_units(review):
        kind = non_comment(unit)
        if kind is not None:
            found.append((key, unit, kind))
    return found
