"""Do the new encoders change any of the matcher's decisions? Old vs new vectors on dev texts.

    python benchmarks/embed_parity.py                      # 60 dev papers, 60 pool papers
    python benchmarks/embed_parity.py --papers 100 --pool 100 --abstracts 300 --train 1500

"Old" is the encoder as it was before issue 19 (torch, sentence-transformers' character sort);
each new configuration is compared with it on the decisions the eval takes from cosines, at the
frozen thresholds (``reviewer.checks.generic``), on the dev split (never test):

- leave-one-out pairs: every (unit, unit) pair of two different reviewers of one paper, matched
  when the cosine is >= ``MATCH_THRESHOLD``; and each unit's "hit" (matches some other reviewer);
- dev x pool pairs: every dev unit against every unit of the generic rule's reference papers
  (the first train papers in sha256 order), matched at the same threshold;
- generic flags: ``generic_flags`` of each dev unit against that pool at ``GENERIC_SHARE``;
- aspects: the frozen detector's unit predictions and each review's covered aspects;
- nearest neighbour: each dev paper's closest train paper by title + abstract (128 tokens).

Reported: the largest absolute difference of any of those cosines, the smallest distance of an
old cosine to the threshold (how close a flip could have been), and the count of flips.
Writes benchmarks/results/embed_parity.json and .md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.embed_sample import CONFIGS, MAX_TOKENS, Sample, encoder, load_split  # noqa: E402
from benchmarks.machine import write_results  # noqa: E402
from reviewer.checks.generic import MATCH_THRESHOLD, generic_flags  # noqa: E402
from reviewer.embed import DIMENSIONS  # noqa: E402
from reviewer.eval.baselines import abstract_text  # noqa: E402
from reviewer.eval.coverage import AspectDetector, load_detector  # noqa: E402


class Encoded:
    """One configuration's vectors for every text of the check, looked up by text."""

    def __init__(self, config: str, units: list[str], abstracts: list[str]) -> None:
        self.units = dict(zip(units, encoder(config, MAX_TOKENS["units"])(units), strict=True))
        self.abstracts = dict(
            zip(abstracts, encoder(config, MAX_TOKENS["abstracts"])(abstracts), strict=True)
        )

    def rows(self, texts: list[str]) -> np.ndarray:
        return np.array([self.units[t] for t in texts], dtype=np.float32).reshape(
            len(texts), DIMENSIONS
        )


def loo_cosines(sample: Sample, vecs: Encoded) -> np.ndarray:
    """Cosines of every pair of units from two different reviewers of the same paper."""
    out = []
    for paper in sample.units:
        reviews = [vecs.rows(r) for r in paper if r]
        for i in range(len(reviews)):
            for j in range(i + 1, len(reviews)):
                out.append((reviews[i] @ reviews[j].T).ravel())
    return np.concatenate(out) if out else np.zeros(0)


def loo_hits(sample: Sample, vecs: Encoded) -> np.ndarray:
    """Per unit: does it match some unit of another reviewer of its paper (the LOO hit)?"""
    out = []
    for paper in sample.units:
        reviews = [vecs.rows(r) for r in paper if r]
        for k, mine in enumerate(reviews):
            others = [r for j, r in enumerate(reviews) if j != k]
            if others:
                out.append(((mine @ np.vstack(others).T) >= MATCH_THRESHOLD).any(axis=1))
    return np.concatenate(out) if out else np.zeros(0, dtype=bool)


def aspects(sample: Sample, vecs: Encoded, detector: AspectDetector) -> tuple[np.ndarray, ...]:
    """Unit-level aspect predictions and review-level covered flags (reviews x 7)."""
    units = [u for paper in sample.units for r in paper for u in r]
    unit_pred = detector.predict(vecs.rows(units))
    covered = [
        list(detector.covered(vecs.rows(r)).values()) for paper in sample.units for r in paper
    ]
    return unit_pred, np.array(covered, dtype=bool)


