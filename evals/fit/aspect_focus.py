"""Fit the weakness focus (``reviewer.generation.focus``): abstract -> aspects human reviewers
comment on.

    python evals/fit/aspect_focus.py                       # 600 train / 200 dev NeurIPS papers
    python evals/fit/aspect_focus.py --train 1500 --dev 300

Labels: every comment unit of every human review (the harness's units: STRENGTHS / WEAKNESSES
sections, ``reviewer.references.segment.split_comments``) of the first N NeurIPS 2023-2025 train
papers (sha256 order) gets the eval's frozen aspect detector's probabilities; a paper's label
for an aspect is its share of the summed aspect probability over all its units. Model: one ridge
per aspect from the TF-IDF of title and abstract (5,000 uni- and bigrams of the train abstracts,
alpha by 5-fold CV) to that share. Checked on dev papers only (never test): per-aspect Spearman
of predicted with actual share, and how often the predicted top aspects are among the paper's
actual top ones, beside always naming the train-wide most frequent ones. Writes ``evals/aspect-
focus.json`` with those figures and the command.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reviewer.calibration import paper_text  # noqa: E402
from reviewer.calibration.fit import fit_prior  # noqa: E402
from reviewer.embed import Embedder  # noqa: E402
from reviewer.eval.coverage import ASPECTS, load_detector  # noqa: E402
from reviewer.generation.focus import DEFAULT_TOP, FOCUS_PATH, AspectFocus  # noqa: E402
from reviewer.references import Reference, load_references, select  # noqa: E402
from reviewer.references.segment import split_comments  # noqa: E402

REFERENCES = "neurips_2023_2025"


def aspect_shares(papers: list[Reference], embedder: Embedder) -> np.ndarray:
    """``(papers, aspects)``: each paper's share of detected aspect probability per aspect."""
    detector = load_detector()
    if detector is None:
        raise SystemExit("evals/aspect_detector.json is missing")
    units = [[u for r in p.reviews for u in split_comments(r.comment_source)] for p in papers]
    flat = [u for us in units for u in us]
    print(f"encoding {len(flat):,} comment units of {len(papers)} papers", flush=True)
    vectors = embedder.encode(flat)
    scores = detector.unit_scores(vectors)
    shares, start = np.zeros((len(papers), len(ASPECTS))), 0
    for i, us in enumerate(units):
        mass = scores[start : start + len(us)].sum(axis=0)
        start += len(us)
        shares[i] = mass / mass.sum() if mass.sum() > 0 else 1.0 / len(ASPECTS)
    return shares


def top_overlap(chosen: np.ndarray, actual: np.ndarray, k: int) -> float:
    """Mean share of the chosen k aspects that are among each paper's actual top k."""
    truth = np.argsort(-actual, axis=1)[:, :k]
    return float(np.mean([len(set(c) & set(t)) / k for c, t in zip(chosen, truth, strict=True)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=600, help="train papers (sha256 order)")
    parser.add_argument("--dev", type=int, default=200, help="dev papers (sha256 order)")
    parser.add_argument("--top", type=int, default=DEFAULT_TOP)
    parser.add_argument("--out", type=Path, default=FOCUS_PATH)
    args = parser.parse_args()
    started = time.time()
    refs = load_references(REFERENCES)
    train = [p for p in select(refs, split="train") if p.abstract and p.reviews][: args.train]
    dev = [p for p in select(refs, split="dev") if p.abstract and p.reviews][: args.dev]
    embedder = Embedder()
    y_train, y_dev = aspect_shares(train, embedder), aspect_shares(dev, embedder)
    ids = [p.paper_id for p in train]
    texts = [paper_text(p.title, p.abstract) for p in train]
    venues = ["neurips"] * len(train)  # one level: the ridge's target is the share itself
    priors, fitted = {}, {}
    for k, aspect in enumerate(ASPECTS):
        prior, _ = fit_prior(ids, texts, list(y_train[:, k]), venues)
        prior.bias += float(y_train[:, k].mean())  # fit_prior centres on the venue mean
        priors[aspect] = prior
        fitted[aspect] = {"alpha": prior.fitted["alpha"]}
    base = {a: round(float(y_train[:, k].mean()), 4) for k, a in enumerate(ASPECTS)}
    focus = AspectFocus(priors, base, args.top)
    dev_texts = [paper_text(p.title, p.abstract) for p in dev]
    pred = focus.predict(dev_texts)  # columns in ASPECTS order, as the priors were made
    from scipy.stats import spearmanr

    per_aspect = {
        a: {
            "train_share": base[a],
            "dev_spearman": round(float(spearmanr(pred[:, k], y_dev[:, k]).statistic), 3),
            "alpha": fitted[a]["alpha"],
        }
        for k, a in enumerate(ASPECTS)
    }
    rates = np.array([base[a] for a in ASPECTS])
    constant = np.tile(np.argsort(-rates)[: args.top], (len(dev), 1))
    by_share = np.argsort(-pred, axis=1)[:, : args.top]
    chosen = np.array([[ASPECTS.index(a) for a in row] for row in focus.choose(dev_texts)])
    # realised lift: the chosen aspects' actual dev share over their train share (1 = no signal)
    realised = np.take_along_axis(y_dev, chosen, axis=1) / rates[chosen]
    shuffled = np.take_along_axis(y_dev[np.roll(np.arange(len(dev)), 1)], chosen, axis=1)
    focus.info = {
        "command": "python evals/fit/aspect_focus.py " + " ".join(sys.argv[1:]),
        "references": REFERENCES,
        "train_papers": len(train),
        "dev_papers": len(dev),
        "labels": "share of the aspect detector's summed aspect probability over a paper's "
        "human comment units",
        "per_aspect": per_aspect,
        "selection": "the top aspects by lift (predicted share over train share)",
        "dev_realised_lift": round(float(realised.mean()), 3),
        "dev_realised_lift_other_paper": round(float((shuffled / rates[chosen]).mean()), 3),
        "dev_distinct_choices": len({tuple(sorted(c)) for c in chosen}),
        "dev_top_overlap_by_share": round(top_overlap(by_share, y_dev, args.top), 3),
        "dev_top_overlap_constant": round(top_overlap(constant, y_dev, args.top), 3),
        "seconds": round(time.time() - started, 1),
    }
    args.out.write_text(json.dumps(focus.to_json(), separators=(",", ":")) + "\n")
    print(json.dumps({k: v for k, v in focus.info.items()}, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
