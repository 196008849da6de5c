"""Add the score interval to a calibration whose train runs are gone, from train data only.

    python evals/fit/score_interval.py                 # evals/score-calibration.json in place
    python evals/fit/score_interval.py --file F.json --check-dev
    python evals/fit/score_interval.py --add-unknown --check-dev   # add by_venue["*"] only

`reviewer calibrate` stores the interval itself (quantiles of its cross-validated residuals).
The committed file was fitted before that, on runs that are not kept in the repo. Its fit is
still derivable without them, because cross-validation gave the model's own scores no weight
(every coefficient below 0.001): the calibrated score is the venue-year level plus the abstract
prior. This script

1. refits the abstract prior on every rated train paper of the references (deterministic, but
   ties at its 5,000-term cut may break differently across library versions) and checks that
   it predicts what the file's prior predicts on the fitted papers (within 0.05);
2. takes the train papers the file was fitted on (the first ``limit`` train papers of each
   target of ``benchmarks/quality.py`` in sha256 order: the command recorded in the file) and
   checks that the venue-year levels refitted on them are the file's (within 0.02);
3. stores the quantiles of the residuals, human mean - calibrated, with the score weights taken
   as zero (``calibration_fit.residual_interval``) in the file. ``--residuals cv``: 5-fold CV
   residuals on the 150 fitted papers, what ``reviewer calibrate`` stores (the fold assignment
   follows the sha256 order, not the runs' unrecorded line order: an equivalent draw, not the
   identical one). ``--residuals train`` (default): the file's residuals on every rated train
   paper of its venue-years (prior out of fold), 391 to 4,432 per venue-year instead of 50,
   because the 10th and 90th percentiles of 50 residuals proved too noisy on dev (NeurIPS 2024:
   64% coverage of a nominal 80%).

With the file's levels (each venue-year's and the pooled one) the residuals also give the
interval of a venue-year the file has no level for (``by_venue["*"]``: see
``residual_interval``); ``--add-unknown`` adds only that to a file, keeping its other bounds.

``--check-dev`` prints the interval's coverage of the human mean on the dev split (same
approximation), for choosing only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reviewer.calibration import (  # noqa: E402
    DEFAULT_PATH,
    POOLED,
    Calibration,
    paper_text,
    venue_key,
)
from reviewer.calibration.fit import residual_interval  # noqa: E402
from reviewer.eval.calibrate import abstract_prior  # noqa: E402
from reviewer.references import (  # noqa: E402
    Reference,
    load_references,
    papers_for_generation,
    select,
)

# benchmarks/quality.py's targets: reference folder and years
TARGETS = {
    "iclr2017": ("iclr_2017", ()),
    "neurips2024": ("neurips_2023_2025", (2024,)),
    "neurips2025": ("neurips_2023_2025", (2025,)),
}
UNKNOWN = ("iclr_2018",)
"""Reference sets of a venue-year the file has no level for: ``--check-dev`` reports the
coverage of the unknown-venue interval (``by_venue["*"]``) on their dev split too."""
LEVEL_TOLERANCE = 0.02
PRIOR_TOLERANCE = 0.05


def fitted_papers(limit: int) -> list[Reference]:
    """The train papers a ``quality.py --split train --limit N`` run reviews, with a rating."""
    papers: list[Reference] = []
    for refs, years in TARGETS.values():
        chosen = select(load_references(refs), split="train", years=years, limit=limit)
        reviewed = {p.id for p in papers_for_generation(chosen)}
        papers += [r for r in chosen if r.paper_id in reviewed and r.mean_rating is not None]
    return papers


def cv_residuals(y: np.ndarray, offset: np.ndarray, venues: np.ndarray) -> np.ndarray:
    """Held-out residuals of venue level + prior, levels refitted per fold as ``fit`` does."""
    from sklearn.model_selection import KFold

    cv = np.zeros(len(y))
    for train, held in KFold(5, shuffle=True, random_state=0).split(y):
        target = y[train] - offset[train]
        levels = {v: float(target[venues[train] == v].mean()) for v in set(venues[train])}
        cv[held] = offset[held] + [levels[v] for v in venues[held]]
    return y - cv


def train_residuals(
    calibration: Calibration, refs: list[Reference], oof: dict[str, float]
) -> tuple[np.ndarray, list[str]]:
    """Human mean - (the file's venue-year level + the paper's out-of-fold prior) for every
    rated train paper of the file's venue-years: the file's own error, on thousands of papers
    instead of 50 per venue (whose 10th and 90th percentiles are too noisy)."""
    rows = [r for r in refs if r.split == "train" and r.mean_rating is not None
            and venue_key(r.venue, r.year) in calibration.intercepts]  # fmt: skip
    venues = [venue_key(r.venue, r.year) for r in rows]
    predicted = np.array([calibration.intercepts[v] + oof[r.paper_id]
                          for r, v in zip(rows, venues, strict=True)])  # fmt: skip
    return np.array([r.mean_rating for r in rows], dtype=float) - predicted, venues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--limit", type=int, default=50, help="papers per target in the fit")
    parser.add_argument("--check-dev", action="store_true")
    parser.add_argument(
        "--residuals",
        choices=["train", "cv"],
        default="train",
        help="train: the file's residuals on every rated train paper of its venue-years "
        "(default); cv: 5-fold CV residuals on the 150 fitted papers, as `reviewer calibrate` does",
    )
    parser.add_argument(
        "--add-unknown",
        action="store_true",
        help="only add the interval of a venue-year without a level (by_venue['*']) to the "
        "file's interval, leaving its other bounds as they are",
    )
    args = parser.parse_args()

    calibration = Calibration.load(args.file)
    if calibration.prior is None or max(abs(c) for c in calibration.coef) >= 1e-3:
        sys.exit("this file's scores carry weight: refit it with its recorded command instead")
    refs = load_references("neurips_2023_2025") + load_references("iclr_2017")
    prior, oof = abstract_prior(refs)
    papers = fitted_papers(args.limit)
    texts = [paper_text(p.title, p.abstract) for p in papers]
    gap = np.abs(prior.predict(texts) - calibration.prior.predict(texts))
    shared = len(set(prior.terms) & set(calibration.prior.terms))
    print(
        f"refitted prior: {shared} of {len(prior.terms)} terms shared with the file's (ties at "
        f"the vocabulary cut break differently across library versions); on the fitted papers "
        f"it differs from the file's by {gap.mean():.4f} on average, {gap.max():.4f} at most"
    )
    if gap.max() > PRIOR_TOLERANCE:
        sys.exit("the refitted abstract prior is not the file's: the data changed")
    y = np.array([p.mean_rating for p in papers], dtype=float)
    offset = np.array([oof[p.paper_id] for p in papers])
    venues = np.array([venue_key(p.venue, p.year) for p in papers])
    for v in sorted(set(venues)):
        level = float((y - offset)[venues == v].mean())
        if abs(level - calibration.intercepts[v]) > LEVEL_TOLERANCE:
            sys.exit(f"{v}: level {level:.3f} is not the file's {calibration.intercepts[v]:.3f}")
        print(f"{v}: {int(np.sum(venues == v))} papers, level {level:.4f} "
              f"(file {calibration.intercepts[v]:.4f})")  # fmt: skip
    if len(papers) != calibration.fitted.get("n"):
        sys.exit(f"{len(papers)} papers, but the file was fitted on {calibration.fitted.get('n')}")
    if args.residuals == "cv":
        residuals, where = cv_residuals(y, offset, venues), list(venues)
        source = "5-fold CV residuals on the file's 150 train papers"
    else:
        residuals, where = train_residuals(calibration, refs, oof)
        source = "residuals on every rated train paper of the file's venue-years"
    fresh = {
        **residual_interval(residuals, where, levels=calibration.intercepts),
        "from": f"{source} (human mean - calibrated; prior out-of-fold, score weights taken as "
        "zero: all below 0.001), by evals/fit/score_interval.py "
        f"--residuals {args.residuals}",
    }
    if args.add_unknown and calibration.interval:  # keep the known venue-years' bounds as shipped
        calibration.interval["by_venue"][POOLED] = fresh["by_venue"][POOLED]
        calibration.interval["unknown_venue_from"] = (
            f"{source}, each moved by its venue-year's level minus the pooled one and weighted "
            f"1/n per venue-year, by evals/fit/score_interval.py --residuals {args.residuals} "
            "--add-unknown"
        )
    else:
        calibration.interval = fresh
    calibration.save(args.file)
    iv = calibration.interval
    print(f"{iv['level']:.0%} interval: overall {iv['low']:+.2f} .. {iv['high']:+.2f} pooled "
          f"(n={iv['n']}); " + "; ".join(f"{v} {b['low']:+.2f} .. {b['high']:+.2f}"
                                      for v, b in iv["by_venue"].items()))  # fmt: skip
    print(f"wrote {args.file}")
    if args.check_dev:
        check_dev(calibration)


def check_dev(calibration: Calibration) -> None:
    """Coverage of the dev human means by the interval (score term dropped), per target, and
    on the reference sets of venue-years the file has no level for."""
    for name, (folder, years) in TARGETS.items():
        inside, _ = dev_coverage(calibration, folder, years)
        print(f"dev {name}: coverage {np.mean(inside):.3f} of {len(inside)} papers")
    for folder in UNKNOWN:
        inside, label = dev_coverage(calibration, folder, ())
        print(f"dev {folder} (no level of its own: {label}): coverage "
              f"{np.mean(inside):.3f} of {len(inside)} papers")  # fmt: skip


def dev_coverage(
    calibration: Calibration, folder: str, years: tuple[int, ...]
) -> tuple[list[bool], str]:
    """Whether each rated dev paper's human mean falls inside its interval, and the venue
    label of the last one scored (the pooled one for a venue-year without a level)."""
    dev = [r for r in select(load_references(folder), split="dev", years=years)
           if r.mean_rating is not None and r.title and r.abstract]  # fmt: skip
    inside, label = [], ""
    for r in dev:
        scores = dict.fromkeys(calibration.features, 0.0)
        got = calibration.score(scores, venue_key(r.venue, r.year), paper_text(r.title, r.abstract))
        assert got.low is not None and got.high is not None
        inside.append(got.low <= float(r.mean_rating) <= got.high)  # type: ignore[arg-type]
        label = got.venue_label
    return inside, label


if __name__ == "__main__":
    main()
