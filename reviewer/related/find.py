"""Related work for a paper from one corpus: a local index, or an online source that falls
back to the local corpus when it cannot be reached.

``open_related`` is what the command line and ``Session`` call; what it returns answers
``for_paper`` (the ``RelatedSource`` the generator asks before it renders a prompt). The query
is the paper's title, abstract and year, nothing else of it: "earlier" means a strictly earlier
year, and the paper itself (same id or same title) is never listed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from reviewer.errors import require_extra
from reviewer.inputs.paper import Paper
from reviewer.related.corpus import CorpusPaper, load_corpus, norm_title
from reviewer.related.index import Hit, IndexSettings, Progress, RelatedIndex
from reviewer.related.online import SERVICES, Online, SourceUnavailable

if TYPE_CHECKING:
    from reviewer.embed import Encoder

DEFAULT_CORPUS = "neurips_2023_2025"
ONLINE_FACTOR = 3
"""An online source is asked for this many times k papers: some are later, or the paper."""


class RelatedSource(Protocol):
    """Earlier papers like ``paper``, best first; ``notes`` says what the user should know."""

    k: int
    notes: list[str]

    @property
    def label(self) -> str:
        """Where the papers come from, for the line a command prints before it starts."""
        ...

    def for_paper(self, paper: Paper) -> list[Hit]: ...


def query_of(paper: Paper) -> CorpusPaper:
    """The part of a paper that related work is looked up by."""
    return CorpusPaper(paper.id, paper.title, paper.abstract, paper.year, paper.venue, paper.url)


class LocalSource:
    """A corpus's index; one search at a time (the embedder and its cache are shared)."""

    def __init__(self, index: RelatedIndex, k: int) -> None:
        self.index, self.k = index, k
        self.notes: list[str] = []
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        corpus = self.index.corpus
        return f"corpus {corpus.name} ({len(corpus):,} papers), BM25 + MiniLM"

    def for_paper(self, paper: Paper) -> list[Hit]:
        with self._lock:
            return self.index.search(query_of(paper), self.k)


class OnlineSource:
    """An online service, its answers ranked by MiniLM cosine with the paper; the first time
    it cannot be reached, the local corpus answers from then on, and ``notes`` says so."""

    def __init__(
        self, online: Online, encoder: Encoder, k: int, fallback: Callable[[], LocalSource]
    ) -> None:
        self.online, self.encoder, self.k = online, encoder, k
        self.notes: list[str] = []
        self._fallback = fallback
        self._local: LocalSource | None = None
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        return f"{self.online.service.name} online, ranked by MiniLM cosine"

    def for_paper(self, paper: Paper) -> list[Hit]:
        with self._lock:
            if self._local is None:
                try:
                    return self._ranked(query_of(paper))
                except SourceUnavailable as exc:
                    self._local = self._fallback()
                    self.notes.append(f"related work offline ({exc}): the local corpus "
                                      f"{self._local.index.corpus.name} alone is used")  # fmt: skip
        return self._local.for_paper(paper)

    def _ranked(self, query: CorpusPaper) -> list[Hit]:
        import numpy as np

        title = norm_title(query.title)
        found = [p for p in self.online.search(query, self.k * ONLINE_FACTOR)
                 if p.paper_id != query.paper_id and norm_title(p.title) != title]  # fmt: skip
        if not found:
            return []
        vectors = self.encoder.encode([query.text, *(p.text for p in found)])
        cosine = vectors[1:] @ vectors[0]
        order = np.argsort(-cosine, kind="stable")[: self.k]
        return [Hit(found[i], float(cosine[i])) for i in order]


def local_source(
    corpus: str | Path,
    k: int,
    encoder: Encoder,
    *,
    settings: IndexSettings | None = None,
    cache: bool = True,
    progress: Progress | None = None,
) -> LocalSource:
    """The index of a local corpus (built once, then read from the cache)."""
    from reviewer.cache import IndexCache

    require_extra("related work", "related")
    index = RelatedIndex.build(load_corpus(corpus), encoder, settings,
                               cache=IndexCache(enabled=cache), progress=progress)  # fmt: skip
    return LocalSource(index, k)


def open_related(
    corpus: str | Path | None,
    k: int,
    *,
    encoder: Encoder | None = None,
    cache: bool = True,
    progress: Progress | None = None,
) -> RelatedSource:
    """Related work from ``corpus``: a reference-set name, a papers file, or an online source
    (``openalex``, ``arxiv``, ``semanticscholar``); the NeurIPS set by default."""
    require_extra("related work", "embeddings")
    if encoder is None:
        from reviewer.embed import Embedder

        encoder = Embedder(IndexSettings().max_tokens, progress=False)
    spec = str(corpus) if corpus is not None else DEFAULT_CORPUS
    if spec in SERVICES:
        online = Online(SERVICES[spec]())
        chosen = encoder  # a narrowed name for the closure

        def fallback() -> LocalSource:
            return local_source(DEFAULT_CORPUS, k, chosen, cache=cache, progress=progress)

        return OnlineSource(online, encoder, k, fallback)
    return local_source(spec, k, encoder, cache=cache, progress=progress)
