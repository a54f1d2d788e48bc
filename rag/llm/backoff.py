"""How long to wait before a retry: exponential backoff with full jitter, or the server's
Retry-After when it asks for a wait, honoured up to RAG_LLM_MAX_WAIT."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

# Answers worth asking again: timeout, conflict, rate limit, and the server errors that pass
# (internal error, bad gateway, unavailable, gateway timeout, and the proxies' 520-524, 529).
# 501 Not Implemented, 505 and the like fail the same way every time.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 529})


class WaitTooLong(Exception):
    """The server asked for a longer wait than the configured cap."""

    def __init__(self, seconds: float, cap: float) -> None:
        super().__init__(f"the server asked to wait {seconds:g} s (Retry-After), more than RAG_LLM_MAX_WAIT={cap:g} s")
        self.seconds, self.cap = seconds, cap


@dataclass
class Backoff:
    """Exponential backoff with full jitter (at most `cap` seconds). A server's Retry-After is
    honoured as asked up to `max_wait`; a longer one raises WaitTooLong."""

    base: float = 0.5
    cap: float = 20.0
    max_wait: float = 120.0

    def delay(self, attempt: int, retry_after: Optional[float] = None) -> float:
        if retry_after is not None and retry_after >= 0:
            if retry_after > self.max_wait:
                raise WaitTooLong(retry_after, self.max_wait)
            return retry_after
        return random.uniform(0, min(self.cap, self.base * 2 ** attempt))


def retry_after(e) -> Optional[float]:
    """Seconds from the Retry-After-Ms or Retry-After header of an HTTP error (an HTTP date counts too)."""
    headers = getattr(getattr(e, "response", None), "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return float(value) * scale
            except ValueError:
                return _http_date_seconds(value)
    return None


def _http_date_seconds(value: str) -> Optional[float]:
    import time
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - time.time())
