"""Online sources through their real client libraries (pyalex, arxiv, semanticscholar) against
a FAKE server on loopback: answers parsed, 429 retried with backoff, answers cached, an
unreachable service turned into the local corpus and one line saying so."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from reviewer.related.corpus import CorpusPaper
from reviewer.related.find import LocalSource, OnlineSource
from reviewer.related.index import RelatedIndex
from reviewer.related.online import Arxiv, Online, OpenAlex, SemanticScholar, SourceUnavailable
from tests.eval.conftest import HashEncoder

for module in ("pyalex", "arxiv", "semanticscholar", "bm25s"):
    pytest.importorskip(module)

QUERY = CorpusPaper("q", "Graph networks for molecules at scale", "We scale graph networks.", 2025)
OPENALEX = {
    "meta": {"count": 3, "page": 1, "per_page": 3},
    "results": [
        {"id": "https://openalex.org/W1", "title": "Graph networks for molecules",
         "publication_year": 2023, "doi": "https://doi.org/10.1/x",
         "abstract_inverted_index": {"Message": [0], "passing": [1], "on": [2], "molecules.": [3]},
         "primary_location": {"source": {"display_name": "NeurIPS"}}},
        {"id": "https://openalex.org/W2", "title": "No abstract here", "publication_year": 2022,
         "abstract_inverted_index": None},
        {"id": "https://openalex.org/W3", "title": "Speech transducers", "publication_year": 2021,
         "abstract_inverted_index": {"Streaming": [0], "speech.": [1]}},
    ],
}  # fmt: skip
ARXIV_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"
 xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
<opensearch:totalResults>2</opensearch:totalResults>
<opensearch:startIndex>0</opensearch:startIndex><opensearch:itemsPerPage>2</opensearch:itemsPerPage>
<entry><id>http://arxiv.org/abs/2301.00001v1</id><updated>2023-01-01T00:00:00Z</updated>
<published>2023-01-01T00:00:00Z</published><title>Graph networks
 for molecules</title><summary>Message passing on molecules.</summary>
<author><name>Ada Secretauthor</name></author><link href="http://arxiv.org/abs/2301.00001v1"
 rel="alternate" type="text/html"/><arxiv:primary_category term="cs.LG"/>
<category term="cs.LG"/></entry>
<entry><id>http://arxiv.org/abs/2601.00002v1</id><updated>2026-01-01T00:00:00Z</updated>
<published>2026-01-01T00:00:00Z</published><title>A later paper</title>
<summary>Written after the query.</summary><author><name>B</name></author>
<link href="http://arxiv.org/abs/2601.00002v1" rel="alternate" type="text/html"/>
<arxiv:primary_category term="cs.LG"/><category term="cs.LG"/></entry>
</feed>"""
S2 = {
    "total": 2, "offset": 0,
    "data": [
        {"paperId": "s1", "title": "Graph networks for molecules", "year": 2024,
         "abstract": "Message passing on molecules.", "venue": "NeurIPS",
         "url": "https://www.semanticscholar.org/paper/s1"},
        {"paperId": "s2", "title": "Later work", "year": 2026, "abstract": "After.",
         "venue": "", "url": None},
    ],
}  # fmt: skip


