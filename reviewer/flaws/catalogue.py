"""The frozen catalogue of plantable flaws: six kinds, their templates, cues and descriptions.

Every kind builds its sentence(s) from the paper's own entities and a seeded generator, says
where in the text each sentence goes (``Placement``), and states the problem in one sentence
(the ``description`` the matcher compares review comments with). ``anchors`` are the planted
text's own specifics (its numbers and phrases) a review has to name to point at it; ``cues``
are the words that say what is wrong, and never occur in the kind's own templates (so restating
a planted sentence is not a catch). Change anything here and bump ``CATALOGUE_VERSION``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from reviewer.flaws.entities import Entities

CATALOGUE_VERSION = "flaws-v1"


class Placement(StrEnum):
    """Where a planted sentence goes; ``make.insert`` resolves it against the text."""

    INTRO = "intro"  # after the sentence that introduces the method (else the first one)
    RESULTS = "results"  # after the first sentence that reports a result (else before the end)
    END = "end"  # last, but before a closing "code is available" sentence


@dataclass(frozen=True)
class Planted:
    """One flaw written for one paper."""

    kind: str
    variant: str
    sentences: tuple[tuple[Placement, str], ...]
    description: str
    anchors: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(s for _, s in self.sentences)


Builder = Callable[[Entities, random.Random], Planted]


def _one(
    kind: str,
    variant: str,
    placement: Placement,
    sentence: str,
    description: str,
    anchors: tuple[str, ...],
) -> Planted:
    """A flaw planted as a single sentence (every kind but the contradiction)."""
    return Planted(kind, variant, ((placement, sentence),), description, anchors)


@dataclass(frozen=True)
class Kind:
    """A flaw kind: what it is, the words that name it, and how to plant it."""

    name: str
    summary: str
    cues: re.Pattern[str]
    build: Builder


def _cue(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _impossible_number(e: Entities, rng: random.Random) -> Planted:
    m, d, metric = e.method, e.dataset, e.metric.text
    if rng.random() < 0.5:
        p = round(rng.uniform(101.5, 112.0), 1)
        return _one(
            "impossible_number",
            "percent_over_100",
            Placement.RESULTS,
            f"{m.cap} reaches {p}% {metric} on {d.text}.",
            f"The {metric} of {p}% reported for {m.text} on {d.text} is impossible, since "
            f"{metric} cannot exceed 100%.",
            (f"{p}%",),
        )
    fast = 2 * rng.randint(2, 6)
    ratio = rng.choice([1.5, 2.0, 2.5, 3.0])
    slow = int(fast * ratio)
    claimed = round(ratio * rng.uniform(2.2, 3.4), 1)
    return _one(
        "impossible_number",
        "speedup_contradicts_times",
        Placement.RESULTS,
        f"Training {m.text} takes {fast} hours against {slow} hours for the standard "
        f"pipeline, a {claimed}x speed-up.",
        f"The stated {claimed}x speed-up of {m.text} contradicts its own times: {slow} hours "
        f"against {fast} hours is only a {ratio:g}x speed-up.",
        (f"{claimed}x", f"{fast} hours", f"{slow} hours"),
    )


_CLAIMS = (
    (
        "generalises to any domain and any language without retraining",
        "{M} also generalises to any domain and any language without retraining.",
        ("any domain", "any language", "without retraining"),
    ),
    (
        "is provably robust to every adversarial attack",
        "Moreover, {m} is provably robust to every adversarial attack.",
        ("every adversarial attack", "provably robust"),
    ),
    (
        "makes human evaluation of such systems unnecessary",
        "As a consequence, {m} makes human evaluation of such systems unnecessary.",
        ("makes human evaluation", "such systems unnecessary"),
    ),
    (
        "will remain the state of the art for years to come",
        "We expect {m} to remain the state of the art for years to come.",
        ("for years to come", "remain the state of the art"),
    ),
)


def _unsupported_claim(e: Entities, rng: random.Random) -> Planted:
    i = rng.randrange(len(_CLAIMS))
    claim, template, anchors = _CLAIMS[i]
    return _one(
        "unsupported_claim",
        f"claim_{i}",
        Placement.END,
        template.format(M=e.method.cap, m=e.method.text),
        f"The claim that {e.method.text} {claim} is not backed by any experiment, proof or "
        "citation in the paper.",
        anchors,
    )


def _missing_baseline(e: Entities, rng: random.Random) -> Planted:
    m, d, metric = e.method, e.dataset, e.metric.text
    if rng.random() < 0.5:
        n = round(rng.uniform(3.5, 14.5), 1)
        return _one(
            "missing_baseline",
            "points_over_unnamed",
            Placement.RESULTS,
            f"{m.cap} outperforms previous methods by {n} points of {metric} on {d.text}.",
            f"The claim that {m.text} beats previous methods by {n} points on {d.text} names "
            "no baseline, so the comparison cannot be checked.",
            (f"{n} points", f"{n}"),
        )
    k = round(rng.uniform(2.1, 6.8), 1)
    return _one(
        "missing_baseline",
        "speed_over_unnamed",
        Placement.RESULTS,
        f"On {d.text}, {m.text} runs {k}x faster than existing approaches.",
        f"The claim that {m.text} is {k}x faster than existing approaches on {d.text} does not "
        "say which approaches it was compared with.",
        (f"{k}x",),
    )


def _single_dataset(e: Entities, rng: random.Random) -> Planted:
    m, d, metric = e.method, e.dataset, e.metric.text
    if rng.random() < 0.5:
        return _one(
            "single_dataset",
            "any_dataset",
            Placement.END,
            f"Since {m.text} improves {metric} on {d.text}, we conclude that it improves "
            "performance on any dataset and task.",
            f"The conclusion that {m.text} helps on any dataset and task is generalised from "
            f"results on a single dataset, {d.text}.",
            ("any dataset", "dataset and task"),
        )
    return _one(
        "single_dataset",
        "every_benchmark",
        Placement.END,
        f"These results on {d.text} establish {m.text} as the best choice for every "
        "benchmark in the field.",
        f"Calling {m.text} the best choice for every benchmark generalises from results on a "
        f"single dataset, {d.text}.",
        ("every benchmark", "best choice"),
    )


def _test_leak(e: Entities, rng: random.Random) -> Planted:
    m, d, metric = e.method, e.dataset, e.metric.text
    if rng.random() < 0.5:
        return _one(
            "test_leak",
            "tuned_on_test",
            Placement.RESULTS,
            f"All hyperparameters of {m.text}, including the number of training epochs, "
            f"were selected on the test set of {d.text}.",
            f"Hyperparameters of {m.text} were selected on the test set of {d.text}, so its "
            "reported test results are optimistically biased (test-set leakage).",
            ("selected on the test set", "number of training epochs"),
        )
    runs = rng.choice([10, 20, 50])
    return _one(
        "test_leak",
        "best_test_checkpoint",
        Placement.RESULTS,
        f"We report the best of {runs} runs of {m.text}, keeping the checkpoint with the "
        f"highest {metric} on the test set of {d.text}.",
        f"Choosing the best of {runs} runs of {m.text} by its {metric} on the test set of "
        f"{d.text} leaks the test set into model selection and inflates the results.",
        (f"best of {runs}", f"{runs} runs"),
    )


_PAIRS = (
    (
        "{M} uses no labelled data at any stage of training.",
        "{M} is then fine-tuned on the labelled training split of {d}.",
        "uses no labelled data, yet also that it is fine-tuned on labelled data from {d}",
        ("no labelled data", "labelled training split", "fine-tuned on the labelled"),
    ),
    (
        "{M} adds no parameters to the base model.",
        "The additional modules of {m} double the parameter count of the base model.",
        "adds no parameters, yet also that its modules double the parameter count",
        ("adds no parameters", "no parameters", "double the parameter count"),
    ),
    (
        "{M} needs no extra computation at inference time.",
        "At inference time, {m} runs three additional forward passes per input.",
        "needs no extra computation at inference, yet also that it runs three additional "
        "forward passes per input",
        ("no extra computation", "additional forward passes", "three additional"),
    ),
)


def _contradiction(e: Entities, rng: random.Random) -> Planted:
    i = rng.randrange(len(_PAIRS))
    first, second, gist, anchors = _PAIRS[i]
    fill = {"M": e.method.cap, "m": e.method.text, "d": e.dataset.text}
    return Planted(
        "contradiction",
        f"pair_{i}",
        (
            (Placement.INTRO, first.format(**fill)),
            (Placement.END, second.format(**fill)),
        ),
        f"The paper says {e.method.text} {gist.format(**fill)}; the two statements contradict "
        "each other.",
        anchors,
    )


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "impossible_number",
            "an impossible or inconsistent number: a percentage above 100, or a speed-up that "
            "contradicts the stated times",
            _cue(
                r"impossib|cannot|can't|can not|exceed|above 100|over 100|more than 100|"
                r"greater than 100|beyond 100|implausib|inconsisten|contradict|not match|"
                r"doesn't match|mismatch|add up|wrong|error|typo|incorrect|miscalculat|"
                r"not possible|nonsens|unrealistic|suspicious|doubt|should be|would (?:be|give|"
                r"imply|mean)|only (?:a )?\d|physically|mathematically|invalid|questionable|"
                r"absurd|arithmetic|ratio|not follow"
            ),
            _impossible_number,
        ),
        Kind(
            "unsupported_claim",
            "a sweeping claim with no supporting experiment, proof or citation",
            _cue(
                r"evidence|support|substantiat|justif|overclaim|over-claim|overstat|exaggerat|"
                r"bold|strong claim|sweeping|no experiment|not (?:shown|demonstrated|tested|"
                r"evaluated|validated|proven|backed)|unproven|unverified|speculat|hyperbol|"
                r"without (?:proof|evidence|experiment|any)|no proof|no (?:data|result|analysis)|"
                r"claim"
            ),
            _unsupported_claim,
        ),
        Kind(
            "missing_baseline",
            "a comparison that names no baseline (better or faster than unnamed prior methods)",
            _cue(
                r"baseline|which (?:method|approach|prior|model|system|work)|what (?:method|"
                r"approach|prior|baseline|model|system)|compared (?:with|to|against)|"
                r"comparison|unnamed|not named|unspecified|not specified|not identified|vague|"
                r"against what|relative to"
            ),
            _missing_baseline,
        ),
        Kind(
            "single_dataset",
            "a conclusion about every dataset or task generalised from a single dataset",
            _cue(
                r"single|one dataset|one benchmark|only (?:one|a single|on|evaluated|tested)|"
                r"generali[sz]|extrapolat|broad|sweeping|overclaim|overstat|more datasets|"
                r"other datasets|additional datasets|further datasets|multiple datasets|"
                r"diverse|beyond|alone|narrow"
            ),
            _single_dataset,
        ),
        Kind(
            "test_leak",
            "an admitted leak: hyperparameters or checkpoints chosen on the test set",
            _cue(
                r"leak|contaminat|held-out|validation|optimistic|inflat|bias|overfit|snooping|"
                r"peek|tun(?:ed|ing) (?:on|against)|for tuning|model selection|cherry|invalid"
            ),
            _test_leak,
        ),
        Kind(
            "contradiction",
            "two sentences that contradict each other",
            _cue(
                r"contradict|inconsisten|conflict|at odds|incompatib|cannot both|can't both|"
                r"\bboth\b|\byet\b|but also|while also|on the other hand|confus|mutually|"
                r"paradox|clash|irreconcil|opposite|contrary|however|which (?:is|one)"
            ),
            _contradiction,
        ),
    )
}
"""The frozen catalogue, in its documented order."""


def plant(kind: str, entities: Entities, rng: random.Random) -> Planted:
    """Write flaw ``kind`` for a paper with these entities."""
    return KINDS[kind].build(entities, rng)
