"""Related-work recall (issue 37): how often the earlier paper a human review names is in the
top k, for TF-IDF, BM25 alone, MiniLM alone and the hybrid index.

The pairs come from ``benchmarks/related_pairs.py`` (computed on the fly); the corpus is the
whole NeurIPS 2023-2025 set, and each query sees only papers of strictly earlier years, never
itself (``RelatedIndex.candidates``). Recall@k is the share of pairs whose named paper is in
the query's top k; its 95% interval is a bootstrap over reviewed papers (pairs of one paper
move together), 1,000 resamples, seed 0.

    python benchmarks/related_recall.py tune     # train + dev: the settings grid, the best one
    python benchmarks/related_recall.py test     # test, once, with the package's IndexSettings
    python benchmarks/related_recall.py tfidf    # the issue's TF-IDF baseline on all splits
    flock -x /work/cpu.lock python benchmarks/related_recall.py timing   # build and query times

``timing`` builds the index with empty caches (a fresh ``REVIEWER_CACHE_DIR``) and times 200
queries of papers outside the corpus's vectors (their text is changed, so each is embedded).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from benchmarks.machine import describe  # noqa: E402
from benchmarks.related_pairs import load_pairs  # noqa: E402
from reviewer.embed import Embedder  # noqa: E402
from reviewer.related.corpus import Corpus, CorpusPaper, load_corpus  # noqa: E402
from reviewer.related.index import IndexSettings, Lexical, RelatedIndex, fuse  # noqa: E402
from reviewer.related.pairs import Pair  # noqa: E402

KS = (1, 5, 10, 20)
RESULTS = Path(__file__).resolve().parent / "results"
Scorer = Callable[[int], np.ndarray]  # query row -> a score per corpus paper


def recall_table(index: RelatedIndex, pairs: Sequence[Pair], scorer: Scorer) -> dict[str, float]:
    """Recall@k with its bootstrap interval for one scorer over ``pairs``."""
    rows = {p.paper_id: i for i, p in enumerate(index.corpus.papers)}
    ids = [p.paper_id for p in index.corpus.papers]
    by_query: dict[str, list[str]] = {}
    for pair in pairs:
        by_query.setdefault(pair.paper_id, []).append(pair.named_id)
    ranks: list[list[int]] = []  # per query paper: the rank of each named paper (999: beyond 20)
    for query_id, named in by_query.items():
        row = rows[query_id]
        mask = index.candidates(index.corpus.papers[row])
        scores = np.where(mask, scorer(row), -np.inf)
        top = [ids[i] for i in np.argsort(-scores, kind="stable")[: max(KS)]]
        ranks.append([top.index(n) if n in top else 999 for n in named])
    return _with_intervals(ranks)


def _with_intervals(ranks: list[list[int]]) -> dict[str, float]:
    rng = np.random.default_rng(0)
    hits = np.array([[sum(r < k for r in q) for k in KS] for q in ranks], dtype=float)
    sizes = np.array([len(q) for q in ranks], dtype=float)
    out: dict[str, float] = {"pairs": int(sizes.sum()), "papers": len(ranks)}
    samples = rng.integers(0, len(ranks), size=(1000, len(ranks)))
    boot = hits[samples].sum(axis=1) / sizes[samples].sum(axis=1)[:, None]
    for j, k in enumerate(KS):
        out[f"r@{k}"] = round(float(hits[:, j].sum() / sizes.sum()), 4)
        out[f"r@{k}_low"] = round(float(np.quantile(boot[:, j], 0.025)), 4)
        out[f"r@{k}_high"] = round(float(np.quantile(boot[:, j], 0.975)), 4)
    return out


def tfidf_scorer(corpus: Corpus) -> Scorer:
    """The issue's baseline: title and abstract, uni- and bigrams, sublinear tf, English stop
    words removed, fitted on the whole corpus (candidates are masked to earlier years)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english")
    matrix = vectorizer.fit_transform([f"{p.title}\n{p.abstract}" for p in corpus.papers])
    return lambda row: (matrix @ matrix[row].T).toarray().ravel()


class Scores:
    """Each query's cosine and BM25 rows, computed once per setting and reused by the grid."""

    def __init__(self, index: RelatedIndex) -> None:
        self.index = index
        self._bm25: dict[int, np.ndarray] = {}
        self._masks: dict[int, np.ndarray] = {}

    def mask(self, row: int) -> np.ndarray:
        if row not in self._masks:
            self._masks[row] = self.index.candidates(self.index.corpus.papers[row])
        return self._masks[row]

    def cosine(self, row: int) -> np.ndarray:
        return self.index.dense @ self.index.dense[row]

    def bm25(self, row: int) -> np.ndarray:
        if row not in self._bm25:
            self._bm25[row] = self.index.lexical.scores(self.index.corpus.papers[row].text)
        return self._bm25[row]

    def hybrid(self, weight: float) -> Scorer:
        def score(row: int) -> np.ndarray:
            return fuse(self.cosine(row), self.bm25(row), self.mask(row), weight)

        return score


def build(corpus: Corpus, settings: IndexSettings) -> RelatedIndex:
    encoder = Embedder(settings.max_tokens, progress=True)
    return RelatedIndex.build(corpus, encoder, settings)


