"""The hybrid related-work index: BM25 (``bm25s``) and MiniLM cosine over title + abstract.

Words shared with an earlier paper (a method's name, a dataset) and meaning shared without
the words each find pairs the other misses; a weighted sum of the cosine and the BM25 score
scaled by its best candidate ranks the earlier papers that human reviewers named better than
either alone (``benchmarks/related_recall.py``; weights tuned on train and dev pairs only,
figures in benchmarks/RESULTS.md). Candidates are the papers of a strictly earlier year than
the query, never the query itself (same id, or the same title: a resubmission).

An index is built once per corpus: its arrays are cached by the corpus's content hash and the
settings (``reviewer.cache.IndexCache``); the vectors come through the one embedding path,
``reviewer.embed.Embedder``, and its own cache.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

import numpy as np

from reviewer.cache import IndexCache, stable_hash
from reviewer.related.corpus import Corpus, CorpusPaper, norm_title

if TYPE_CHECKING:
    from reviewer.embed import Encoder

ENCODE_CHUNK = 512
"""Texts embedded per step of a build (what the progress callback counts)."""
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IndexSettings:
    """What changes an index or its ranking; every field is part of the cache key."""

    dense_weight: float = 0.7
    """The cosine's share of the fused score; the rest is BM25 over its best candidate."""
    k1: float = 1.2
    b: float = 0.75
    stem: bool = True
    max_tokens: int = 128
    """MiniLM's input cut (``reviewer.embed.ABSTRACT_MAX_TOKENS``)."""


@dataclass(frozen=True)
class Hit:
    """One earlier paper found for a query, with its fused score (higher is closer)."""

    paper: CorpusPaper
    score: float

    def to_record(self) -> dict[str, Any]:
        """The listing an output line holds: no abstract, no reviews, no authors."""
        p = self.paper
        return {"paper_id": p.paper_id, "title": p.title, "year": p.year, "venue": p.venue,
                "score": round(self.score, 4), "url": _link(p.url)}  # fmt: skip


def _link(url: str | None) -> str | None:
    """A web link only (a papers file could hold any text there, and reports link it)."""
    return url if url and url.startswith(("https://", "http://")) else None


def _stemmer(stem: bool) -> Any:
    if not stem:
        return None
    try:
        import Stemmer  # PyStemmer: the [related] extra
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


class Lexical:
    """BM25 (Lucene's variant) over the corpus texts; English stop words removed."""

    def __init__(self, retriever: Any, stem: bool) -> None:
        self.retriever = retriever
        self.stemmer = _stemmer(stem)

    @classmethod
    def build(cls, texts: Sequence[str], settings: IndexSettings) -> Lexical:
        import bm25s

        lexical = cls(bm25s.BM25(k1=settings.k1, b=settings.b), settings.stem)
        tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=lexical.stemmer,
                                return_ids=False, show_progress=False)  # fmt: skip
        lexical.retriever.index(tokens, show_progress=False)
        return lexical

    def scores(self, text: str) -> np.ndarray:
        """BM25 of ``text`` against every corpus paper (zeros when no word is known)."""
        import bm25s

        tokens = bm25s.tokenize([text], stopwords="en", stemmer=self.stemmer,
                                return_ids=False, show_progress=False)[0]  # fmt: skip
        known = self.retriever.get_tokens_ids(tokens)
        if not known:
            return np.zeros(self.retriever.scores["num_docs"], dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)

    def arrays(self) -> dict[str, np.ndarray]:
        s = self.retriever.scores
        vocab = json.dumps(self.retriever.vocab_dict, ensure_ascii=False)
        return {"bm25_data": s["data"], "bm25_indices": s["indices"],
                "bm25_indptr": s["indptr"], "bm25_docs": np.array(s["num_docs"]),
                "bm25_vocab": np.array(vocab)}  # fmt: skip

    @classmethod
    def from_arrays(cls, arrays: Any, settings: IndexSettings) -> Lexical:
        import bm25s

        retriever = bm25s.BM25(k1=settings.k1, b=settings.b)
        retriever.scores = {"data": arrays["bm25_data"], "indices": arrays["bm25_indices"],
                            "indptr": arrays["bm25_indptr"],
                            "num_docs": int(arrays["bm25_docs"])}  # fmt: skip
        retriever.vocab_dict = json.loads(str(arrays["bm25_vocab"]))
        retriever.unique_token_ids_set = set(retriever.vocab_dict.values())
        retriever.nonoccurrence_array = None  # Lucene's BM25 has none (only BM25L and BM25+)
        return cls(retriever, settings.stem)


def _encoder_key(encoder: Encoder) -> str:
    return str(getattr(encoder, "key", type(encoder).__name__))


