"""Claims that code, data or models are released, where the paper text says nothing of it.

Asked about reproducibility, the embedded model answers "The authors provide code, data, and
detailed information" for half of the papers whose abstract never mentions code (183 of 375
dev and planted-flaw reviews at commit 8bde8b6). That is an invented fact like an invented
number. One rule for generation (``reviewer.grounding`` removes the sentence) and for the eval
(``text_quality.unsupported_release_rate``); change :data:`RELEASE_RULE` with it.
"""

from __future__ import annotations

import re

RELEASE_RULE = "release-v1"

_CODE = (
    r"(?:code(?:base| base)?|source code|implementations?|scripts?|repository|weights|checkpoints?)"
)
_WHAT = rf"(?:{_CODE}|data(?:sets?)?|models?|kernels?)"
_CLAIM = re.compile(
    # "provide(s) the code", "includes a TensorFlow implementation": code-like things only
    rf"\b(?:provides?|provided|includes?|included|makes?|made|offers?) (?:the |their |its |all |"
    rf"a |an )?(?:[\w-]+ ){{0,2}}(?:{_CODE}\b|data\b(?! (?:on|about|of|from|that|which)\b))"
    # "release(s) the dataset", "open-sourced the models": anything released
    rf"|\b(?:releases?|released|shares?|shared|publish(?:es|ed)?|open[- ]sources?d?) (?:the |"
    rf"their |its |all |a |an )?(?:[\w-]+ ){{0,2}}{_WHAT}\b"
    # "Code, data, and details for Lizard are available"
    rf"|\b{_WHAT}\b[^.;]{{0,60}}\b(?:is|are|will be|has been|have been)\s+(?:\w+\s+)?"
    rf"(?:available|provided|released|open[- ]sourced?|shared|public)\b"
    r"|\b(?:link|url)s? to (?:the |their |its )?(?:code|repository|data)",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|no|never|without|lacks?|lacking|missing|unclear|whether|if|should|could|would|"
    r"needs?|needed|requires?|required|absent|nor)\b",
    re.IGNORECASE,
)  # "does not provide code", "whether code is released", "would need the code": no claim
_STATED = re.compile(
    r"\b(?:code|github|gitlab|open[- ]sourced?|release[sd]?|releasing|publicly available|"
    r"available (?:at|online|on|from)|will be (?:made )?available|huggingface|hugging face)\b"
    r"|https?://|www\.",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def claims_release(sentence: str) -> bool:
    """Whether ``sentence`` says that code, data or models are released or provided."""
    return bool(_CLAIM.search(sentence)) and not _NEGATED.search(sentence)


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
