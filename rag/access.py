"""Who may do what at the HTTP edge: the optional API token, per-client rate limits, which backends a client may
choose, and the size of what it may send. Each check raises `Denied` with the status the client should see."""

from __future__ import annotations

import hmac
import re

from rag.api_schema import AskRequest
from rag.ratelimit import RateLimiter
from rag.settings import Settings

# Browser origins allowed by default: pages served from this machine (any port), besides same-origin pages.
LOCALHOST_ORIGINS = r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$"


class Denied(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def cors_options(settings: Settings) -> dict[str, object]:
    """CORSMiddleware arguments: the configured allow-list, or localhost origins only."""
    common = {"allow_methods": ["GET", "POST"], "allow_headers": ["Authorization", "Content-Type"],
              "allow_credentials": False, "max_age": 600}
    if settings.cors_origins:
        return {"allow_origins": settings.cors_origins, **common}
    return {"allow_origin_regex": LOCALHOST_ORIGINS, **common}


class Gate:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit)

    def authorized(self, authorization: str | None) -> bool:
        """True when a token is configured and the request carries it."""
        token = self.settings.api_token
        if token is None or not authorization:
            return False
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.get_secret_value().encode())

    def admit(self, client: str, authorization: str | None) -> bool:
        """Token (when configured) then rate limit; returns whether the client holds the token."""
        holder = self.authorized(authorization)
        if self.settings.api_token is not None and not holder:
            raise Denied(401, "this API needs a token: send 'Authorization: Bearer <token>'",
                         {"WWW-Authenticate": "Bearer"})
        wait = self.limiter.retry_after(client)
        if wait:
            raise Denied(429, f"too many requests: try again in {wait} s", {"Retry-After": str(wait)})
        return holder

    def check_ask(self, request: AskRequest, token_holder: bool) -> None:
        """Configured size limits, and whether this client may choose the backend it names."""
        s = self.settings
        if len(request.question) > s.max_question_chars:
            raise Denied(422, f"the question is longer than {s.max_question_chars} characters")
        if len(request.history) > s.max_history_turns:
            raise Denied(422, f"the history has more than {s.max_history_turns} turns")
        if sum(len(t.content) for t in request.history) > s.max_history_chars:
            raise Denied(422, f"the history is longer than {s.max_history_chars} characters in all")
        if request.backend and request.backend not in s.public_backends and not token_holder:
            raise Denied(403, f"backend '{request.backend}' is not open to anonymous clients "
                              f"(open: {', '.join(s.public_backends) or 'none'}; the default is always used)")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """User text without control characters (they carry no meaning in a question and confuse tokenisers)."""
    return _CONTROL.sub(" ", text)
