"""Weakness focus: which aspects human reviewers are likely to comment on, from the abstract.

A small model writing from an abstract tends to pick the same safe weaknesses for every paper.
Human reviewers' comments lean towards different aspects for different papers (experiments
for one, comparisons or clarity for another). ``evals/fit/aspect_focus.py`` labels the comments of
NeurIPS train papers' human reviews with the eval's aspect detector and fits one ridge per
aspect from the TF-IDF of title and abstract to the share of comments about it; the prompt
then asks for one weakness about each of the paper's predicted top aspects (``--focus``).
Whether that helps is measured, not assumed: benchmarks/RESULTS.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from reviewer.calibration import Prior, paper_text
from reviewer.errors import ConfigError
from reviewer.inputs.paper import Paper
from reviewer.resources import builtin

if TYPE_CHECKING:  # numpy is the [eval] extra: imported where used
    import numpy as np

FOCUS_PATH = builtin("evals") / "aspect-focus.json"
DEFAULT_TOP = 2
"""Aspects asked about per paper: the compact profile asks for 2-3 weaknesses."""

DESCRIPTIONS = {
    "motivation": "the motivation: why the problem matters and why this approach suits it",
    "originality": "novelty: what is new relative to the prior work it builds on",
    "soundness": "soundness: whether the method and its claims are technically justified",
    "substance": "the experiments: datasets, baselines, ablations and analysis behind the claims",
    "replicability": "reproducibility: the details someone would need to rerun the work",
    "meaningful_comparison": "comparisons: which closest methods or baselines it is measured "
    "against",
    "clarity": "clarity: which parts of the presentation are hard to follow or underspecified",
}
"""Each aspect of the eval's detector (DISAPERE's labels) in the words the prompt uses."""


class FocusSource(Protocol):
    def for_paper(self, paper: Paper) -> list[str]: ...


@dataclass
class AspectFocus:
    """One abstract ridge per aspect over a shared TF-IDF vocabulary, with the train base rates."""

    priors: dict[str, Prior]
    base_rates: dict[str, float]
    top: int = DEFAULT_TOP
    info: dict[str, Any] | None = None

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """``(texts, aspects)`` predicted share of human comments about each aspect, columns in
        ``priors`` order: the texts are vectorised once over the shared vocabulary."""
        import numpy as np

        priors = list(self.priors.values())
        coef = np.column_stack([p.coef for p in priors])
        return priors[0].vectors(texts) @ coef + np.array([p.bias for p in priors])

    def choose(self, texts: Sequence[str]) -> list[list[str]]:
        """For each text, the ``top`` aspects with the highest lift (predicted share over the
        train-wide share), highest first. (By predicted share alone almost every paper gets the
        same two, experiments and clarity: the base rates dominate.)"""
        import numpy as np

        names = list(self.priors)
        lifts = np.clip(self.predict(texts), 0.0, None) / [self.base_rates[a] for a in names]
        order = np.argsort(-lifts, axis=1, kind="stable")[:, : self.top]
        return [[names[k] for k in row] for row in order]

    def aspects(self, title: str, abstract: str) -> list[str]:
        """The focus aspects of one paper (see :meth:`choose`)."""
        return self.choose([paper_text(title, abstract)])[0]

    def for_paper(self, paper: Paper) -> list[str]:
        """The paper's focus aspects in the prompt's words."""
        return [DESCRIPTIONS[a] for a in self.aspects(paper.title, paper.abstract)]

    def to_json(self) -> dict[str, Any]:
        first = next(iter(self.priors.values()))
        return {
            "terms": first.terms,
            "idf": first.idf,
            "ngram_max": first.ngram_max,
            "aspects": {a: {"coef": p.coef, "bias": p.bias} for a, p in self.priors.items()},
            "base_rates": self.base_rates,
            "top": self.top,
            "info": self.info or {},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AspectFocus:
        terms, idf, ngram = list(data["terms"]), list(data["idf"]), int(data["ngram_max"])
        priors = {
            a: Prior(terms, idf, list(w["coef"]), float(w["bias"]), ngram)
            for a, w in data["aspects"].items()
        }
        unknown = set(priors) - set(DESCRIPTIONS)
        if unknown:
            raise ConfigError(f"aspect focus file names unknown aspects: {sorted(unknown)}")
        return cls(priors, dict(data["base_rates"]), int(data.get("top", DEFAULT_TOP)),
                   dict(data.get("info", {})))  # fmt: skip


def load_focus(path: str | Path | None = None) -> AspectFocus:
    """The fitted focus model (the package's file by default); a clear error when missing."""
    where = Path(path) if path else FOCUS_PATH
    if not where.is_file():
        raise ConfigError(
            f"no aspect focus model at {where}: fit one with `python evals/fit/aspect_focus.py`"
        )
    try:
        return AspectFocus.from_json(json.loads(where.read_text()))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the aspect focus model {where}: {exc}") from exc
