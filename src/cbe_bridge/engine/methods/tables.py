"""A cache for work done on a policy's tables (grade bands, points, weights).

The engine asks the same few tables millions of times (per course, per node, per GPA), so
checking and converting each once pays. A table a caller builds with something unhashable in
it (a list as a label, say) is simply not cached: the function still runs and gives its own
result or error, as it would without the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

R = TypeVar("R")


def per_table(maxsize: int) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """``functools.lru_cache(maxsize)``, passing unhashable arguments through uncached."""
    def decorate(function: Callable[..., R]) -> Callable[..., R]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(*args: object) -> R:
            try:
                hash(args)
            except TypeError:
                return function(*args)
            return cached(*args)

        return call

    return decorate
