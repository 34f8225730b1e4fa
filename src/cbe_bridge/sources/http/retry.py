"""Retry policy: which failures are retried, and how long to wait before the next attempt.

Retried: 429, 5xx, connection errors, timeouts, truncated or unreadable JSON, and the
rate-limit 403 some APIs send (Canvas). The wait is the server's ``Retry-After`` when it gives
one (capped, so a misbehaving server cannot park a nightly sync for a day), otherwise
exponential backoff with jitter, so many clients (or threads) that failed together do not
retry together.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from pydantic import BaseModel, ConfigDict, Field
from tenacity import RetryCallState
from tenacity.wait import wait_base

from cbe_bridge.sources.http.errors import RetriableError

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class RetrySettings(BaseModel):
    """How hard to try before a source is reported as failing (configurable per source)."""

    model_config = ConfigDict(extra="forbid")

    attempts: int = Field(8, ge=1, le=50, description="Attempts per request, the first included")
    backoff: float = Field(0.5, ge=0, description="First wait in seconds; doubles with each retry")
    max_wait: float = Field(60.0, ge=0, description="Longest wait between two attempts, in seconds")
    max_retry_after: float = Field(600.0, ge=0, description="Longest Retry-After honoured, in seconds")


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts and waits for one source (see the module docstring)."""
    attempts: int = 8
    backoff: float = 0.5
    max_wait: float = 60.0
    max_retry_after: float = 600.0

    @classmethod
    def from_settings(cls, s: RetrySettings) -> RetryPolicy:
        return cls(s.attempts, s.backoff, s.max_wait, s.max_retry_after)

    def backoff_wait(self, attempt: int) -> float:
        """Exponential backoff with jitter: half fixed, half random ("equal jitter")."""
        ceiling = min(self.max_wait, self.backoff * (2 ** max(attempt - 1, 0)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def wait_for(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            # A small jitter on top keeps threads that were told the same instant apart.
            return min(retry_after, self.max_retry_after) + random.uniform(0, min(0.25, self.backoff))
        return self.backoff_wait(attempt)


class WaitRetryAfterOrBackoff(wait_base):
    """tenacity wait strategy reading ``RetriableError.retry_after``."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        retry_after = exc.retry_after if isinstance(exc, RetriableError) else None
        return self.policy.wait_for(retry_state.attempt_number, retry_after)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
