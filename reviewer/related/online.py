"""Online sources of related work, for users with a network: OpenAlex (``pyalex``), arXiv
(``arxiv``) and Semantic Scholar (``semanticscholar``), each behind one small adapter.

Every adapter asks its service for earlier papers like the query (by title), and this module
owns what the services' users keep tripping over: a polite pause between requests to one
service, a bounded retry with backoff on 429 (the libraries' own retries are turned off, so
attempts never multiply), and an on-disk cache of each answer (``reviewer.cache.FetchCache``),
so a rerun sends nothing. A service that cannot be reached raises ``SourceUnavailable`` at
once: the caller then uses the local corpus alone and says so (``reviewer.related.find``).
Base URLs can be pointed elsewhere (``REVIEWER_OPENALEX_URL``, ``REVIEWER_ARXIV_URL``,
``REVIEWER_S2_URL``): the tests serve fake answers on loopback.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Protocol

from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from reviewer.cache import FetchCache
from reviewer.errors import ReviewerError, require_extra
from reviewer.related.corpus import CorpusPaper

OPENALEX_URL = "https://api.openalex.org"
ARXIV_URL = "https://export.arxiv.org/api/query"
S2_URL = "https://api.semanticscholar.org"
MAX_WAIT = 60.0


class SourceUnavailable(ReviewerError):
    """An online source could not be reached, or kept refusing after its retries."""


class RateLimited(Exception):
    """A 429 from a service, with its ``Retry-After`` in seconds when it sent one."""

    def __init__(self, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__("HTTP 429 Too Many Requests")


class Service(Protocol):
    """One service's search: earlier papers (before ``year``, when given) like ``query``."""

    name: str
    base_url: str
    delay: float  # seconds between two requests to it, as its terms ask

    def search(self, query: CorpusPaper, k: int) -> list[CorpusPaper]: ...


def _year_of(value: Any) -> int | None:
    text = str(value or "")[:4]
    return int(text) if text.isdigit() else None


def _retry_after(value: Any) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


class OpenAlex:
    """OpenAlex's work search (``pyalex``), filtered to earlier publication years."""

    name = "openalex"
    delay = 0.2  # the polite pool allows 10 requests a second

    def __init__(self, base_url: str | None = None, email: str | None = None) -> None:
        self.base_url = base_url or os.environ.get("REVIEWER_OPENALEX_URL", OPENALEX_URL)
        self.email = email or os.environ.get("REVIEWER_CONTACT")

    def _works(self) -> Any:
        import pyalex

        pyalex.config.max_retries = 0  # retried here, once, not also inside requests
        pyalex.config.email = self.email
        base = self.base_url.rstrip("/")

        class Works(pyalex.Works):  # type: ignore[misc]  # the library builds its own host in
            @property
            def url(self) -> str:
                return base + str(super().url).removeprefix("https://api.openalex.org")

        return Works()

    def search(self, query: CorpusPaper, k: int) -> list[CorpusPaper]:
        import requests

        works = self._works().search(query.title)
        if query.year is not None:
            works = works.filter(publication_year=f"<{query.year}")
        try:
            found = works.get(per_page=k)
        except requests.HTTPError as exc:
            response = exc.response
            if response is not None and response.status_code == 429:
                raise RateLimited(_retry_after(response.headers.get("Retry-After"))) from None
            raise SourceUnavailable(f"OpenAlex: {exc}") from None
        except requests.RequestException as exc:
            raise SourceUnavailable(f"OpenAlex unreachable ({type(exc).__name__})") from None
        return [p for w in found if (p := self._paper(w)) is not None]

    @staticmethod
    def _paper(work: Any) -> CorpusPaper | None:
        title, abstract = work.get("title") or work.get("display_name"), work["abstract"]
        if not title or not abstract:
            return None
        source = ((work.get("primary_location") or {}).get("source") or {}).get("display_name")
        return CorpusPaper(str(work["id"]).rsplit("/", 1)[-1], title, abstract,
                           _year_of(work.get("publication_year")), source,
                           work.get("doi") or work.get("id"))  # fmt: skip


class Arxiv:
    """arXiv's search API (``arxiv``) on the title's words; earlier years kept."""

    name = "arxiv"
    delay = 3.0  # arXiv's API terms: one request every three seconds

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url or os.environ.get("REVIEWER_ARXIV_URL", ARXIV_URL)

    def search(self, query: CorpusPaper, k: int) -> list[CorpusPaper]:
        import arxiv
        import requests

        client = arxiv.Client(page_size=max(k, 1), delay_seconds=0.0, num_retries=0)
        client.query_url_format = self.base_url.split("?")[0] + "?{}"
        words = " ".join(w for w in query.title.replace('"', " ").split() if w.isascii())
        try:
            results = list(client.results(arxiv.Search(query=words, max_results=k)))
        except arxiv.HTTPError as exc:
            if exc.status == 429:
                raise RateLimited() from None
            raise SourceUnavailable(f"arXiv: HTTP {exc.status}") from None
        except (requests.RequestException, arxiv.ArxivError) as exc:
            raise SourceUnavailable(f"arXiv unreachable ({type(exc).__name__})") from None
        papers = [CorpusPaper(r.get_short_id(), " ".join(r.title.split()),
                              " ".join(r.summary.split()), r.published.year,
                              r.journal_ref or "arXiv", r.entry_id)
                  for r in results]  # fmt: skip
        return [p for p in papers if query.year is None or (p.year or 0) < query.year]


