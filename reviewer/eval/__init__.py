"""The eval harness: score generated reviews against held-out human reviews.

One stage per module: ``inputs`` (the references and the reviews to score, read once, with
``predictions`` reading another system's file) -> ``metrics``, ``comments``, ``coverage``,
``textsim`` (figures with bootstrap intervals) -> ``baselines`` (scored the same way) -> ``run``
(choose the systems, score them, write metrics.json) -> ``report`` (markdown and HTML);
``formref`` scores against a form reference set instead. What generation needs
too lives outside this package and is imported from there: ``reviewer.references`` (human
data), ``reviewer.references.segment`` (the comment splitter), ``reviewer.embed`` (cached sentence
vectors) and ``reviewer.checks.generic`` (the generic-comment rule); generation never imports the
eval. ``cli.eval_command`` is ``reviewer eval``.

Names are imported on first use, so ``import reviewer.cli.eval`` (done by the main CLI on
every command) does not pay for scikit-learn, scipy and rouge-score.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "EvalConfig": "reviewer.eval.inputs",
    "load_inputs": "reviewer.eval.inputs",
    "run_eval": "reviewer.eval.run",
    "HumanReview": "reviewer.references",
    "Reference": "reviewer.references",
    "load_references": "reviewer.references",
    "papers_for_generation": "reviewer.references",
    "select": "reviewer.references",
    "Prediction": "reviewer.eval.predictions",
    "load_predictions": "reviewer.eval.predictions",
    "parse_mapping": "reviewer.eval.predictions",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'reviewer.eval' has no attribute {name!r}")
