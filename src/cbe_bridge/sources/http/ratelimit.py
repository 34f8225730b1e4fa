"""Client-side rate limits, shared by every thread of a source.

* :class:`TokenBucket`: at most ``rate`` requests per second (with a small burst), for APIs
  with a published quota; cheaper than being told 429 and waiting.
* :class:`LeakyBucketGovernor`: Canvas meters each token with a leaky bucket and reports what
  is left in ``X-Rate-Limit-Remaining``. When it runs low the governor spaces requests out,
  more the lower it gets, so the bucket refills instead of overflowing; a 403 "Rate Limit
  Exceeded" (the overflow) pauses every thread for a while. Slowing down, not failing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping


class TokenBucket:
    """``acquire()`` blocks until a request may go out."""

    def __init__(self, rate: float, burst: float | None = None, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = burst if burst is not None else 1.0  # evenly spaced: never a burst over a quota
        self._tokens = self.capacity
        self._clock, self._sleep = clock, sleep
        self._last = clock()
        self._lock = threading.Lock()
        self.waited = 0.0

    def acquire(self) -> None:
        # Take the token now, even on credit: the debt (negative tokens) is what later callers
        # wait for, so threads queue fairly and no float rounding can spin a retry loop.
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self.waited += wait
            self._sleep(wait)


class LeakyBucketGovernor:
    """Spaces requests out as ``X-Rate-Limit-Remaining`` falls below ``low_water``."""

    def __init__(self, *, low_water: float = 300.0, max_delay: float = 2.0, overflow_pause: float = 5.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.low_water = low_water
        self.max_delay = max_delay
        self.overflow_pause = overflow_pause
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._not_before = 0.0
        self._delay = 0.0
        self._scale = 1.0
        self.remaining: float | None = None
        self.waited = 0.0
        self.overflows = 0

    def before_request(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._not_before)
            # Each request reserves its own slot, so N threads are spaced out, not released together.
            self._not_before = start + self._delay
            wait = start - now
        if wait > 0:
            self.waited += wait
            self._sleep(wait)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Read ``X-Rate-Limit-Remaining`` from an answer and set the spacing of the next requests."""
        value = headers.get("X-Rate-Limit-Remaining")
        if value is None:
            return
        try:
            remaining = float(value)
        except ValueError:
            return
        with self._lock:
            self.remaining = remaining
            if remaining >= self.low_water:
                self._delay = 0.0
                self._scale = max(1.0, self._scale / 2)  # plenty left: relax what overflows taught
            else:
                self._delay = self.max_delay * self._scale * (1 - max(remaining, 0.0) / max(self.low_water, 1e-9))

    def overflowed(self) -> float:
        """The API said the bucket overflowed: pause everyone; return the pause.

        Each overflow also doubles the spacing used while the bucket is low (up to 8 times
        ``max_delay``): if the configured pace was too fast for this bucket, the next one is not.
        """
        with self._lock:
            self.overflows += 1
            self._scale = min(self._scale * 2, 8.0)
            self._not_before = max(self._not_before, self._clock() + self.overflow_pause)
            self._delay = self.max_delay * self._scale
        return self.overflow_pause
