"""Claims that code, data or models are released, where the paper text says nothing of it.

Asked about reproducibility, the embedded model answers "The authors provide code, data, and
detailed information" for half of the papers whose abstract never mentions code (183 of 375
dev and planted-flaw reviews at commit 8bde8b6). That is an invented fact like an invented
number. One rule for generation (``reviewer.checks.grounding`` removes the sentence) and for the
eval
(``text_quality.unsupported_release_rate``); change :data:`RELEASE_RULE` with it.
"""

from __future__ import annotations

import re

RELEASE_RULE = "release-v2"
# v2 (from v1): no claim in a question, a wish or a refusal; "include" and "make" need code or
# (for "make") "available"; "publish" and "shared" need a determiner ("outperforming all
# published models", "with shared weights"); "open-source" as an adjective only of code ("open-
# source models" are other people's); nothing across a preposition ("shared across three model
# sizes"), nor "implementation details", "pseudo code", "data-driven", "model sizes"; and a
# passive claim's subject is not inside a prepositional phrase ("Experiments on real data are
# provided").

_CODE = (
    r"(?:code(?:base| base)?|source code|implementations?|scripts?|repository|weights|checkpoints?)"
)
_SHARED_CODE = r"(?:code(?:base| base)?|source code|implementations?|scripts?|repository)"
_WHAT = rf"(?:{_CODE}|data(?:sets?)?|models?|kernels?)"
# what may not follow the object: then it names something else ("implementation details",
# "model sizes", "data-driven", "code-level")
_NOT_THING = r"(?!-|\s+(?:details?|choices|specifics|sizes?|overhead|complexity)\b)"
_NOT_PSEUDO = r"(?<!pseudo )(?<!pseudo-)"
_PREPOSITIONS = (
    r"across|between|among|with|within|in|on|of|for|from|by|to|at|over|under|into|onto|via|"
    r"through|during|about|regarding|including|like|than|as|per"
)
_WORD = rf"(?:(?!(?:{_PREPOSITIONS})(?![\w-]))[\w-]+ )"  # a word between a verb and its object
_DET = r"(?:the |their |its |our |all |a |an )"
_AVAILABLE = (
    r"(?:\s+[\w-]+){0,3}?\s+(?:publicly |freely |openly )?"
    r"(?:available|public|open[- ]sourced?|accessible)\b"
)
_CLAIM = re.compile(
    # "provide(s) the code", "offers the necessary data": code-like things, and data
    rf"\b(?:provides?|provided|offers?) {_DET}?{_WORD}{{0,2}}{_NOT_PSEUDO}"
    rf"(?:{_CODE}\b{_NOT_THING}|data\b(?! (?:on|about|of|from|that|which)\b){_NOT_THING})"
    # "includes a TensorFlow implementation": code-like things only
    rf"|\b(?:includes?|included) {_DET}?{_WORD}{{0,2}}{_NOT_PSEUDO}{_CODE}\b{_NOT_THING}"
    # "make the code available", "made the dataset public"
    rf"|\b(?:makes?|made) {_DET}?{_WORD}{{0,2}}{_WHAT}\b{_NOT_THING}{_AVAILABLE}"
    # "release(s) the dataset", "open-sourced the models": anything released
    rf"|\b(?:releases?|released|releasing|open[- ]sourced|open[- ]sources|open[- ]sourcing) "
    rf"{_DET}?{_WORD}{{0,3}}{_WHAT}\b{_NOT_THING}"
    # "published their code", "share the dataset": with a determiner (else it is "published
    # models" of others, "share similar scripts", "shared weights" of a network); and never
    # weights, whose sharing is a network's
    rf"|\b(?:publish(?:es|ed)?|shares?|shared) {_DET}{_WORD}{{0,2}}"
    rf"(?:{_SHARED_CODE}|data(?:sets?)?|models?)\b{_NOT_THING}"
    # "open-source code", "an open source implementation": the adjective, of code only
    rf"|\bopen[- ]source {_WORD}{{0,1}}{_SHARED_CODE}\b{_NOT_THING}"
    # "Code, data, and details for Lizard are available"
    rf"|(?P<passive>\b{_WHAT}\b{_NOT_THING}[^.;]{{0,60}}\b(?:is|are|will be|has been|have been)\s+"
    rf"(?:\w+\s+)?(?:available|provided|released|open[- ]sourced?|public"
    rf"|shared(?!\s+(?:across|between|among)\b)))\b"
    r"|\b(?:link|url)s? to (?:the |their |its )?(?:code|repository|data)",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|no|never|without|lacks?|lacking|missing|unclear|whether|if|unless|should|could|"
    r"would|needs?|needed|requires?|required|absent|nor|hope|hopefully|wish|willing|please|"
    r"assumes?|assumed|assuming|rarely|seldom|cannot)\b|n[\'’]t\b",
    re.IGNORECASE,
)  # "does not provide code", "whether code is released", "would need the code", "I hope the
# authors will publish their code", "won't release the dataset": no claim
_IN_PHRASE = re.compile(rf"(?<![\w-])(?:{_PREPOSITIONS})(?![\w-])", re.IGNORECASE)
_STATED = re.compile(
    r"\b(?:code|github|gitlab|open[- ]sourced?|release[sd]?|releasing|publicly available|"
    r"available (?:at|online|on|from)|will be (?:made )?available|huggingface|hugging face)\b"
    r"|https?://|www\.",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def claims_release(sentence: str) -> bool:
    """Whether ``sentence`` says that code, data or models are released or provided (a
    question asks, it does not say)."""
    if sentence.rstrip().endswith("?") or _NEGATED.search(sentence):
        return False
    pos = 0
    while (match := _CLAIM.search(sentence, pos)) is not None:
        if not match.group("passive") or not _in_phrase(sentence[: match.start()]):
            return True
        pos = match.start() + 1
    return False


def _in_phrase(before: str) -> bool:
    """Whether a passive claim's subject, preceded by ``before``, sits in a prepositional
    phrase ("Experiments, on both synthetic and real data, are provided"): a preposition among
    the five words before it."""
    return bool(_IN_PHRASE.search(" ".join(before.split()[-5:])))


def states_release(source: str) -> bool:
    """Whether the paper text says anything about released code, data or models (a link, a
    release statement, "publicly available", "We provide a TensorFlow implementation")."""
    return bool(_STATED.search(source)) or bool(release_claims(source))


def release_claims(text: str) -> list[str]:
    """The sentences of ``text`` that say code, data or models are released."""
    return [s for s in _SENTENCE.split(text.strip()) if s and claims_release(s)]


def unsupported_release(text: str, source: str) -> list[str]:
    """The sentences of ``text`` that claim a release the paper text never mentions."""
    return [] if states_release(source) else release_claims(text)
