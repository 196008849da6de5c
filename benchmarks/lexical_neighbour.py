"""How often the lexical neighbour is the MiniLM one, on dev, for a few TF-IDF settings.

    python benchmarks/lexical_neighbour.py                  # NeurIPS 2023-2025 dev split
    python benchmarks/lexical_neighbour.py --limit 300

The ``lexical-neighbour`` baseline (issue 36) picks each paper's train neighbour by the TF-IDF
cosine of title and abstract instead of their MiniLM embeddings, so that no train abstract is
embedded. Its settings (``reviewer.eval.baselines.LEXICAL_TFIDF``) were chosen here, on dev
only: the candidate whose neighbour is most often the MiniLM ``nearest-neighbour``'s, the
cheaper of a tie. Also
reported: how often the MiniLM choice is among the lexical top 5 and top 10, the MiniLM cosine
of the lexical choice against the MiniLM choice's (medians), and the seconds to index and query.
MiniLM vectors come from the embedding cache (the first run embeds the train abstracts).
Writes benchmarks/results/lexical-neighbour.{json,md}.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from reviewer.embed import ABSTRACT_MAX_TOKENS, Embedder  # noqa: E402
from reviewer.eval.baselines import (  # noqa: E402
    LEXICAL_TFIDF,
    abstract_text,
    lexical_train_papers,
    nearest_train_papers,
    neighbour_candidates,
)
from reviewer.references import load_references, select  # noqa: E402

CANDIDATES: dict[str, dict[str, Any]] = {
    "uni, stop words, min_df 2 (tfidf-v1)": LEXICAL_TFIDF,
    "uni+bi, stop words, min_df 2": {
        "ngram_range": (1, 2), "stop_words": "english", "min_df": 2, "sublinear_tf": True,
    },
    "uni+bi, min_df 2": {"ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True},
    "the abstract prior's (5,000 uni+bi, min_df 3)": {
        "ngram_range": (1, 2), "min_df": 3, "max_features": 5000, "sublinear_tf": True,
    },
}  # fmt: skip


def top_k(train: list[Any], papers: list[Any], tfidf: dict[str, Any], k: int) -> np.ndarray:
    """Each paper's k best train rows by TF-IDF cosine (the baseline's own index, rebuilt)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(**tfidf)
    x = vectorizer.fit_transform([abstract_text(r) for r in train])
    sims = (vectorizer.transform([abstract_text(p) for p in papers]) @ x.T).toarray()
    return np.argsort(-sims, axis=1, kind="stable")[:, :k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", default="neurips_2023_2025")
    parser.add_argument("--limit", type=int, help="first N dev papers (sha256 order)")
    args = parser.parse_args()
    everything = load_references(args.references)
    papers = select(everything, split="dev", limit=args.limit)
    train = select(everything, split="train")
    usable = neighbour_candidates(train, "lexical-neighbour")
    encoder = Embedder(ABSTRACT_MAX_TOKENS)
    started = time.perf_counter()
    minilm = [r.paper_id for r in nearest_train_papers(train, papers, encoder)]
    minilm_s = time.perf_counter() - started
    vectors = encoder.encode([abstract_text(r) for r in [*usable, *papers]])
    cosine = vectors[len(usable) :] @ vectors[: len(usable)].T
    row = {r.paper_id: j for j, r in enumerate(usable)}
    best = np.array([cosine[i, row[pid]] for i, pid in enumerate(minilm)])
    result: dict[str, Any] = {
        "papers": f"{len(papers)} dev papers against {len(usable)} rated train papers",
        "MiniLM neighbours (s; the first run embeds the abstracts)": round(minilm_s, 1),
    }
    for name, tfidf in CANDIDATES.items():
        started = time.perf_counter()
        lexical = [r.paper_id for r in lexical_train_papers(train, papers, tfidf)]
        seconds = time.perf_counter() - started
        ranks = top_k(usable, papers, tfidf, 10)
        wanted = np.array([row[pid] for pid in minilm])
        chosen = np.array([cosine[i, row[pid]] for i, pid in enumerate(lexical)])
        same = sum(a == b for a, b in zip(lexical, minilm, strict=True))
        result[f"{name}: same neighbour as MiniLM"] = f"{same} of {len(papers)}"
        for k in (5, 10):
            found = int((ranks[:, :k] == wanted[:, None]).any(axis=1).sum())
            result[f"{name}: MiniLM's in the lexical top {k}"] = f"{found} of {len(papers)}"
        result[f"{name}: median MiniLM cosine, lexical choice vs MiniLM's"] = (
            f"{np.median(chosen):.3f} vs {np.median(best):.3f}"
        )
        result[f"{name}: seconds to index and query"] = round(seconds, 1)
        print(name, {k: v for k, v in result.items() if k.startswith(name)}, flush=True)
    path = write_results(
        "lexical-neighbour",
        "Lexical neighbour against the MiniLM nearest neighbour (dev, issue 36)",
        result,
        intro="NeurIPS 2023-2025 dev split; title + abstract; the chosen setting is "
        "`LEXICAL_TFIDF` in reviewer/eval/baselines.py.\n\n",
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
