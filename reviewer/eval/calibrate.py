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

from reviewer.calibration import (
    Calibration,
    Prior,
    Sample,
    embedding_text,
    fit,
    fit_prior,
    venue_key,
)
from reviewer.errors import ConfigError
from reviewer.eval.embed import ABSTRACT_MAX_TOKENS, Embedder, Encoder
from reviewer.eval.generated import LoadedPredictions, Prediction, load_predictions
from reviewer.eval.references import Reference


def train_samples(
    run: LoadedPredictions, references: Sequence[Reference], prior: Prior | None = None
) -> list[Sample]:
    """One Sample per reviewed train paper with a human mean rating (with its out-of-fold
    abstract prior if ``prior``). Raises on a paper outside the train split."""
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
                prior=None if prior is None else prior.oof.get(pid),
            )
        )
    return samples


def abstract_prior(references: Sequence[Reference], encoder: Encoder) -> Prior:
    """The abstract prior fitted on every rated train paper of ``references``."""
    rated = [r for r in references if r.split == "train" and r.mean_rating is not None]
    if len(rated) < 20:
        raise ConfigError(f"too few rated train papers for the abstract prior: {len(rated)}")
    vectors = encoder.encode([embedding_text(r.title, r.abstract) for r in rated])
    return fit_prior(
        [r.paper_id for r in rated],
        vectors,
        [float(r.mean_rating) for r in rated],  # type: ignore[arg-type]
        [venue_key(r.venue, r.year) for r in rated],
    )


def fit_run(
    runs: Sequence[Path],
    references: Sequence[Reference],
    *,
    use_embedding: bool = False,
    alpha: float = 1.0,
    command: str = "",
    encoder: Encoder | None = None,
) -> Calibration:
    prior = None
    if use_embedding:
        prior = abstract_prior(references, encoder or Embedder(ABSTRACT_MAX_TOKENS))
    loaded = [load_predictions(run) for run in runs]
    samples = [s for run in loaded for s in train_samples(run, references, prior)]
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
    encoder: Encoder | None = None,
) -> dict[str, Prediction]:
    """The same reviews with ``rating`` and ``decision`` from the calibration."""
    papers = [p for p in papers if p.paper_id in predictions]
    vectors = None
    if calibration.uses_embedding:
        encoder = encoder or Embedder(ABSTRACT_MAX_TOKENS, progress=False)
        vectors = encoder.encode([embedding_text(p.title, p.abstract) for p in papers])
    out: dict[str, Prediction] = {}
    for i, paper in enumerate(papers):
        pred = predictions[paper.paper_id]
        if pred.rating is None:
            out[paper.paper_id] = pred
            continue
        applied = calibration.apply(
            {**pred.scores, "overall": pred.rating},
            venue_key(paper.venue, paper.year),
            None if vectors is None else vectors[i],
        )
        out[paper.paper_id] = replace(
            pred, rating=applied["overall"], decision=applied["decision"] == "accept"
        )
    return out