class SemanticScholar:
    """Semantic Scholar's paper search (``semanticscholar``), limited to earlier years."""

    name = "semanticscholar"
    delay = 1.0  # the shared unauthenticated pool: about one request a second
    fields = ("paperId", "title", "abstract", "year", "venue", "url")

    def __init__(self, base_url: str | None = None, api_key: str | None = None) -> None:
        self.base_url = base_url or os.environ.get("REVIEWER_S2_URL", S2_URL)
        self.api_key = api_key or os.environ.get("S2_API_KEY")

    def search(self, query: CorpusPaper, k: int) -> list[CorpusPaper]:
        import httpx
        from semanticscholar import SemanticScholar as Client

        client = Client(api_url=self.base_url, api_key=self.api_key, retry=False, timeout=30)
        years = f"-{query.year - 1}" if query.year is not None else None
        try:
            results = client.search_paper(query.title, year=years, fields=list(self.fields),
                                          limit=min(max(k, 1), 100))  # fmt: skip
            items = list(results.items)
        except RetryError as exc:  # its retries are off: one attempt, wrapped
            if isinstance(exc.last_attempt.exception(), ConnectionRefusedError):  # its 429
                raise RateLimited() from None
            raise SourceUnavailable(f"Semantic Scholar: {exc.last_attempt.exception()}") from None
        except ConnectionRefusedError:  # how the library reports a 429
            raise RateLimited() from None
        except (httpx.HTTPError, OSError) as exc:
            raise SourceUnavailable(
                f"Semantic Scholar unreachable ({type(exc).__name__})"
            ) from None
        papers = [CorpusPaper(str(p.paperId), p.title, p.abstract, p.year, p.venue or None,
                              p.url) for p in items if p.title and p.abstract]  # fmt: skip
        return [p for p in papers if query.year is None or (p.year or 0) < query.year]


SERVICES: dict[str, Callable[[], Service]] = {
    "openalex": OpenAlex,
    "arxiv": Arxiv,
    "semanticscholar": SemanticScholar,
}
"""The online corpus names ``--corpus`` accepts."""


class Online:
    """A service behind a pause, a bounded retry on 429 and the on-disk cache."""

    def __init__(
        self,
        service: Service,
        *,
        max_attempts: int = 4,
        backoff_base: float = 2.0,
        delay: float | None = None,
        cache: FetchCache | None = None,
    ) -> None:
        require_extra(f"--corpus {service.name}", "online")
        self.service = service
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        env = os.environ.get("REVIEWER_FETCH_DELAY")
        self.delay = delay if delay is not None else float(env) if env else service.delay
        self.cache = cache if cache is not None else FetchCache()
        self.requests_sent = 0
        self._last = 0.0

    def key(self, query: CorpusPaper, k: int) -> str:
        """What the answer is cached under: the service, where it is, the question."""
        return f"related:{self.service.name}:{self.service.base_url}?" + json.dumps(
            [query.title, query.year, k], ensure_ascii=False
        )

    def search(self, query: CorpusPaper, k: int) -> list[CorpusPaper]:
        """Earlier papers like ``query``, from the cache when this was asked before."""
        key = self.key(query, k)
        cached = self.cache.get(key)
        if cached is not None:
            return [CorpusPaper(**p) for p in json.loads(cached)]
        retrying = Retrying(stop=stop_after_attempt(self.max_attempts), wait=self._wait,
                            retry=retry_if_exception_type(RateLimited), reraise=True)  # fmt: skip
        try:
            found = retrying(self._once, query, k)
        except RateLimited:
            raise SourceUnavailable(
                f"{self.service.name}: still rate-limited (HTTP 429) after "
                f"{self.max_attempts} attempts"
            ) from None
        self.cache.put(key, json.dumps([asdict(p) for p in found], ensure_ascii=False))
        return found

    def _once(self, query: CorpusPaper, k: int) -> list[CorpusPaper]:
        remaining = self._last + self.delay - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
        self._last = time.monotonic()
        self.requests_sent += 1
        return self.service.search(query, k)

    def _wait(self, state: RetryCallState) -> float:
        """Exponential backoff with jitter, or the service's Retry-After when it is longer."""
        backoff = self.backoff_base * 2 ** (state.attempt_number - 1) * random.uniform(0.5, 1.0)
        exc = state.outcome.exception() if state.outcome else None
        hint = exc.retry_after if isinstance(exc, RateLimited) else None
        return float(min(max(backoff, hint or 0.0), MAX_WAIT))

    def close(self) -> None:
        self.cache.close()
