"""Text rules shared by generation and the eval: does a review comment say anything?

A small model fills a list it has nothing for with comments that say nothing: an absence
("There are no major weaknesses mentioned in the abstract."), a deferral ("Further research
in this area is needed.") or a remark that would fit any paper ("How does it compare to other
approaches?"; callers replace the paper's own name first, which names nothing new).
``non_comment`` tells them apart from real comments with a few patterns and a
vocabulary of words that carry no paper-specific content; anything naming a number, an
acronym or a term outside that vocabulary counts as saying something.
"""

from __future__ import annotations

import re

_META = (
    r"(?:weakness|weaknesses|strengths?|concerns?|issues?|flaws?|drawbacks?|shortcomings?|"
    r"criticisms?|questions?|problems?|comments?|limitations?)"
)
_QUAL = r"(?:\s+(?:major|significant|obvious|notable|specific|apparent|real|clear|other|further"
_QUAL += r"|particular|serious|critical|additional|explicit|potential|key|main))*"
_EMPTY = re.compile(
    r"^\W*(?:(?:i|we)\s+(?:have|had|see|found)\s+|there\s+(?:are|is|were)\s+)?"
    rf"(?:none|n/?a|nil|nothing(?: to (?:add|report|mention))?|not applicable|"
    rf"no{_QUAL}\s+{_META}(?:\s+(?:to|for)\s+(?:the\s+)?(?:authors?|report|add|mention))?)\W*$",
    re.I,
)
# "There are no major weaknesses mentioned in the abstract." / "No concerns were identified."
_ABSENT = re.compile(
    rf"\b(?:no|not any|none of the|without any){_QUAL}\s+{_META}\b[^.;]{{0,60}}?"
    r"\b(?:mentioned|stated|identified|noted|found|apparent|evident|given|provided|reported|"
    r"listed|highlighted|raised|discussed|visible|in the abstract)\b",
    re.I,
)
# "The abstract does not mention any weaknesses." (a paper's missing limitations section is a
# real criticism; "the abstract" not listing them is not)
_NOT_MENTIONED = re.compile(
    r"\b(?:abstract|text|paper|authors?)\s+(?:does|do|did)\s*(?:not|n't)\s+(?:mention|state|"
    rf"list|identify|highlight|report|specify|note|raise|discuss)(?:\s+any)?{_QUAL}\s+"
    r"(?:weakness|weaknesses|strengths?|concerns?|flaws?|drawbacks?|shortcomings?|"
    r"criticisms?|issues?)\b"
    r"|\b(?:limitations?|weakness(?:es)?)\b[^.;]{0,40}\b(?:not|never)\s+(?:mentioned|stated|"
    r"discussed|listed)\s+in the abstract\b",
    re.I,
)
_DEFERRAL = re.compile(
    r"\b(?:further|more|additional|future)\s+(?:research|work|studies|study|investigation|"
    r"exploration|analysis|experiments?|experimentation|evaluation|validation|testing)\b"
    r"|\bfuture (?:work|research|studies)\b",
    re.I,
)
# "How does X compare to other finetuning approaches?": a comparison with nothing named.
_VAGUE_COMPARE = re.compile(
    r"\b(?:compare[sd]?|comparison|comparisons|compared|benchmark(?:ed)?)\s+(?:to|with|against)"
    r"\s+(?:the\s+)?(?:other|existing|previous|prior|alternative|similar|related|current|"
    r"state[- ]of[- ]the[- ]art|sota|traditional|conventional|standard|baseline|competing)"
    r"(?:\s+[\w-]+){0,3}?\s+(?:methods|approaches|techniques|models|baselines|works|algorithms|"
    r"frameworks|systems|solutions|methodologies)\W*$",
    re.I,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d")
# Words that name nothing about a particular paper: with stopwords, what a comment built only
# from them could say about any paper.
_GENERIC_TEXT = """
    a about above across additional address addressed addresses after again against all also
    although an analysis analyze and any applicability applicable application applications
    applied apply approach approaches are area areas as aspect aspects assess assessment at
    author authors be been beneficial benefit better between beyond both broader but by can
    case cases challenge challenges claim claims clarify clarity clear clearly compare compared
    comparison comparisons complete comprehensive computational concern concerns contribution
    contributions could cost costs current data dataset datasets demonstrate demonstrated
    demonstrates depth describe described detail detailed details different direction
    directions discuss discussed discussion do does domain domains each effective
    effectiveness efficiency efficient enough especially evaluate evaluated evaluation
    evidence example examples existing experiment experimental experiments explain
    explanation explore explored extend extended extensive field findings focus for framework
    from further future general generalizability generalization generalize given good has
    have helpful how however if impact implementation implications important improve improved
    improvement improvements in include including information insight insights interesting
    investigate investigated investigation is issue issues it its itself justification
    justify lack lacks less limitation limitations limited made main make many may method
    methodology methods might more most much necessary need needed needs new not novel
    novelty of on other others outcome outcomes overall paper papers particular perform
    performance performs potential practical presentation presented promising proposed
    provide provided provides quality questions real real-world regarding relevant required
    research result results robust robustness scalability scalable scenario scenarios scope
    section setting settings should show shown significant significance similar so some
    specific state-of-the-art strength strengths strong studies study such suggest
    sufficient support table task tasks technique techniques than that the their them then
    there these they this those thorough through to topic under understand understanding
    unclear use used useful using valuable validate validation various very well were what
    when where whether which while who why will with within work works would written
    """
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())


def _content_words(text: str) -> list[str]:
    return [w.lower().strip("'-") for w in _WORD.findall(text)]


def says_nothing_specific(text: str) -> bool:
    """True when every word of ``text`` is in ``GENERIC_WORDS`` (no digit, acronym or term)."""
    return all(w in GENERIC_WORDS for w in _content_words(text))


def non_comment(text: str) -> bool:
    """True for a review comment that says nothing about its paper: an empty answer, a stated
    absence of weaknesses or questions, a deferral to "further research" with nothing
    specific, a comparison with unnamed "other approaches", or words that fit any paper."""
    text = " ".join(text.split())
    if len(_content_words(text)) < 2 or _EMPTY.match(text):
        return True
    if _ABSENT.search(text) or _NOT_MENTIONED.search(text):
        return True
    for vague in (_VAGUE_COMPARE, _DEFERRAL):  # nothing named beside "other approaches"
        if vague.search(text) and says_nothing_specific(vague.sub(" ", text)):
            return True
    return says_nothing_specific(text)
