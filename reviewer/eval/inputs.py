"""An eval's inputs: what to score (``EvalConfig``) and the papers and reviews it reads.

``load_inputs`` is the eval's first stage. The command line calls it once and hands the result
to ``run_eval``, so references and predictions are read once per run however many steps look
at them (the form-reference check, the calibration choice, the scoring).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.calibration import Calibration
from reviewer.errors import ConfigError
from reviewer.eval.baselines import BASELINES
from reviewer.eval.metrics import DECISION_THRESHOLD, N_RESAMPLES, SEED
from reviewer.eval.predictions import LoadedPredictions, load_predictions
from reviewer.references import (
    COMMON_SCALE,
    Reference,
    is_form_reference_set,
    load_references,
    resolve_references,
    select,
)


@dataclass
class EvalConfig:
    """Everything a run depends on; written to metrics.json as the protocol."""

    out: Path
    references: str | Path | None = None
    split: str | None = "test"
    years: tuple[int, ...] = ()
    limit: int | None = None
    predictions: Path | None = None
    mapping: dict[str, list[str]] | None = None
    pred_scale: tuple[float, float] = COMMON_SCALE
    name: str | None = None
    baselines: tuple[str, ...] = BASELINES
    threshold: float = DECISION_THRESHOLD
    n_resamples: int = N_RESAMPLES
    seed: int = SEED
    report: bool = True
    calibration: Calibration | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Inputs:
    """The reference papers and the predictions of one run, read once."""

    root: Path  # the reference set's folder or file
    everything: list[Reference]  # every paper of the set (train papers feed the baselines)
    selected: list[Reference]  # the split, years and limit asked for
    train: list[Reference]  # the train split of the same years
    loaded: LoadedPredictions | None  # the system under test, when there is one
    papers: list[Reference]  # the selected papers that are scored (with a prediction, if any)
    seconds: float = 0.0  # how long reading them took

    @property
    def form_reference(self) -> bool:
        """Whether the set is a form reference set (reviews in a form's fields, no ratings)."""
        return is_form_reference_set(self.papers)


def load_inputs(config: EvalConfig, *, references: list[Reference] | None = None) -> Inputs:
    """Read the predictions and the references (unless given, already read) and select papers."""
    start = time.perf_counter()
    loaded = None
    if config.predictions is not None:
        loaded = load_predictions(
            config.predictions, mapping=config.mapping, scale=config.pred_scale, name=config.name
        )
    root = resolve_references(config.references)
    everything = references if references is not None else load_references(root)
    selected = select(everything, split=config.split, years=config.years, limit=config.limit)
    if not selected:
        raise ConfigError(
            f"no reference papers in {root} for split={config.split} years={list(config.years)}"
        )
    train = select(everything, split="train", years=config.years)
    papers = selected
    if loaded is not None:
        papers = [p for p in selected if p.paper_id in loaded.predictions]
        if not papers:
            raise ConfigError(
                f"no prediction in {loaded.source} has a paper_id of the selected references"
            )
    seconds = round(time.perf_counter() - start, 3)
    return Inputs(root, everything, selected, train, loaded, papers, seconds)
