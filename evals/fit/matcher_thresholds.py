"""Choose the comment-matching threshold and the generic-comment rule, on train and dev only.

    python evals/fit/matcher_thresholds.py            # writes evals/matcher-thresholds.json

Rules, fixed before looking at any test figure:
- MATCH_THRESHOLD: on the first DEV_PAPERS NeurIPS dev papers (sha256 order), every human
  reviewer in turn is matched against the other reviewers of the same paper and, as the control,
  against the reviewers of a different paper. The threshold is the lowest value on a 0.05 grid
  at which the control hit rate is at most CONTROL_CEILING: a "match" must be rare between
  reviews of unrelated papers.
- GENERIC_SHARE: with that threshold, the share of reference papers (first 300 train papers) a
  comment must match to count as generic. Chosen as the grid value that best separates a fixed
  list of boilerplate comments (below) from the dev human comments (Youden's J: boilerplate
  flagged minus human flagged), the human comments being mostly paper-specific.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from reviewer.checks import generic
from reviewer.embed import Embedder
from reviewer.eval import comments as cm
from reviewer.references import load_references, select
from reviewer.references.segment import split_comments

DEV_PAPERS = 300
CONTROL_CEILING = 0.05
THRESHOLD_GRID = [float(round(x, 2)) for x in np.arange(0.40, 0.86, 0.05)]
SHARE_GRID = [0.01, 0.02, 0.03, 0.05, 0.075, 0.10, 0.15, 0.20, 0.30]

BOILERPLATE = [
    "The paper is well written and easy to follow.",
    "The experimental evaluation could be more comprehensive.",
    "The authors should compare with more baselines.",
    "The novelty of the proposed method is limited.",
    "More ablation studies would strengthen the paper.",
    "The paper lacks a discussion of limitations.",
    "The computational cost of the method is not discussed.",
    "The proposed approach is novel and interesting.",
    "The experiments demonstrate the effectiveness of the proposed method.",
    "The theoretical analysis is sound.",
    "The paper addresses an important problem.",
    "It would be helpful to include more details about the implementation.",
    "The results are promising.",
    "The paper could benefit from a more thorough related work section.",
    "Some parts of the paper are hard to follow.",
    "The authors should release the code for reproducibility.",
    "The scalability of the method to larger datasets is unclear.",
    "The paper does not discuss the broader societal impact.",
    "The motivation of the work is clear.",
    "The presentation of the paper could be improved.",
    "The sensitivity to hyperparameters is not analysed.",
    "The method relies on strong assumptions.",
    "The evaluation is limited to a few datasets.",
    "The paper lacks statistical significance tests.",
    "The contribution is incremental.",
    "The figures are clear and informative.",
    "There are some typos in the paper.",
    "The writing could be improved in some places.",
    "The authors provide extensive experiments.",
    "The generalization of the method to other domains is not clear.",
]


def main() -> int:
    started = time.perf_counter()
    refs = load_references("neurips_2023_2025")
    dev = select(refs, split="dev", limit=DEV_PAPERS)
    pool = select(refs, split="train", limit=generic.REFERENCE_PAPERS)
    embedder = Embedder()
    per_review = [[split_comments(r.comment_source) for r in p.reviews] for p in dev]
    pool_units = [[u for r in p.reviews for u in split_comments(r.comment_source)] for p in pool]
    texts = [u for paper in per_review for r in paper for u in r]
    texts += [u for units in pool_units for u in units] + BOILERPLATE
    unique = list(dict.fromkeys(texts))
    matrix = embedder.encode(unique)
    row = {t: i for i, t in enumerate(unique)}

    def vecs(units: list[str]) -> np.ndarray:
        return (
            matrix[[row[u] for u in units]] if units else np.zeros((0, matrix.shape[1]), np.float32)
        )

    dev_vecs = [[vecs(r) for r in paper] for paper in per_review]
    curve = []
    for t in THRESHOLD_GRID:
        own, control = cm.human_loo_hit_rates(dev_vecs, threshold=t)
        curve.append(
            {
                "threshold": t,
                "hit_rate": float(np.nanmean(own)),
                "shuffled_hit_rate": float(np.nanmean(control)),
            }
        )
        print(curve[-1], file=sys.stderr)
    chosen = next(c for c in curve if c["shuffled_hit_rate"] <= CONTROL_CEILING)
    threshold = chosen["threshold"]

    ref = vecs([u for units in pool_units for u in units])
    ref_paper = np.repeat(np.arange(len(pool_units)), [len(u) for u in pool_units])
    human = vecs([u for paper in per_review for r in paper for u in r])
    boiler = vecs(BOILERPLATE)
    shares = []
    for share in SHARE_GRID:
        b = generic.generic_flags(boiler, ref, ref_paper, threshold=threshold, share=share)
        h = generic.generic_flags(human, ref, ref_paper, threshold=threshold, share=share)
        shares.append(
            {
                "share": share,
                "boilerplate_flagged": float(b.mean()),
                "dev_human_flagged": float(h.mean()),
                "youden_j": float(b.mean() - h.mean()),
            }
        )
        print(shares[-1], file=sys.stderr)
    best = max(shares, key=lambda s: s["youden_j"])
    result = {
        "data": "NeurIPS 2023-2025 dev (first papers in sha256 order) and train (reference pool)",
        "dev_papers": len(dev),
        "dev_human_comments": int(human.shape[0]),
        "reference_papers": len(pool),
        "reference_comments": int(ref.shape[0]),
        "match_rule": f"lowest threshold with shuffled human hit rate <= {CONTROL_CEILING}",
        "match_threshold": threshold,
        "match_curve": curve,
        "generic_rule": "share maximising boilerplate flagged - dev human flagged",
        "generic_share": best["share"],
        "generic_curve": shares,
        "boilerplate": BOILERPLATE,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = Path(__file__).resolve().parents[1] / "matcher-thresholds.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"match threshold {threshold}, generic share {best['share']} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
