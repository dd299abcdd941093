"""Per-client rate limiting at the HTTP edge, over the `limits` package (moving windows kept in memory)."""

from __future__ import annotations

import math
import time

from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RateLimiter:
    """`limit` in `limits` notation ('60/minute', '5/second;100/hour'); an empty string disables limiting.

    Memory storage is per process: two server processes each allow the full rate (README, deployment)."""

    def __init__(self, limit: str) -> None:
        self._items = parse_many(limit) if limit.strip() else []
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, client: str) -> int:
        """0 when `client` may make a request now (and counts it); else the seconds to wait."""
        for item in self._items:
            if not self._limiter.hit(item, client):
                reset = self._limiter.get_window_stats(item, client).reset_time
                return max(1, math.ceil(reset - time.time()))
        return 0
