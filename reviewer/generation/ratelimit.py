"""Client-side request and token budgets (``--rpm``, ``--tpm``), so a batch stays under a
provider's limits instead of bouncing off 429s.

Two token buckets refilled continuously; each holds one second's worth (at least one
request), so bursts stay small. A request bigger than the token bucket takes it into debt,
which later requests wait out, so the long-run rate is exact.
"""

from __future__ import annotations

import asyncio
import time


class _Bucket:
    def __init__(self, per_minute: float, floor: float) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(self.rate, floor)
        self.level = self.capacity
        self.stamp = time.monotonic()

    def wait_for(self, amount: float) -> float:
        """Seconds until ``amount`` is available (0 when it is; then it is taken)."""
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        need = min(amount, self.capacity)  # a request larger than the bucket runs into debt
        if self.level >= need:
            self.level -= amount
            return 0.0
        return (need - self.level) / self.rate


class RateLimiter:
    """Await ``acquire(tokens)`` before each request; waits are served in arrival order."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None) -> None:
        self._requests = _Bucket(rpm, 1.0) if rpm else None
        self._tokens = _Bucket(tpm, 1.0) if tpm else None
        self._lock = asyncio.Lock()

    async def acquire(self, tokens: int) -> None:
        async with self._lock:
            for bucket, amount in ((self._requests, 1.0), (self._tokens, float(tokens))):
                if bucket is None:
                    continue
                delay = bucket.wait_for(amount)
                while delay > 0:
                    await asyncio.sleep(delay)
                    delay = bucket.wait_for(amount)
