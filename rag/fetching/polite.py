"""A polite HTTP client for public literature services: a request rate per service, retries with exponential
backoff on 429/5xx and timeouts, and a cache of raw responses on disk so a re-run (or a resumed run) repeats no
request that already succeeded."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from rag.atomic import write_atomic

logger = logging.getLogger("rag.fetch")

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
# Query parameters that identify the caller, not the request: kept out of cache keys (and out of the cache files,
# so an API key never lands on disk).
_PRIVATE = frozenset({"api_key", "email", "tool"})


class FetchError(Exception):
    """A request that failed for good (after retries); the message names the address and the reason."""


class NetworkUnavailable(FetchError):
    """The service cannot be reached at all (no route, refused, DNS): the whole run stops, nothing half-written."""


@dataclass
class Response:
    url: str
    status: int
    body: bytes
    from_cache: bool = False

    def json(self) -> object:
        return json.loads(self.body)


class Pacer:
    """At most `per_second` requests a second to one service (NCBI: 3/s, 10/s with an API key)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if now < self._next:
            time.sleep(self._next - now)
        self._next = max(now, self._next) + self.interval


class ResponseCache:
    """Raw response bodies under a folder, one file per request, written atomically (a kill never leaves half a
    file that a re-run would trust)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def key(url: str, params: dict[str, str]) -> str:
        public = sorted((k, v) for k, v in params.items() if k not in _PRIVATE)
        return hashlib.sha256(json.dumps([url, public]).encode()).hexdigest()[:32]

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, body: bytes) -> None:
        write_atomic(self.path(key), body)

    def drop(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


class PoliteClient:
    """GET with pacing, retries and caching. Only 200 responses are cached; errors are retried on the next run."""

    def __init__(self, cache: ResponseCache, timeout_s: float = 30.0, retries: int = 4, backoff_s: float = 1.0,
                 user_agent: str = "exorag-fetch") -> None:
        self.cache = cache
        self.retries = retries
        self.backoff_s = backoff_s
        self.http = httpx.Client(timeout=timeout_s, follow_redirects=True, headers={"User-Agent": user_agent})
        self.requests_made = 0

    def close(self) -> None:
        self.http.close()

    def get(self, url: str, params: dict[str, str] | None = None, pacer: Pacer | None = None,
            use_cache: bool = True) -> Response:
        params = params or {}
        key = ResponseCache.key(url, params)
        cached = self.cache.get(key) if use_cache else None
        if cached is not None:
            return Response(url, 200, cached, from_cache=True)
        response = self._with_retries(url, params, pacer)
        if use_cache:
            self.cache.put(key, response.body)
        return response

    def forget(self, url: str, params: dict[str, str] | None = None) -> None:
        """Drop a cached body that turned out unusable (malformed), so the next run asks again."""
        self.cache.drop(ResponseCache.key(url, params or {}))

    def _with_retries(self, url: str, params: dict[str, str], pacer: Pacer | None) -> Response:
        last = ""
        for attempt in range(self.retries + 1):
            if pacer is not None:
                pacer.wait()
            self.requests_made += 1
            try:
                reply = self.http.get(url, params=params)
            except httpx.ConnectError as exc:  # refused, no route, no DNS: retrying will not help this run
                raise NetworkUnavailable(f"cannot reach {_host(url)}: {exc or type(exc).__name__}") from exc
            except httpx.TransportError as exc:  # timeouts, a connection dropped mid-answer: transient
                last, delay = f"{type(exc).__name__}", self._delay(attempt)
                if isinstance(exc, httpx.ConnectTimeout) and attempt == self.retries:
                    raise NetworkUnavailable(f"cannot reach {_host(url)}: connection timed out") from exc
            else:
                if reply.status_code == 200:
                    return Response(str(reply.url), 200, reply.content)
                if reply.status_code not in RETRY_STATUS:
                    raise FetchError(f"{_host(url)} answered HTTP {reply.status_code} for {url}")
                last, delay = f"HTTP {reply.status_code}", self._delay(attempt, reply.headers.get("Retry-After"))
            if attempt < self.retries:
                logger.info("fetch retry %s after %s (attempt %d), waiting %.1f s", url, last, attempt + 1, delay)
                time.sleep(delay)
        raise FetchError(f"{_host(url)} failed {self.retries + 1} times for {url}: {last}")

    def _delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Exponential backoff; a server's Retry-After (seconds) wins when it asks for longer."""
        delay = self.backoff_s * (2 ** attempt)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        return min(delay, 60.0)


def _host(url: str) -> str:
    return httpx.URL(url).host or url
