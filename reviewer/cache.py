"""The only module that touches the on-disk caches (diskcache, SQLite underneath).

Completions are stored raw (text, finish reason, usage) and re-validated on every read, so a
schema change can never serve a stale parsed object. Keys hash everything that changes the
output and nothing that does not: timeouts, retries and concurrency stay out. diskcache is
safe across processes, so two batches may share one directory.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import diskcache

from reviewer.config import cache_root

if TYPE_CHECKING:
    import numpy as np


def stable_hash(value: Any) -> str:
    """sha256 of a value's canonical JSON form (sorted keys, no whitespace)."""
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def completion_key(
    *,
    base_url: str,
    model: str,
    messages: Sequence[dict[str, str]],
    params: dict[str, Any],
    schema_hash: str,
    template_hash: str,
    sample: int,
) -> str:
    """The cache key of one completion request. The API key is deliberately not part of it."""
    return stable_hash(
        {
            "v": 1,
            "base_url": base_url.rstrip("/"),
            "model": model,
            "messages": list(messages),
            "params": params,
            "schema": schema_hash,
            "template": template_hash,
            "sample": sample,
        }
    )


class _DiskStore:
    """A lazily opened diskcache directory under the cache root; disabled means always a miss."""

    subdir = ""
    size_limit = 2**34

    def __init__(self, directory: Path | None = None, *, enabled: bool = True) -> None:
        self.directory = Path(directory) if directory else cache_root() / self.subdir
        self.enabled = enabled
        self._store: diskcache.Cache | None = None

    @property
    def store(self) -> diskcache.Cache:
        if self._store is None:
            self._store = diskcache.Cache(str(self.directory), size_limit=self.size_limit)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class CompletionCache(_DiskStore):
    """Raw completions by key; ``enabled=False`` makes every lookup a miss and stores nothing."""

    subdir = "completions"

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        value = self.store.get(key)
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.enabled:
            self.store.set(key, value)

    def stats(self) -> dict[str, Any]:
        if not self.directory.exists():
            return {"directory": str(self.directory), "entries": 0, "bytes": 0}
        return {
            "directory": str(self.directory),
            "entries": len(self.store),
            "bytes": self.store.volume(),
        }

    def clear(self) -> int:
        return self.store.clear() if self.directory.exists() else 0


class EmbeddingCache:
    """Sentence embeddings by (model, sha256 of text), so repeated evals embed each text once."""

    def __init__(self, model: str, directory: Path | None = None) -> None:
        self.model = model
        self.directory = Path(directory) if directory else cache_root() / "embeddings"
        self.store = diskcache.Cache(str(self.directory), size_limit=2**34)

    def _key(self, text: str) -> str:
        return f"{self.model}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"

    def get_many(self, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """Vectors found for ``texts``, by index into it."""
        import numpy as np

        found: dict[int, np.ndarray] = {}
        for i, text in enumerate(texts):
            blob = self.store.get(self._key(text))
            if blob is not None:
                found[i] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        import numpy as np

        with self.store.transact():
            for text, vector in zip(texts, vectors, strict=True):
                self.store.set(self._key(text), np.asarray(vector, dtype=np.float32).tobytes())

    def close(self) -> None:
        self.store.close()


class FetchCache(_DiskStore):
    """Fetched metadata responses by URL, so a rerun over the same ids sends no request.

    Only successful bodies are stored; ``enabled=False`` makes every lookup a miss.
    """

    subdir = "fetch"
    size_limit = 2**30

    @staticmethod
    def key(url: str) -> str:
        return stable_hash({"v": 1, "url": url})

    def get(self, url: str) -> str | None:
        if not self.enabled:
            return None
        value = self.store.get(self.key(url))
        return value if isinstance(value, str) else None

    def put(self, url: str, body: str) -> None:
        if self.enabled:
            self.store.set(self.key(url), body)


class IndexCache(_DiskStore):
    """Built related-work indexes (``reviewer.related.index``) as bytes, by the corpus's
    content hash and the index settings: a corpus is indexed once, whatever its path."""

    subdir = "related-index"
    size_limit = 2**32

    def get(self, key: str) -> bytes | None:
        if not self.enabled:
            return None
        value = self.store.get(key)
        return value if isinstance(value, bytes) else None

    def put(self, key: str, blob: bytes) -> None:
        if self.enabled:
            self.store.set(key, blob)