def nearest(dev: list[str], train: list[str], vecs: Encoded) -> tuple[np.ndarray, np.ndarray]:
    """Each dev abstract's closest train abstract, and all the cosines."""
    sims = (
        np.array([vecs.abstracts[t] for t in dev]) @ np.array([vecs.abstracts[t] for t in train]).T
    )
    return np.argmax(sims, axis=1), sims


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Largest cosine change and decision flips of ``new`` against ``old``."""
    t = MATCH_THRESHOLD
    return {
        "max_abs_cosine_diff": float(
            max(np.abs(old[k] - new[k]).max() for k in ("loo_cos", "pool_cos", "nn_cos"))
        ),
        "loo_pairs": int(old["loo_cos"].size),
        "loo_pair_flips": int(((old["loo_cos"] >= t) != (new["loo_cos"] >= t)).sum()),
        "loo_hit_flips": int((old["loo_hit"] != new["loo_hit"]).sum()),
        "pool_pairs": int(old["pool_cos"].size),
        "pool_pair_flips": int(((old["pool_cos"] >= t) != (new["pool_cos"] >= t)).sum()),
        "generic_flag_flips": int((old["generic"] != new["generic"]).sum()),
        "aspect_unit_flips": int((old["unit_aspect"] != new["unit_aspect"]).sum()),
        "aspect_covered_flips": int((old["covered"] != new["covered"]).sum()),
        "nearest_neighbour_flips": int((old["nn"] != new["nn"]).sum()),
    }


def decisions(
    dev: Sample, pool: Sample, abstracts: tuple[list[str], list[str]], vecs: Encoded
) -> dict[str, Any]:
    """Every cosine and decision of the check for one configuration."""
    pool_units = [u for paper in pool.units for r in paper for u in r]
    pool_paper = np.repeat(
        np.arange(len(pool.units)), [sum(len(r) for r in paper) for paper in pool.units]
    )
    dev_vecs, pool_vecs = vecs.rows(dev.flat_units), vecs.rows(pool_units)
    nn, nn_cos = nearest(*abstracts, vecs)
    detector = load_detector()
    if detector is None:
        raise SystemExit("evals/aspect_detector.json is missing")
    unit_aspect, covered = aspects(dev, vecs, detector)
    return {
        "loo_cos": loo_cosines(dev, vecs),
        "loo_hit": loo_hits(dev, vecs),
        "pool_cos": (dev_vecs @ pool_vecs.T).ravel(),
        "generic": generic_flags(dev_vecs, pool_vecs, pool_paper),
        "unit_aspect": unit_aspect,
        "covered": covered,
        "nn": nn,
        "nn_cos": nn_cos.ravel(),
    }


def max_vector_diff(old: Encoded, new: Encoded) -> float:
    """Largest change of any vector component, over every text of the check."""
    diffs = [np.abs(old.units[t] - new.units[t]).max() for t in old.units]
    diffs += [np.abs(old.abstracts[t] - new.abstracts[t]).max() for t in old.abstracts]
    return float(max(diffs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=60, help="dev papers (comment units)")
    parser.add_argument("--pool", type=int, default=60, help="generic-rule train papers")
    parser.add_argument("--abstracts", type=int, default=200, help="dev titles + abstracts")
    parser.add_argument("--train", type=int, default=1000, help="train titles + abstracts")
    parser.add_argument("--configs", default=",".join(CONFIGS[1:]), help="compared with old")
    parser.add_argument("--stem", default="embed_parity", help="results/STEM.{json,md}")
    args = parser.parse_args()
    dev_all = load_split("dev", max(args.papers, args.abstracts))
    train_all = load_split("train", max(args.pool, args.train))
    dev = Sample(dev_all.papers[: args.papers], dev_all.units[: args.papers])
    pool = Sample(train_all.papers[: args.pool], train_all.units[: args.pool])
    abstracts = (
        [abstract_text(p) for p in dev_all.papers[: args.abstracts]],
        [abstract_text(p) for p in train_all.papers[: args.train]],
    )
    units = list(dict.fromkeys(dev.flat_units + pool.flat_units))
    texts = list(dict.fromkeys(abstracts[0] + abstracts[1]))

    old_vecs = Encoded("torch-chars", units, texts)
    old = decisions(dev, pool, abstracts, old_vecs)
    near = min(np.abs(old[k] - MATCH_THRESHOLD).min() for k in ("loo_cos", "pool_cos"))
    result: dict[str, Any] = {
        "sample": f"{args.papers} dev papers ({len(dev.flat_units)} units), {args.pool} pool "
        f"papers ({len(pool.flat_units)} units), {args.abstracts} dev x {args.train} train "
        "abstracts",
        "closest old cosine to the match threshold": f"{near:.2e}",
    }
    for config in args.configs.split(","):
        new_vecs = Encoded(config, units, texts)
        row = compare(old, decisions(dev, pool, abstracts, new_vecs))
        row["max_abs_vector_diff"] = max_vector_diff(old_vecs, new_vecs)
        result.update({f"{config}: {k}": v for k, v in row.items()})
        print(config, row, flush=True)
    path = write_results(
        args.stem,
        "Encoder parity: old (torch, character sort) vs new vectors and decisions (issue 19)",
        result,
        intro="NeurIPS dev split; decisions at the frozen thresholds "
        f"(match {MATCH_THRESHOLD}).\n\n",
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