class FakeScholarly:
    """OpenAlex, arXiv and Semantic Scholar paths on one loopback server; ``fail`` holds the
    statuses to answer before the real body (429 with ``Retry-After: 0``)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.fail: list[int] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                url = urlparse(self.path)
                fake.requests.append((url.path, parse_qs(url.query)))
                if fake.fail:
                    self.send_response(fake.fail.pop(0))
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": "slow down"}')
                    return
                if url.path == "/works":
                    body, kind = json.dumps(OPENALEX), "application/json"
                elif url.path == "/api/query":
                    body, kind = ARXIV_FEED, "application/atom+xml"
                else:
                    body, kind = json.dumps(S2), "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.end_headers()
                self.wfile.write(body.encode())

        return Handler

    def __enter__(self) -> FakeScholarly:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scholarly() -> Iterator[FakeScholarly]:
    with FakeScholarly() as server:
        yield server


def _online(service: Any) -> Online:
    return Online(service, backoff_base=0.01, delay=0.0)


def test_openalex_asks_for_earlier_works_and_keeps_those_with_an_abstract(
    scholarly: FakeScholarly,
) -> None:
    found = _online(OpenAlex(scholarly.base)).search(QUERY, 3)
    assert [(p.paper_id, p.year, p.venue) for p in found] == [("W1", 2023, "NeurIPS"),
                                                             ("W3", 2021, None)]  # fmt: skip
    assert found[0].abstract == "Message passing on molecules."
    path, params = scholarly.requests[0]
    assert path == "/works" and params["search"] == [QUERY.title]
    assert params["filter"] == ["publication_year:<2025"] and params["per-page"] == ["3"]


def test_arxiv_keeps_earlier_years_and_no_author(scholarly: FakeScholarly) -> None:
    found = _online(Arxiv(f"{scholarly.base}/api/query")).search(QUERY, 2)
    assert [(p.paper_id, p.title, p.year) for p in found] == [
        ("2301.00001v1", "Graph networks for molecules", 2023)]  # fmt: skip
    assert "Secretauthor" not in repr(found)
    assert scholarly.requests[0][1]["max_results"] == ["2"]


def test_semantic_scholar_asks_for_years_before_the_papers(scholarly: FakeScholarly) -> None:
    found = _online(SemanticScholar(scholarly.base)).search(QUERY, 2)
    assert [(p.paper_id, p.url) for p in found] == [
        ("s1", "https://www.semanticscholar.org/paper/s1")]  # fmt: skip
    path, params = scholarly.requests[0]
    assert path == "/graph/v1/paper/search" and params["year"] == ["-2024"]


@pytest.mark.parametrize(
    "make",
    [lambda b: OpenAlex(b), lambda b: Arxiv(f"{b}/api/query"), lambda b: SemanticScholar(b)],
    ids=["openalex", "arxiv", "s2"],
)
def test_a_429_is_retried_with_backoff_and_the_answer_cached(
    scholarly: FakeScholarly, make: Any
) -> None:
    scholarly.fail = [429, 429]
    online = _online(make(scholarly.base))
    found = online.search(QUERY, 3)
    assert found and online.requests_sent == 3 and len(scholarly.requests) == 3
    again = _online(make(scholarly.base)).search(QUERY, 3)  # a new process: the disk cache
    assert again == found and len(scholarly.requests) == 3


def test_a_service_still_refusing_after_its_attempts_is_unavailable(
    scholarly: FakeScholarly,
) -> None:
    scholarly.fail = [429] * 5
    with pytest.raises(SourceUnavailable, match="429"):
        Online(OpenAlex(scholarly.base), max_attempts=3, backoff_base=0.01, delay=0).search(
            QUERY, 3
        )
    assert len(scholarly.requests) == 3


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_offline_the_local_corpus_answers_and_one_line_says_so(corpus_file: Path) -> None:
    from reviewer.related.corpus import load_corpus

    encoder = HashEncoder()
    local = LocalSource(RelatedIndex.build(load_corpus(corpus_file), encoder), 2)
    source = OnlineSource(_online(OpenAlex(_closed_port())), encoder, 2, lambda: local)
    from reviewer.inputs.paper import Paper

    paper = Paper(id="new", title="Molecule graphs", abstract="Message passing.", year=2025)
    first, second = source.for_paper(paper), source.for_paper(paper)
    assert first == second and len(first) == 2
    assert len(source.notes) == 1 and "offline" in source.notes[0]
    assert "OpenAlex unreachable" in source.notes[0] and str(corpus_file) in source.notes[0]


def test_online_answers_are_ranked_by_cosine_and_never_the_paper_itself(
    scholarly: FakeScholarly,
) -> None:
    from reviewer.inputs.paper import Paper

    source = OnlineSource(_online(OpenAlex(scholarly.base)), HashEncoder(), 1,
                          lambda: pytest.fail("the service answered"))  # fmt: skip
    paper = Paper(id="q", title="Speech transducers", abstract="Streaming speech.", year=2025)
    (hit,) = source.for_paper(paper)  # W3 has the paper's title: a resubmission, not related
    assert hit.paper.paper_id == "W1" and 0 <= hit.score <= 1 and not source.notes
