"""Which abstract prior ranks papers best: TF-IDF ridge vs MiniLM-embedding ridge, on dev.

    python benchmarks/prior.py

Both ridges are fitted on every rated train paper of NeurIPS 2023-2025 and ICLR 2017 (target:
the paper's human mean minus its venue-year's train mean; alpha by 5-fold CV on train) and
scored on the WHOLE dev split, so no model call is needed and n is in the hundreds per
venue-year. Figures: Spearman with the human mean within each venue-year (what a venue
intercept cannot give), their paper-weighted mean, and ICLR 2017 accept/reject AUC.
Writes benchmarks/results/prior-dev.{json,md} and prior-dev-detail.json.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from reviewer.calibration import paper_text, venue_key  # noqa: E402
from reviewer.calibration.fit import fit_prior  # noqa: E402
from reviewer.embed import ABSTRACT_MAX_TOKENS, Embedder  # noqa: E402
from reviewer.references import Reference, load_references  # noqa: E402


def scores(pred: np.ndarray, dev: Sequence[Reference]) -> dict[str, Any]:
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    human = np.array([r.mean_rating for r in dev])
    venues = [venue_key(r.venue, r.year) for r in dev]
    out: dict[str, Any] = {}
    total = 0.0
    for v in sorted(set(venues)):
        idx = [i for i, u in enumerate(venues) if u == v]
        rho = float(spearmanr(pred[idx], human[idx]).statistic)
        out[f"spearman {v} (n={len(idx)})"] = round(rho, 3)
        total += rho * len(idx)
    out["spearman within venue-year, weighted"] = round(total / len(dev), 3)
    iclr = [i for i, r in enumerate(dev) if r.venue == "ICLR"]
    out[f"ICLR 2017 AUC (n={len(iclr)})"] = round(
        float(roc_auc_score([bool(dev[i].accepted) for i in iclr], pred[iclr])), 3
    )
    return out


def main() -> None:
    refs = load_references("neurips_2023_2025") + load_references("iclr_2017")
    rated = [r for r in refs if r.mean_rating is not None]
    train = [r for r in rated if r.split == "train"]
    dev = [r for r in rated if r.split == "dev"]
    train_text = [paper_text(r.title, r.abstract) for r in train]
    dev_text = [paper_text(r.title, r.abstract) for r in dev]
    humans = [float(r.mean_rating) for r in train]  # type: ignore[arg-type]
    venues = [venue_key(r.venue, r.year) for r in train]
    ids = [r.paper_id for r in train]

    prior, _ = fit_prior(ids, train_text, humans, venues)
    rows = {"tfidf": scores(prior.predict(dev_text), dev)}
    rows["tfidf"]["alpha"] = prior.fitted["alpha"]

    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import KFold

    encoder = Embedder(ABSTRACT_MAX_TOKENS)
    target = np.array(humans) - np.array(
        [np.mean([h for h, u in zip(humans, venues, strict=True) if u == v]) for v in venues]
    )
    cv = KFold(5, shuffle=True, random_state=0)
    ridge = RidgeCV(alphas=(0.3, 1.0, 3.0, 10.0, 30.0, 100.0), cv=cv)
    ridge.fit(encoder.encode(train_text), target)
    rows["minilm"] = scores(ridge.predict(encoder.encode(dev_text)), dev)
    rows["minilm"]["alpha"] = float(ridge.alpha_)

    lines = ["| figure | TF-IDF ridge (5,000 uni+bigrams) | MiniLM-embedding ridge |"]
    lines.append("|---|---|---|")
    lines += [f"| {k} | {rows['tfidf'][k]} | {rows['minilm'][k]} |" for k in rows["tfidf"]]
    table = "\n".join(lines) + "\n\n"
    intro = f"Fitted on {len(train)} rated train papers, scored on {len(dev)} dev papers.\n\n"
    result = {"train_papers": len(train), "dev_papers": len(dev)}
    result["detail"] = "results/prior-dev-detail.json"
    write_results("prior-dev", "Abstract prior on the dev split", result, intro + table)
    detail = Path(__file__).resolve().parent / "results" / "prior-dev-detail.json"
    detail.write_text(json.dumps(rows, indent=1) + "\n")
    print(table)


if __name__ == "__main__":
    main()