def tune(corpus: Corpus, pairs: list[Pair]) -> dict[str, object]:
    """The grid on train + dev pairs: BM25's k1, b and stemming, MiniLM's input cut and the
    fusion weight. The best setting by recall@10 (then @5) is the package default to set."""
    chosen = [p for p in pairs if p.split in ("train", "dev")]
    rows: list[dict[str, object]] = []
    for max_tokens in (128, 64):
        dense_index = build(corpus, IndexSettings(max_tokens=max_tokens))
        for stem in (True, False):
            for k1, b in ((1.2, 0.75), (1.5, 0.75)):
                settings = IndexSettings(k1=k1, b=b, stem=stem, max_tokens=max_tokens)
                lexical = Lexical.build([p.text for p in corpus.papers], settings)
                index = RelatedIndex(corpus, lexical, dense_index.dense, dense_index.encoder,
                                     settings)  # fmt: skip
                scores = Scores(index)
                for weight in (0.0, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 1.0):
                    table = recall_table(index, chosen, scores.hybrid(weight))
                    row = {**asdict(replace(settings, dense_weight=weight)), **table}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    best = max(rows, key=lambda r: (r["r@10"], r["r@5"]))
    return {"split": "train+dev", "grid": rows, "best": best}


def evaluate(corpus: Corpus, pairs: list[Pair], split: str) -> dict[str, object]:
    """TF-IDF, BM25 alone, MiniLM alone and the hybrid with the package's settings."""
    chosen = [p for p in pairs if split == "all" or p.split == split]
    settings = IndexSettings()
    index = build(corpus, settings)
    scores = Scores(index)
    systems: dict[str, Scorer] = {"tfidf": tfidf_scorer(corpus), "bm25": scores.bm25,
                                  "minilm": scores.cosine,
                                  "hybrid": scores.hybrid(settings.dense_weight)}  # fmt: skip
    table = {name: recall_table(index, chosen, scorer) for name, scorer in systems.items()}
    return {"split": split, "settings": asdict(settings), "recall": table}


def tfidf_all(corpus: Corpus, pairs: list[Pair]) -> dict[str, object]:
    """The issue's TF-IDF figures, on all splits (no other system: test is read once, by
    ``test``). Only the candidates of an index are used here, so nothing is embedded."""
    settings = IndexSettings()
    lexical = Lexical.build([p.text for p in corpus.papers], settings)
    index = RelatedIndex(corpus, lexical, np.zeros((len(corpus), 1), np.float32), Embedder(),
                         settings)  # fmt: skip
    scorer = tfidf_scorer(corpus)
    tuning = [p for p in pairs if p.split in ("train", "dev")]  # beside the tune grid's rows
    return {
        "split": "all",
        "recall": {
            "tfidf": recall_table(index, pairs, scorer),
            "tfidf_train+dev": recall_table(index, tuning, scorer),
        },  # fmt: skip
        "issue": {"r@1": 0.172, "r@5": 0.396, "r@10": 0.503, "r@20": 0.606},
    }


def timing(data: str) -> dict[str, object]:
    """Cold index build (empty caches) and per-query latency of new papers, on this machine."""
    with tempfile.TemporaryDirectory() as cache:
        os.environ["REVIEWER_CACHE_DIR"] = cache
        from reviewer.cache import IndexCache
        from reviewer.embed import load_model

        started = time.perf_counter()
        corpus = load_corpus(data)
        loaded = time.perf_counter() - started
        load_model()  # loading the model is timed apart from encoding
        model_s = time.perf_counter() - started - loaded
        encoder = Embedder(IndexSettings().max_tokens, progress=False)
        began = time.perf_counter()
        index = RelatedIndex.build(corpus, encoder, cache=IndexCache())
        build_s = time.perf_counter() - began
        began = time.perf_counter()
        RelatedIndex.build(corpus, encoder, cache=IndexCache())
        warm_s = time.perf_counter() - began
        queries = [p for p in corpus.papers if p.year == 2025][:200]
        latencies = []
        for q in queries:  # a changed text: not a corpus row, so it is embedded like a new paper
            fresh = CorpusPaper(f"new-{q.paper_id}", q.title + " (new)", q.abstract, q.year)
            began = time.perf_counter()
            index.search(fresh, 10)
            latencies.append(time.perf_counter() - began)
        encoder.close()
    ms = np.array(latencies) * 1000
    return {"papers": len(corpus), "corpus_load_s": round(loaded, 1),
            "model_load_s": round(model_s, 1), "cold_build_s": round(build_s, 1),
            "texts_per_s": round(len(corpus) / build_s, 1), "cached_build_s": round(warm_s, 2),
            "queries": len(ms), "query_ms_median": round(float(np.median(ms)), 1),
            "query_ms_p95": round(float(np.quantile(ms, 0.95)), 1),
            "query_ms_max": round(float(ms.max()), 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["tune", "test", "tfidf", "timing"])
    parser.add_argument("--data", default="neurips_2023_2025")
    args = parser.parse_args()
    if args.what == "timing":
        result: dict[str, object] = timing(args.data)
    else:
        corpus, pairs = load_corpus(args.data), load_pairs(args.data)
        if args.what == "tune":
            result = tune(corpus, pairs)
        elif args.what == "test":
            result = evaluate(corpus, pairs, "test")
        else:
            result = tfidf_all(corpus, pairs)
    result["machine"] = describe()
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"related-{args.what}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    shown = {k: v for k, v in result.items() if k not in ("grid", "machine")}
    print(json.dumps(shown, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
