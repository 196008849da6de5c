"""The hybrid index: earlier years only, never the paper itself, cached by content."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.cache import IndexCache
from reviewer.related.corpus import Corpus, CorpusPaper
from reviewer.related.index import IndexSettings, RelatedIndex, fuse
from tests.eval.conftest import HashEncoder

pytest.importorskip("bm25s")


def _query(pid: str, year: int | None, title: str, abstract: str) -> CorpusPaper:
    return CorpusPaper(pid, title, abstract, year)


def test_only_strictly_earlier_papers_and_never_the_paper_itself(corpus: Corpus) -> None:
    index = RelatedIndex.build(corpus, HashEncoder())
    g25 = corpus.papers[-1]
    found = [h.paper.paper_id for h in index.search(g25, 10)]
    assert set(found) == {"g23", "v23", "s23", "g24"}  # 2023 and 2024, not itself
    assert found[0] in ("g23", "g24")  # a molecule graph paper first
    g24 = corpus.papers[3]
    assert {h.paper.paper_id for h in index.search(g24, 10)} == {"g23", "v23", "s23"}
    assert index.search(corpus.papers[0], 10) == []  # nothing before 2023


def test_a_resubmission_with_the_same_title_is_not_related_work(corpus: Corpus) -> None:
    index = RelatedIndex.build(corpus, HashEncoder())
    again = _query("new-id", 2026, "GRAPH networks for molecule-property prediction!",
                   "We predict molecule properties with graph networks.")  # fmt: skip
    assert "g23" not in [h.paper.paper_id for h in index.search(again, 10)]


def test_a_paper_without_a_year_is_compared_with_every_other_paper(corpus: Corpus) -> None:
    index = RelatedIndex.build(corpus, HashEncoder())
    hits = index.search(_query("x", None, "Speech transducers", "Streaming speech."), 3)
    assert hits[0].paper.paper_id == "s23" and len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_the_listing_carries_a_web_link_only(corpus: Corpus) -> None:
    hit = RelatedIndex.build(corpus, HashEncoder()).search(corpus.papers[-1], 1)[0]
    record = hit.to_record()
    assert set(record) == {"paper_id", "title", "year", "venue", "score", "url"}
    assert record["url"].startswith("https://openreview.net/")
    odd = type(hit)(CorpusPaper("z", "T", "A", 2020, None, "javascript:alert(1)"), 0.5)
    assert odd.to_record()["url"] is None


def test_the_index_is_built_once_per_content(corpus: Corpus) -> None:
    encoder = HashEncoder()
    cache = IndexCache()
    first = RelatedIndex.build(corpus, encoder, cache=cache)
    encoded = sum(encoder.calls)
    again = RelatedIndex.build(corpus, encoder, cache=cache)
    assert sum(encoder.calls) == encoded  # read from the cache: nothing embedded again
    assert np.array_equal(first.dense, again.dense)
    query = corpus.papers[-1]
    assert [h.paper.paper_id for h in again.search(query, 4)] == [
        h.paper.paper_id for h in first.search(query, 4)]  # fmt: skip
    RelatedIndex.build(corpus, encoder, IndexSettings(k1=0.9), cache=cache)
    assert sum(encoder.calls) > encoded  # other BM25 settings: another index


def test_a_new_paper_is_embedded_and_a_corpus_paper_reuses_its_row(corpus: Corpus) -> None:
    encoder = HashEncoder()
    index = RelatedIndex.build(corpus, encoder)
    before = len(encoder.calls)
    index.search(corpus.papers[-1], 2)
    assert len(encoder.calls) == before
    index.search(_query("new", 2026, "Speech", "Streaming speech recognition."), 2)
    assert len(encoder.calls) == before + 1


def test_fusion_weighs_cosine_against_bm25_over_its_best_candidate() -> None:
    cosine, bm25 = np.array([0.5, 0.1, 0.9]), np.array([4.0, 8.0, 100.0])
    mask = np.array([True, True, False])  # the third is no candidate: not the scale
    assert fuse(cosine, bm25, mask, 0.5).tolist()[:2] == pytest.approx([0.5, 0.55])
    assert fuse(cosine, np.zeros(3), mask, 0.5).tolist() == pytest.approx([0.25, 0.05, 0.45])
