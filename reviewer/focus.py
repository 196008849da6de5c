"""Weakness focus: which aspects human reviewers are likely to comment on, from the abstract.

A small model writing from an abstract tends to pick the same safe weaknesses for every paper.
Human reviewers' comments lean towards different aspects for different papers (experiments
for one, comparisons or clarity for another). ``evals/aspect_focus.py`` labels the comments of
NeurIPS train papers' human reviews with the eval's aspect detector and fits one ridge per
aspect from the TF-IDF of title and abstract to the share of comments about it; the prompt
then asks for one weakness about each of the paper's predicted top aspects (``--focus``).
Whether that helps is measured, not assumed: benchmarks/RESULTS.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from reviewer.calibration import Prior, paper_text
from reviewer.errors import ConfigError
from reviewer.paper import Paper
from reviewer.resources import builtin

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

    def shares(self, title: str, abstract: str) -> dict[str, float]:
        """Predicted share of human comments about each aspect."""
        text = [paper_text(title, abstract)]
        return {a: float(p.predict(text)[0]) for a, p in self.priors.items()}

    def lifts(self, title: str, abstract: str) -> dict[str, float]:
        """Predicted share of each aspect over its train-wide share: above 1, reviewers of
        papers like this one comment on it more than on the average paper."""
        shares = self.shares(title, abstract)
        return {a: max(shares[a], 0.0) / self.base_rates[a] for a in shares}

    def aspects(self, title: str, abstract: str) -> list[str]:
        """The ``top`` aspects with the highest lift, highest first. (By predicted share alone
        every paper gets the same two, experiments and clarity: the base rates dominate.)"""
        lifts = self.lifts(title, abstract)
        return sorted(lifts, key=lambda a: -lifts[a])[: self.top]

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
            f"no aspect focus model at {where}: fit one with `python evals/aspect_focus.py`"
        )
    try:
        return AspectFocus.from_json(json.loads(where.read_text()))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the aspect focus model {where}: {exc}") from exc
