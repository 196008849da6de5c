"""Fitting and applying score calibration against the reference data.

Fitting reads a run of our reviews on train-split papers and refuses any dev or test paper, so
a calibration can never have seen what it is scored on. Applying it in ``reviewer eval`` adds a
second system (``<name> + calibration``) beside the raw one, so both are always reported.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from reviewer.calibration import Calibration, Prior, paper_text, venue_key
from reviewer.calibration.fit import Sample, fit, fit_prior
from reviewer.errors import ConfigError
from reviewer.eval.predictions import LoadedPredictions, Prediction, load_predictions
from reviewer.references import Reference, decision_accepts


def train_samples(
    run: LoadedPredictions,
    references: Sequence[Reference],
    prior_oof: Mapping[str, float] | None = None,
) -> list[Sample]:
    """One Sample per reviewed train paper with a human mean rating (with its out-of-fold
    abstract prior from ``prior_oof``). Raises on a paper outside the train split."""
    by_id = {r.paper_id: r for r in references}
    samples = []
    for pid, pred in run.predictions.items():
        ref = by_id.get(pid)
        if ref is None or ref.mean_rating is None or pred.rating is None:
            continue
        if ref.split != "train":
            raise ConfigError(
                f"{ref.paper_id} is in the {ref.split} split: calibration is fitted on train only"
            )
        samples.append(
            Sample(
                scores={**pred.scores, "overall": pred.rating},
                venue=venue_key(ref.venue, ref.year),
                human=float(ref.mean_rating),
                accepted=ref.accepted,
                prior=None if prior_oof is None else prior_oof.get(pid),
            )
        )
    return samples


def abstract_prior(references: Sequence[Reference]) -> tuple[Prior, dict[str, float]]:
    """The abstract prior fitted on every rated train paper of ``references``, with each
    paper's out-of-fold value."""
    rated = [r for r in references if r.split == "train" and r.mean_rating is not None]
    return fit_prior(
        [r.paper_id for r in rated],
        [paper_text(r.title, r.abstract) for r in rated],
        [float(r.mean_rating) for r in rated],  # type: ignore[arg-type]
        [venue_key(r.venue, r.year) for r in rated],
    )


def fit_run(
    runs: Sequence[Path],
    references: Sequence[Reference],
    *,
    use_prior: bool = False,
    alpha: float | None = None,
    command: str = "",
) -> Calibration:
    prior, oof = abstract_prior(references) if use_prior else (None, None)
    loaded = [load_predictions(run) for run in runs]
    samples = [s for run in loaded for s in train_samples(run, references, oof)]
    calibration = fit(samples, alpha=alpha, prior=prior)
    calibration.fitted.update(
        {
            "model": _one({x.model for x in loaded}, "model"),
            "form": _one({x.form for x in loaded}, "form"),
            "command": command or " ".join(sys.argv),
            "runs": [str(r) for r in runs],
            "split": "train",
        }
    )
    return calibration


def _one(values: set[str | None], what: str) -> str | None:
    """The runs' single model (or form): a calibration fitted on a mix would fit none."""
    if len(values) > 1:
        raise ConfigError(f"the runs mix {what}s ({', '.join(sorted(map(str, values)))})")
    return next(iter(values))


def calibrated_predictions(
    predictions: Mapping[str, Prediction],
    papers: Sequence[Reference],
    calibration: Calibration,
) -> dict[str, Prediction]:
    """The same reviews with ``rating`` and ``decision`` from the calibration."""
    papers = [p for p in papers if p.paper_id in predictions]
    out: dict[str, Prediction] = {}
    for paper in papers:
        pred = predictions[paper.paper_id]
        if pred.rating is None:
            out[paper.paper_id] = pred
            continue
        applied = calibration.apply(
            {**pred.scores, "overall": pred.rating},
            venue_key(paper.venue, paper.year),
            paper_text(paper.title, paper.abstract),
        )
        interval = (applied["low"], applied["high"]) if "low" in applied else None
        out[paper.paper_id] = replace(
            pred,
            rating=applied["overall"],
            decision=decision_accepts(applied["decision"]),  # None where it is withheld
            interval=interval,
        )
    return out
