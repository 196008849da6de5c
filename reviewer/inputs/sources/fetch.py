"""HTTP for metadata sources: one polite client shared by the arXiv and OpenReview readers.

Public APIs ask for restraint (arXiv: about one request every 3 seconds), so every request
waits out a per-host delay, carries a User-Agent that says what is asking, is bounded by a
timeout and retried a bounded number of times with backoff. Successful bodies are cached by
URL through ``reviewer.cache``, so a rerun over the same ids sends nothing at all.
"""

from __future__ import annotations

import os
import random
import time
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from reviewer.cache import FetchCache
from reviewer.errors import ReviewerError

# arXiv's API terms ask for no more than one request every three seconds.
HOST_DELAYS = {"export.arxiv.org": 3.0}
DEFAULT_DELAY = 1.0
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
MAX_WAIT = 120.0


class FetchError(ReviewerError):
    """A metadata request failed for good (after retries) or was refused (4xx)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class _Retryable(Exception):
    """A reply worth asking again (429, 5xx), with the server's ``Retry-After`` if any."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"HTTP {status}")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def user_agent() -> str:
    """Says what is asking; ``REVIEWER_CONTACT`` (an e-mail) is appended as arXiv asks."""
    try:
        package = version("reviewer")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        package = "dev"
    contact = os.environ.get("REVIEWER_CONTACT")
    suffix = f"; mailto:{contact}" if contact else ""
    return f"reviewer/{package} (paper metadata for peer-review generation{suffix})"


class Fetcher:
    """GET with a per-host delay, timeout, bounded retries and a URL-keyed cache.

    ``delay`` (seconds between requests to one host) overrides ``REVIEWER_FETCH_DELAY``,
    which overrides the per-host defaults; tests set it to 0.
    """

    def __init__(
        self,
        *,
        delay: float | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        backoff_base: float = 1.0,
        cache: FetchCache | None = None,
    ) -> None:
        env = os.environ.get("REVIEWER_FETCH_DELAY")
        self.delay = delay if delay is not None else (float(env) if env else None)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.cache = cache if cache is not None else FetchCache()
        self.requests_sent = 0
        self._last: dict[str, float] = {}
        self._client = httpx.Client(
            timeout=timeout, headers={"User-Agent": user_agent()}, follow_redirects=True
        )

    def get(self, url: str, params: dict[str, Any] | None = None) -> str:
        """The body of a successful GET, from the cache when this URL was fetched before."""
        full = str(httpx.URL(url, params=params))
        cached = self.cache.get(full)
        if cached is not None:
            return cached
        retrying = Retrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type((_Retryable, httpx.TransportError)),
            reraise=True,
        )
        try:
            body = retrying(self._once, full)
        except _Retryable as exc:
            raise FetchError(f"{full}: {exc} after {self.max_retries + 1} attempts",
                             status=exc.status) from None  # fmt: skip
        except httpx.TransportError as exc:
            kind = type(exc).__name__
            raise FetchError(f"{full}: {kind} after {self.max_retries + 1} attempts") from None
        self.cache.put(full, body)
        return body

    def _once(self, url: str) -> str:
        self._pause(httpx.URL(url).host)
        self.requests_sent += 1
        response = self._client.get(url)
        if response.status_code in RETRY_STATUS:
            raise _Retryable(
                response.status_code, _retry_after(response.headers.get("retry-after"))
            )
        if response.status_code >= 400:
            raise FetchError(f"{url}: HTTP {response.status_code}", status=response.status_code)
        return response.text

    def _pause(self, host: str) -> None:
        """Wait until this host's delay has passed since the last request to it."""
        delay = self.delay if self.delay is not None else HOST_DELAYS.get(host, DEFAULT_DELAY)
        last = self._last.get(host)
        if last is not None:
            remaining = last + delay - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
        self._last[host] = time.monotonic()

    def _wait(self, state: RetryCallState) -> float:
        """Exponential backoff with jitter, or the server's Retry-After when it is longer."""
        backoff = self.backoff_base * 2 ** (state.attempt_number - 1) * random.uniform(0.5, 1.0)
        exc = state.outcome.exception() if state.outcome else None
        hint = exc.retry_after if isinstance(exc, _Retryable) else None
        return min(max(backoff, hint or 0.0), MAX_WAIT)

    def close(self) -> None:
        self._client.close()
        self.cache.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