def index_key(corpus: Corpus, encoder: Encoder, settings: IndexSettings) -> str:
    """The cache key of ``corpus``'s index: its content, the embedding model and the settings
    that shape the arrays (the fusion weight does not)."""
    shape = {k: v for k, v in asdict(settings).items() if k != "dense_weight"}
    return stable_hash({"v": 1, "corpus": corpus.digest, "encoder": _encoder_key(encoder),
                        "bm25s": version("bm25s"), "stemmer": _stemmer(settings.stem) is not None,
                        **shape})  # fmt: skip


def encode_all(encoder: Encoder, texts: Sequence[str], progress: Progress | None) -> np.ndarray:
    """Every text's vector, ``ENCODE_CHUNK`` at a time so a progress bar can follow."""
    parts = []
    for start in range(0, len(texts), ENCODE_CHUNK):
        parts.append(encoder.encode(texts[start : start + ENCODE_CHUNK]))
        if progress is not None:
            progress(min(start + ENCODE_CHUNK, len(texts)), len(texts))
    return np.vstack(parts).astype(np.float32) if parts else np.zeros((0, 0), np.float32)


class RelatedIndex:
    """Earlier papers of one corpus nearest to a query paper."""

    def __init__(
        self,
        corpus: Corpus,
        lexical: Lexical,
        dense: np.ndarray,
        encoder: Encoder,
        settings: IndexSettings,
    ) -> None:
        self.corpus = corpus
        self.lexical = lexical
        self.dense = dense
        self.encoder = encoder
        self.settings = settings
        self.years = np.array([p.year if p.year is not None else -1 for p in corpus.papers])
        self._rows = {p.paper_id: i for i, p in enumerate(corpus.papers)}
        self._titles = np.array([norm_title(p.title) for p in corpus.papers], dtype=object)

    @classmethod
    def build(
        cls,
        corpus: Corpus,
        encoder: Encoder,
        settings: IndexSettings | None = None,
        *,
        cache: IndexCache | None = None,
        progress: Progress | None = None,
    ) -> RelatedIndex:
        """The index of ``corpus``: from the cache when this content was indexed before."""
        settings = settings or IndexSettings()
        key = index_key(corpus, encoder, settings)
        blob = cache.get(key) if cache is not None else None
        if blob is not None:
            with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
                lexical = Lexical.from_arrays(arrays, settings)
                return cls(corpus, lexical, np.array(arrays["dense"]), encoder, settings)
        texts = [p.text for p in corpus.papers]
        lexical = Lexical.build(texts, settings)
        dense = encode_all(encoder, texts, progress)
        if cache is not None:
            buffer = io.BytesIO()
            stored: dict[str, Any] = {"dense": dense, **lexical.arrays()}
            np.savez(buffer, **stored)
            cache.put(key, buffer.getvalue())
        return cls(corpus, lexical, dense, encoder, settings)

    def candidates(self, query: CorpusPaper) -> np.ndarray:
        """Which corpus papers may be listed for ``query``: of a strictly earlier year (any year
        when the query's is unknown), never the query itself nor a paper of the same title."""
        if query.year is None:
            mask = np.ones(len(self.years), dtype=bool)
        else:
            mask = (self.years >= 0) & (self.years < query.year)
        row = self._rows.get(query.paper_id)
        if row is not None:
            mask[row] = False
        mask &= self._titles != norm_title(query.title)
        return mask

    def query_vector(self, query: CorpusPaper) -> np.ndarray:
        """The query's vector: its corpus row when it is a corpus paper with the same text."""
        row = self._rows.get(query.paper_id)
        if row is not None and self.corpus.papers[row].text == query.text:
            return np.asarray(self.dense[row], dtype=np.float32)
        return np.asarray(self.encoder.encode([query.text])[0], dtype=np.float32)

    def scores(self, query: CorpusPaper) -> tuple[np.ndarray, np.ndarray]:
        """(cosine, BM25) of ``query`` against every corpus paper."""
        return self.dense @ self.query_vector(query), self.lexical.scores(query.text)

    def search(self, query: CorpusPaper, k: int) -> list[Hit]:
        """The ``k`` candidates with the highest fused score, best first."""
        mask = self.candidates(query)
        if k <= 0 or not mask.any():
            return []
        cosine, bm25 = self.scores(query)
        fused = fuse(cosine, bm25, mask, self.settings.dense_weight)
        top = np.flatnonzero(mask)
        order = top[np.argsort(-fused[top], kind="stable")[:k]]
        return [Hit(self.corpus.papers[i], float(fused[i])) for i in order]


def fuse(cosine: np.ndarray, bm25: np.ndarray, mask: np.ndarray, weight: float) -> np.ndarray:
    """``weight`` x cosine + (1 - ``weight``) x BM25 / its best candidate's BM25: both near
    [0, 1], so the weight alone says how much each retriever counts."""
    best = float(bm25[mask].max()) if mask.any() else 0.0
    lexical = bm25 / best if best > 0 else np.zeros_like(bm25)
    return weight * cosine + (1.0 - weight) * lexical
